/**
 * The contract between a stage's pure core and the runtime that hosts it.
 *
 * A core is synchronous and free of I/O, threads and logging on the per-record path. It gets
 * records through typed handlers and sends records on through an Emitter. The runtime decides
 * what an Emitter does: encode into a ring towards another worker, or call the next core in the
 * same worker directly (fused placement). So the same core runs unchanged in a pipeline, fused
 * with its neighbours, or alone under a benchmark.
 *
 * A record kind a core has no handler for is passed on unchanged (so marks such as feed-down
 * travel to the stages that care without every stage forwarding them by hand).
 */

import type {
  BarLike,
  BookDeltaLike,
  BookSnapshotLike,
  BookViewLike,
  FillRecord,
  InstrumentRegistry,
  OrderEventRecord,
  OrderIntentRecord,
  PositionRecord,
  QuoteBatchLike,
  SignalRecord,
  TradeBatchLike,
} from '@tickline/wire';
import type { MarketViewTable } from './market-view.js';

export const STAGES = ['ingest', 'normalize', 'book', 'signals', 'risk', 'execution'] as const;
export type StageName = (typeof STAGES)[number];

export interface RawFrameLike {
  readonly venue: number;
  readonly connId: number;
  readonly recvS: number;
  readonly recvNs: number;
  readonly frameSeq: number;
  /** FrameKind: 0 WebSocket text, 1 WebSocket binary, 2 REST response. */
  readonly kind: number;
  readonly context: string | null;
  /** Payload; may be a view on shared memory, valid only during the call. */
  readonly bytes: Uint8Array;
}

/** A raw frame whose fields a source fills in place for each frame it hands on (no allocation per frame). */
export type MutableRawFrame = { -readonly [K in keyof RawFrameLike]: RawFrameLike[K] };

/** An empty reusable raw frame of `venue`. */
export function rawFrameScratch(venue = 0): MutableRawFrame {
  return { venue, connId: 0, recvS: 0, recvNs: 0, frameSeq: 0, kind: 0, context: null, bytes: new Uint8Array(0) };
}

/** Low-rate control marks that ride the data path (see schema/tickline.fbs "marks"). */
export type Mark =
  | {
      readonly type: 'feed';
      readonly venue: number;
      readonly connId: number;
      readonly up: boolean;
      readonly reason: string;
      readonly tsS: number;
      readonly tsNs: number;
    }
  | { readonly type: 'stale'; readonly instrument: number; readonly venue: number; readonly ageMs: number }
  | { readonly type: 'halt'; readonly state: number; readonly reason: string; readonly tsS: number; readonly tsNs: number }
  | { readonly type: 'resync'; readonly instrument: number; readonly venue: number; readonly reason: string }
  | { readonly type: 'drop'; readonly count: number; readonly reason: number; readonly edge: string };

export interface Emitter {
  rawFrame(f: RawFrameLike): void;
  bookDelta(d: BookDeltaLike): void;
  bookSnapshot(s: BookSnapshotLike): void;
  trades(t: TradeBatchLike): void;
  quotes(q: QuoteBatchLike): void;
  bookView(v: BookViewLike): void;
  bar(b: BarLike): void;
  signal(s: SignalRecord): void;
  orderIntent(o: OrderIntentRecord): void;
  orderEvent(e: OrderEventRecord): void;
  fill(f: FillRecord): void;
  position(p: PositionRecord): void;
  mark(m: Mark): void;
  /**
   * Sources only (optional): how far behind the consumer of the frames routed by `key` is, as the
   * age in ms of the oldest frame it has not taken yet; 0 when it is caught up or there is no
   * queue in between. A source sheds load on it before the queue outgrows its time bound.
   */
  backlogMs?(key: number): number;
  /**
   * Sources only (optional): a count of what the consumer of the frames routed by `key` has
   * taken (free-running): it does not move while that consumer is stalled or not started yet.
   */
  consumed?(key: number): number;
  /**
   * Sources only (optional): rawFrame that says whether the frame was queued. false: the queue
   * was full and the frame is lost; the emitter counts it as an output drop but reports nothing
   * downstream, because the source knows what the frame held and handles the loss itself.
   */
  offerFrame?(f: RawFrameLike): boolean;
  /**
   * Publishes what was emitted so far. The runtime flushes after every input batch; a source
   * core (one driven by I/O, not by records) calls this at the end of each I/O callback.
   */
  flush(): void;
}

/**
 * Base of an Emitter that only an ingest source writes to (a recorder, a test's sink): the source
 * emits raw frames and marks and flushes; every other kind of record is not a source's to emit and
 * is ignored here.
 */
export abstract class SourceEmitter implements Emitter {
  abstract rawFrame(f: RawFrameLike): void;
  abstract mark(m: Mark): void;
  abstract flush(): void;
  bookDelta(): void {}
  bookSnapshot(): void {}
  trades(): void {}
  quotes(): void {}
  bookView(): void {}
  bar(): void {}
  signal(): void {}
  orderIntent(): void {}
  orderEvent(): void {}
  fill(): void {}
  position(): void {}
}

/** Handlers a core may implement. Each gets the record as a read-only view valid for the call. */
export interface RecordHandlers {
  onRawFrame(f: RawFrameLike, emit: Emitter): void;
  onBookDelta(d: BookDeltaLike, emit: Emitter): void;
  onBookSnapshot(s: BookSnapshotLike, emit: Emitter): void;
  onTrades(t: TradeBatchLike, emit: Emitter): void;
  onQuotes(q: QuoteBatchLike, emit: Emitter): void;
  onBookView(v: BookViewLike, emit: Emitter): void;
  onBar(b: BarLike, emit: Emitter): void;
  onSignal(s: SignalRecord, emit: Emitter): void;
  onOrderIntent(o: OrderIntentRecord, emit: Emitter): void;
  onOrderEvent(e: OrderEventRecord, emit: Emitter): void;
  onFill(f: FillRecord, emit: Emitter): void;
  onPosition(p: PositionRecord, emit: Emitter): void;
  onMark(m: Mark, emit: Emitter): void;
}

/** Everything in a core beyond its record handlers is optional. */
export interface StageCore extends Partial<RecordHandlers> {
  /**
   * Records were lost on an input edge (ring drop, stale, corrupt). Default: pass a drop mark
   * downstream. Book cores re-seed the affected instruments.
   */
  onDrop?(count: number, reason: number, edge: string, emit: Emitter): void;
  /**
   * Called after each batch of input records, before the outputs are published: a core that
   * conflates (the book stage's views) emits what it held back. Cores of a fused group are
   * called in pipeline order, so what one emits here reaches the next within the same batch. Its
   * time counts in the stage's service-time sum (samples stay one per record).
   */
  endBatch?(emit: Emitter): void;
  /** Called about every `tickMs` (timers: staleness, time bars, order timeouts). */
  tick?(nowMs: number, emit: Emitter): void;
  /** Source cores only: start producing (I/O lives in the worker file, not the core). */
  start?(emit: Emitter): void | Promise<void>;
  /**
   * True if the core's worker does I/O on its event loop (sockets, timers with tight deadlines).
   * Such workers park on Atomics.waitAsync; pure stages park on a blocking futex wait, which
   * wakes faster.
   */
  readonly needsEventLoop?: boolean;
  /** Source cores only: stop producing; resolve when no more records will be emitted. */
  stop?(): void | Promise<void>;
  /** Core-specific counters for stats (merged into the worker's stats). */
  stats?(): Record<string, number>;
  /** Control-plane commands routed to this core (subscribe, kill switch, resync...). */
  control?(command: string, args: unknown): unknown;
  /** Release resources at worker shutdown. */
  close?(): void | Promise<void>;
}

export interface StageContext {
  readonly stage: StageName;
  readonly partition: number;
  readonly partitions: number;
  readonly registry: InstrumentRegistry;
  /** The stage's own config section, validated by the supervisor. */
  readonly config: unknown;
  /** Sends an event to the supervisor (control plane), e.g. a snapshot request. Low rate only. */
  readonly notify: (event: string, data: unknown) => void;
  /** The shared per-instrument market view (book workers write their rows), if the run has one. */
  readonly marketView: MarketViewTable | null;
  /**
   * The run's freshness bound (config `freshness.maxDataAgeMs`): no decision on data older than
   * this since its local receive time. 0 = no bound. A stage's own setting overrides it.
   */
  readonly maxDataAgeMs: number;
  /**
   * The time the stage's cores decide on (epoch ms). Default: the wall clock. An event-time
   * backtest passes its simulated time, so ages, cooldowns, timeouts and bars follow recorded time.
   */
  readonly clock?: () => number;
  /**
   * Execution only: a venue in this same thread (a backtest's local matching engine) instead of a
   * connection to the configured venue. See LocalVenueBinding.
   */
  readonly localVenue?: LocalVenueBinding;
}

/**
 * A venue that lives in the stage's own thread and is driven synchronously by its host (the
 * event-time backtest). `port` is the execution core's VenuePort; the stage calls `attach` once
 * with `deliver` (hands one venue message to the core) and `settle` (ends the unit of work those
 * messages started: the core's reaction is emitted and flushed before `settle` returns). The host
 * calls deliver for each message it releases, then settle, never from inside a core's handler.
 */
export interface LocalVenueBinding {
  readonly port: unknown;
  attach(deliver: (message: unknown) => void, settle: () => void): void;
}

/** What a stage module's default export must be. */
export type StageFactory = (ctx: StageContext) => StageCore | Promise<StageCore>;

/**
 * Flattens a core's nested counters into the flat numbers `stats()` returns:
 * `{ rejected: { stale: 2 } }` -> `{ 'rejected.stale': 2 }`. Non-numbers are left out.
 */
export function flattenStats(value: unknown, prefix = '', out: Record<string, number> = {}): Record<string, number> {
  if (typeof value === 'number') out[prefix] = value;
  else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) flattenStats(v, prefix ? `${prefix}.${k}` : k, out);
  }
  return out;
}

/**
 * A stage's config section with the run's freshness bound filled in where the section sets no
 * `maxDataAgeMs` of its own (sections that are not objects are returned as they are, for the
 * stage's validator to report).
 */
export function withFreshness(ctx: StageContext): unknown {
  const raw = ctx.config ?? {};
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return raw;
  return (raw as { maxDataAgeMs?: unknown }).maxDataAgeMs === undefined ? { ...raw, maxDataAgeMs: ctx.maxDataAgeMs } : raw;
}
