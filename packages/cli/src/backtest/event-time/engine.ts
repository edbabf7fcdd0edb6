/**
 * The event-time backtest: the pipeline's book, signals, risk and execution cores fused in one
 * thread (one-worker placement, normalize ran in the prepare pass), a local venue in the same
 * thread, and one clock — recorded local time — that every core reads. No step waits for a
 * pipeline to drain: the engine always handles the earliest pending event next, so causality is
 * exact by construction.
 *
 * One time axis, local time τ (the recording's receive times):
 * - market record i reaches the **venue** at τ_i − feedLatency_i (kept in file order), and the
 *   **pipeline** at τ_i (its data age is 0, as it was when recorded);
 * - an order the pipeline sends at τ_s reaches the venue at τ_s + entry latency; the venue's
 *   answers reach execution at their venue time + response latency (the venue schedules both).
 * Ties at one instant: the venue's own arrivals and deliveries first, then market data at the
 * venue, then market data in the pipeline, then the cores' timers.
 */

import type { ForwardingEmitter, LocalVenueBinding, StageContext, StageCore, StageName } from '@tickline/runtime';
import { deliverRecord, FusedEmitter, LocalFeedbackEmitter, SinkEmitter } from '@tickline/runtime';
import { Body, BookState, type InstrumentRegistry, RecordReader } from '@tickline/wire';
import type { RecordStore } from './store.js';
import { ViewWatch } from './view-watch.js';

/** The venue as the engine drives it (see venue-adapter.ts). */
export interface EngineVenue {
  /** The execution core's VenuePort. */
  readonly port: unknown;
  /** Earliest pending order arrival or answer delivery (local time ms); Infinity when none. */
  nextEventTime(): number;
  /** Runs the venue's own events up to `t`, handing answers due by then to `deliver`. */
  runUntil(t: number, deliver: (message: unknown) => void): void;
  /** Market data at the venue: stored record `i`, at venue time `t` (the venue opens what it needs). */
  applyRecord(t: number, i: number): void;
  /** The strategy side's clock (sends are stamped with it); set once before the run. */
  useClock(clock: () => number): void;
  /** The pipeline's book of `instrument` stopped (false) or started (true) being live. */
  bookLive(instrument: number, live: boolean, t: number): void;
}

export interface FeedLatency {
  /** Feed latency of the next market record (ms, ≥ 0). */
  next(): number;
}

export type StageFactoryFn = (ctx: StageContext) => StageCore | Promise<StageCore>;

export interface EngineInput {
  store: RecordStore;
  registry: InstrumentRegistry;
  factories: Record<'book' | 'signals' | 'risk' | 'execution', StageFactoryFn>;
  configs: Record<'book' | 'signals' | 'risk' | 'execution', unknown>;
  maxDataAgeMs: number;
  venue: EngineVenue;
  feedLatency: FeedLatency;
  tickMs: number;
  sampleMs: number;
  /** Equity now (exact decimal string), from execution's report. */
  onSample?: (tMs: number, equity: string) => void;
  /** Called about every 2^16 events with the records handled so far. */
  onProgress?: (records: number) => void;
  stopped?: () => boolean;
  notify?: (event: string, data: unknown) => void;
}

export interface NotLivePeriod {
  instrument: number;
  fromMs: number;
  /** null: still not live at the end. */
  toMs: number | null;
}

export interface EngineResult {
  records: number;
  /** Wall time of the replay loop (ms). */
  ms: number;
  curve: [number, string][];
  stages: Record<string, { processed: number; core: Record<string, number> }>;
  notLive: NotLivePeriod[];
  venueMessages: number;
  complete: boolean;
  error: string | null;
  /** The cores, for reports after the run (execution's `report` command). */
  control(stage: 'book' | 'signals' | 'risk' | 'execution', command: string, args?: unknown): unknown;
  close(): Promise<void>;
}

/** Recorded time after the last record in which the venue's pending answers are still delivered. */
const END_DRAIN_MS = 60_000;

const ORDER: readonly ('book' | 'signals' | 'risk' | 'execution')[] = ['book', 'signals', 'risk', 'execution'];

export async function runEventTime(d: EngineInput): Promise<EngineResult> {
  let now = d.store.count > 0 ? d.store.time(0) : 0;
  const clock = () => now;
  d.venue.useClock(clock);
  let attached: { deliver: (m: unknown) => void; settle: () => void } | null = null;
  const binding: LocalVenueBinding = {
    port: d.venue.port,
    attach: (deliver, settle) => {
      attached = { deliver, settle };
    },
  };
  const notify = d.notify ?? (() => {});
  const cores: StageCore[] = [];
  for (const s of ORDER) {
    const ctx: StageContext = {
      stage: s as StageName,
      partition: 0,
      partitions: 1,
      registry: d.registry,
      config: d.configs[s],
      notify,
      marketView: null,
      maxDataAgeMs: d.maxDataAgeMs,
      clock,
      ...(s === 'execution' ? { localVenue: binding } : {}),
    };
    cores.push(await d.factories[s](ctx));
  }
  const [book, signals, risk, execution] = cores as [StageCore, StageCore, StageCore, StageCore];
  const counts = ORDER.map(() => ({ processed: 0 }));
  const [cBook, cSignals, cRisk, cExec] = counts as [
    { processed: number },
    { processed: number },
    { processed: number },
    { processed: number },
  ];
  // execution -> risk (order events, fills, positions) and -> signals (fills), inside this thread
  let eRisk: ForwardingEmitter | null = null;
  let eSignals: ForwardingEmitter | null = null;
  const feedback = new LocalFeedbackEmitter(new SinkEmitter(), [
    { core: risk, emit: () => eRisk as ForwardingEmitter, count: cRisk, kinds: new Set([Body.OrderEvent, Body.Fill, Body.Position]) },
    { core: signals, emit: () => eSignals as ForwardingEmitter, count: cSignals, kinds: new Set([Body.Fill]) },
  ]);
  eRisk = new FusedEmitter(execution, feedback, cExec);
  eSignals = new FusedEmitter(risk, eRisk, cRisk);
  const notLive: NotLivePeriod[] = [];
  const open = new Map<number, NotLivePeriod>();
  const watch = new ViewWatch(new FusedEmitter(signals, eSignals, cSignals), (instrument, state) => {
    const live = state === BookState.Live;
    const was = open.get(instrument);
    if (live && was !== undefined) {
      was.toMs = now;
      open.delete(instrument);
      d.venue.bookLive(instrument, true, now);
    } else if (!live && was === undefined && watch.seen(instrument)) {
      const p: NotLivePeriod = { instrument, fromMs: now, toMs: null };
      notLive.push(p);
      open.set(instrument, p);
      d.venue.bookLive(instrument, false, now);
    }
  });
  const eBook: ForwardingEmitter = watch;
  const emitOf: Record<string, ForwardingEmitter> = { book: eBook, signals: eSignals, risk: eRisk, execution: feedback };
  for (const [i, s] of ORDER.entries()) (cores[i] as StageCore).start?.(emitOf[s] as ForwardingEmitter);

  if (attached === null) throw new Error('the execution stage did not attach to the local venue');
  const settled: { deliver: (m: unknown) => void; settle: () => void } = attached;
  const store = d.store;
  const n = store.count;
  // one reader per chunk (the venue keeps its own)
  const pipeReaders: RecordReader[] = [];
  for (let k = 0; k < store.chunks; k++) pipeReaders.push(new RecordReader(store.chunk(k)));
  let vi = 0; // next record for the venue
  let pi = 0; // next record for the pipeline
  let venueT = Number.NEGATIVE_INFINITY; // venue time of the last record the venue took
  let nextVenueT = Number.POSITIVE_INFINITY;
  const venueTimeOf = (i: number): number => Math.max(venueT, store.time(i) - Math.max(0, d.feedLatency.next()));
  if (n > 0) nextVenueT = venueTimeOf(0);
  // After the last record, the venue's answers still due are delivered for this long of recorded
  // time (so the last orders' acks and fills count); what a strategy keeps sending after that is not
  // replayed.
  const drainUntil = (n > 0 ? store.time(n - 1) : now) + END_DRAIN_MS;
  let nextTick = now + d.tickMs;
  let nextSample = now;
  const curve: [number, string][] = [];
  let batchOpen = false;
  let batchT = Number.NaN;
  let venueMessages = 0;
  const deliver = (m: unknown) => {
    venueMessages++;
    settled.deliver(m);
  };

  const endBatch = () => {
    if (!batchOpen) return;
    batchOpen = false;
    book.endBatch?.(eBook);
    eBook.flush();
    feedback.drain();
  };
  const sample = () => {
    const rep = execution.control?.('equity', {}) as { equity?: string } | undefined;
    const eq = rep?.equity ?? '0';
    curve.push([now, eq]);
    d.onSample?.(now, eq);
  };

  const t0 = performance.now();
  let error: string | null = null;
  let handled = 0;
  let complete = true;
  try {
    for (;;) {
      const tPipe = pi < n ? store.time(pi) : Number.POSITIVE_INFINITY;
      const tVenueOwn = d.venue.nextEventTime();
      let t = tPipe;
      if (nextVenueT < t) t = nextVenueT;
      if (tVenueOwn < t) t = tVenueOwn;
      // the batch of pipeline records at one instant ends before anything else happens
      if (batchOpen && !(tPipe === batchT && tPipe <= t && tVenueOwn > tPipe && nextVenueT > tPipe)) {
        endBatch(); // may send orders: look again
        continue;
      }
      if (pi >= n && vi >= n && (tVenueOwn === Number.POSITIVE_INFINITY || tVenueOwn > drainUntil)) break;
      if (nextTick < t || nextSample < t) {
        const tt = Math.min(nextTick, nextSample);
        now = Math.max(now, tt);
        if (nextSample <= tt) {
          sample();
          nextSample += d.sampleMs;
        }
        if (nextTick <= tt) {
          for (const [i, s] of ORDER.entries()) (cores[i] as StageCore).tick?.(now, emitOf[s] as ForwardingEmitter);
          eBook.flush();
          feedback.drain();
          nextTick += d.tickMs;
        }
        continue;
      }
      if (t === Number.POSITIVE_INFINITY) break;
      now = Math.max(now, t);
      if (tVenueOwn <= t) {
        d.venue.runUntil(t, deliver);
        settled.settle();
        feedback.drain();
        continue;
      }
      if (nextVenueT <= t) {
        d.venue.applyRecord(nextVenueT, vi);
        venueT = nextVenueT;
        vi++;
        nextVenueT = vi < n ? venueTimeOf(vi) : Number.POSITIVE_INFINITY;
        continue;
      }
      // market data in the pipeline
      const k = store.chunkOf(pi);
      const reader = pipeReaders[k] as RecordReader;
      const off = store.offset(pi);
      const len = store.length(pi);
      if (reader.open(off, len, true) !== Body.NONE) {
        cBook.processed++;
        deliverRecord(book, reader, store.chunk(k), off, len, eBook);
        feedback.drain();
      }
      batchOpen = true;
      batchT = tPipe;
      pi++;
      if ((++handled & 0xffff) === 0) {
        d.onProgress?.(pi);
        if (d.stopped?.()) {
          complete = false;
          break;
        }
      }
    }
    endBatch();
    sample();
  } catch (err) {
    error = err instanceof Error ? (err.stack ?? err.message) : String(err);
    complete = false;
  }
  const ms = performance.now() - t0;
  for (const p of open.values()) p.toMs = null;
  d.onProgress?.(pi);
  const stages: EngineResult['stages'] = {};
  for (const [i, s] of ORDER.entries())
    stages[s] = { processed: (counts[i] as { processed: number }).processed, core: cores[i]?.stats?.() ?? {} };
  return {
    records: pi,
    ms,
    curve,
    stages,
    notLive,
    venueMessages,
    complete: complete && error === null,
    error,
    control: (stage, command, args) => cores[ORDER.indexOf(stage)]?.control?.(command, args ?? {}),
    close: async () => {
      for (const c of cores) await c.close?.();
    },
  };
}
