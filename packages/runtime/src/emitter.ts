/**
 * Emitters: what `emit.*` does for a core.
 *
 * - RingEmitter encodes each record once (FlatBuffers, via @tickline/wire's Encoder) and writes
 *   it to the ring of the downstream partition that owns the record's instrument. Records with
 *   no instrument (marks) go to every downstream partition. Order events, fills and positions go
 *   to the feedback edge when the stage has one.
 * - FusedEmitter hands the record straight to the next core in the same worker: no encoding, no
 *   ring. This is operator chaining; the cores cannot tell the difference.
 * - SinkEmitter counts what the last stage emits and discards it.
 */

import type { RecordWriter } from '@tickline/ring';
import {
  type BarLike,
  Body,
  type BookDeltaLike,
  type BookSnapshotLike,
  type BookViewLike,
  Encoder,
  type FillRecord,
  type OrderEventRecord,
  type OrderIntentRecord,
  type PositionRecord,
  partitionOf,
  type QuoteBatchLike,
  type RecordReader,
  type SignalRecord,
  type TradeBatchLike,
} from '@tickline/wire';
import { type Emitter, type Mark, type RawFrameLike, rawFrameScratch, type StageCore } from './stage.js';
import type { ServiceTimer } from './timing.js';

/**
 * The epoch ms a record's data was born, from its split receive time (0 s: unknown, so NaN and
 * the ring stamps the batch time instead).
 */
function originOf(s: number, ns: number): number {
  return s > 0 ? s * 1000 + ns / 1e6 : Number.NaN;
}

/** Origin of records that never expire (marks, order events, fills, positions): no age. */
const AGELESS = Number.POSITIVE_INFINITY;

/** Emitters the runtime can also forward an undecoded ring record through. */
export interface ForwardingEmitter extends Emitter {
  /** Passes on a record the core has no handler for. `reader` is open on it. */
  forward(reader: RecordReader, data: Uint8Array, offset: number, length: number): void;
  readonly emitted: number;
  readonly dropped: number;
}

const BROADCAST = -1;

/** The routing key of an open record: its instrument, its connection (raw frames), or broadcast. */
export function routingKey(reader: RecordReader): number {
  switch (reader.type) {
    case Body.RawFrame:
      return reader.raw.connId();
    case Body.BookDeltaBatch:
      return reader.delta.instrument;
    case Body.BookSnapshot:
      return reader.snapshot.instrument;
    case Body.TradeBatch:
      return reader.trades.instrument;
    case Body.QuoteBatch:
      return reader.quotes.instrument;
    case Body.BookView:
      return reader.view.instrument;
    case Body.Bar:
      return reader.bar.instrument;
    case Body.Signal:
      return reader.signal.instrument();
    case Body.OrderIntent:
      return reader.intent.instrument();
    case Body.OrderEvent:
      return reader.orderEvent.instrument();
    case Body.Fill:
      return reader.fill.instrument();
    case Body.Position:
      return reader.position.instrument();
    case Body.StaleMark:
      return reader.staleMark.instrument();
    default:
      return BROADCAST;
  }
}

/** The view an open reader exposes for its current record's type (market data kinds only). */
function viewOf(reader: RecordReader): unknown {
  switch (reader.type) {
    case Body.BookDeltaBatch:
      return reader.delta;
    case Body.BookSnapshot:
      return reader.snapshot;
    case Body.TradeBatch:
      return reader.trades;
    case Body.QuoteBatch:
      return reader.quotes;
    case Body.BookView:
      return reader.view;
    case Body.Bar:
      return reader.bar;
    default:
      return null;
  }
}

const FEEDBACK_KINDS = new Set<number>([Body.OrderEvent, Body.Fill, Body.Position]);
const MARK_KINDS = new Set<number>([Body.FeedState, Body.StaleMark, Body.HaltMark, Body.ResyncRequest, Body.DropMark]);
const isMark = (kind: number): boolean => MARK_KINDS.has(kind);

/** A feedback edge seen from the producing worker: the target's partitions and the kinds it takes. */
export interface FeedbackOutput {
  readonly producers: readonly RecordWriter[];
  readonly kinds: ReadonlySet<number>;
}

export class RingEmitter implements ForwardingEmitter {
  readonly #enc = new Encoder();
  readonly #next: readonly RecordWriter[];
  readonly #feedback: readonly FeedbackOutput[];
  emitted = 0;
  dropped = 0;
  // The ring record being handled, if any: a core that emits the very view it was given
  // (a pass-through) gets the record's bytes copied instead of re-encoded.
  #src: RecordReader | null = null;
  #srcData: Uint8Array | null = null;
  #srcOffset = 0;
  #srcLength = 0;
  #srcOrigin = Number.NaN;

  /**
   * Called by the worker before each input record (null when the input is not a ring record),
   * with the record's origin time from its ring header.
   */
  setSource(reader: RecordReader | null, data: Uint8Array | null, offset: number, length: number, originMs = Number.NaN): void {
    this.#src = reader;
    this.#srcData = data;
    this.#srcOffset = offset;
    this.#srcLength = length;
    this.#srcOrigin = originMs;
  }

  /** True (and the record copied on) if `view` is the current source record's own view. */
  #passThrough(view: unknown, key: number): boolean {
    const src = this.#src;
    if (src === null || this.#srcData === null) return false;
    if (view !== viewOf(src)) return false;
    this.#route(src.type, key, this.#srcData, this.#srcOffset, this.#srcLength, this.#srcOrigin);
    return true;
  }

  /** `next`: one producer per downstream partition. `feedback`: the feedback edges (order events, fills, positions). */
  constructor(next: readonly RecordWriter[], feedback: readonly FeedbackOutput[] = []) {
    this.#next = next;
    this.#feedback = feedback;
  }

  #route(kind: number, key: number, bytes: Uint8Array, offset: number, length: number, origin: number): void {
    if (this.#feedback.length > 0 && FEEDBACK_KINDS.has(kind)) {
      // feedback kinds go back upstream to every edge that takes them, never downstream
      for (const fb of this.#feedback) if (fb.kinds.has(kind)) this.#routeTo(fb.producers, key, kind, bytes, offset, length, origin);
      return;
    }
    this.#routeTo(this.#next, key, kind, bytes, offset, length, origin);
  }

  #routeTo(
    outs: readonly RecordWriter[],
    key: number,
    kind: number,
    bytes: Uint8Array,
    offset: number,
    length: number,
    origin: number,
  ): void {
    const n = outs.length;
    if (n === 0) {
      this.emitted++;
      return;
    }
    if (key === BROADCAST) {
      for (let i = 0; i < n; i++) this.#write(outs[i] as RecordWriter, kind, bytes, offset, length, origin);
    } else {
      // Raw frames are keyed by connection id: keep a connection's frames on one partition.
      this.#write(outs[n === 1 ? 0 : partitionOf(key, n)] as RecordWriter, kind, bytes, offset, length, origin);
    }
  }

  #write(p: RecordWriter, kind: number, bytes: Uint8Array, offset: number, length: number, origin: number): void {
    const at = p.reserve(length, kind, origin);
    if (at < 0) {
      this.dropped++;
      return;
    }
    const d = p.data;
    if (length <= 64) for (let i = 0; i < length; i++) d[at + i] = bytes[offset + i] as number;
    else d.set(bytes.subarray(offset, offset + length), at);
    this.emitted++;
  }

  #send(key: number, bytes: Uint8Array, origin: number): void {
    this.#route(this.#enc.kind, key, bytes, 0, bytes.length, origin);
  }

  /** Passes on an input record unchanged; it keeps the origin time of its ring header. */
  forward(reader: RecordReader, data: Uint8Array, offset: number, length: number): void {
    const k = reader.type;
    const origin = this.#src === reader ? this.#srcOrigin : FEEDBACK_KINDS.has(k) || isMark(k) ? AGELESS : Number.NaN;
    this.#route(k, routingKey(reader), data, offset, length, origin);
  }

  rawFrame(f: RawFrameLike): void {
    const origin = originOf(f.recvS, f.recvNs);
    this.#send(f.connId, this.#enc.rawFrame(f.venue, f.connId, f.recvS, f.recvNs, f.frameSeq, f.kind, f.context, f.bytes), origin);
  }
  offerFrame(f: RawFrameLike): boolean {
    const bytes = this.#enc.rawFrame(f.venue, f.connId, f.recvS, f.recvNs, f.frameSeq, f.kind, f.context, f.bytes);
    const outs = this.#next;
    const n = outs.length;
    if (n === 0) {
      this.emitted++;
      return true;
    }
    const p = outs[n === 1 ? 0 : partitionOf(f.connId, n)] as RecordWriter;
    const at = p.tryReserve(bytes.length, this.#enc.kind, originOf(f.recvS, f.recvNs));
    if (at < 0) {
      this.dropped++;
      return false;
    }
    p.data.set(bytes, at);
    this.emitted++;
    return true;
  }
  backlogMs(key: number): number {
    const outs = this.#next;
    const n = outs.length;
    if (n === 0) return 0;
    return (outs[n === 1 ? 0 : partitionOf(key, n)] as RecordWriter).backlogMs(performance.timeOrigin + performance.now());
  }
  consumed(key: number): number {
    const outs = this.#next;
    const n = outs.length;
    if (n === 0) return 0;
    return (outs[n === 1 ? 0 : partitionOf(key, n)] as RecordWriter).consumed;
  }
  bookDelta(d: BookDeltaLike): void {
    if (this.#passThrough(d, d.instrument)) return;
    this.#send(d.instrument, this.#enc.bookDelta(d), originOf(d.recvS, d.recvNs));
  }
  bookSnapshot(s: BookSnapshotLike): void {
    if (this.#passThrough(s, s.instrument)) return;
    this.#send(s.instrument, this.#enc.bookSnapshot(s), originOf(s.recvS, s.recvNs));
  }
  trades(t: TradeBatchLike): void {
    if (this.#passThrough(t, t.instrument)) return;
    this.#send(t.instrument, this.#enc.trades(t), originOf(t.recvS, t.recvNs));
  }
  quotes(q: QuoteBatchLike): void {
    if (this.#passThrough(q, q.instrument)) return;
    this.#send(q.instrument, this.#enc.quotes(q), originOf(q.recvS, q.recvNs));
  }
  bookView(v: BookViewLike): void {
    if (this.#passThrough(v, v.instrument)) return;
    this.#send(v.instrument, this.#enc.bookView(v), originOf(v.recvS, v.recvNs));
  }
  bar(b: BarLike): void {
    if (this.#passThrough(b, b.instrument)) return;
    this.#send(b.instrument, this.#enc.bar(b), originOf(b.endS, b.endNs));
  }
  signal(s: SignalRecord): void {
    this.#send(s.instrument, this.#enc.signal(s), originOf(s.recvS, s.recvNs));
  }
  orderIntent(o: OrderIntentRecord): void {
    this.#send(o.instrument, this.#enc.orderIntent(o), originOf(o.recvS, o.recvNs));
  }
  // Order events, fills, positions and marks never expire: a lost fill is a wrong position, a
  // lost halt a missed kill switch. They carry no age (their rings still time their queueing).
  orderEvent(e: OrderEventRecord): void {
    this.#send(e.instrument, this.#enc.orderEvent(e), AGELESS);
  }
  fill(f: FillRecord): void {
    this.#send(f.instrument, this.#enc.fill(f), AGELESS);
  }
  position(p: PositionRecord): void {
    this.#send(p.instrument, this.#enc.position(p), AGELESS);
  }
  mark(m: Mark): void {
    // instrument marks go to the instrument's partition, the others to every partition
    this.#send(m.type === 'stale' || m.type === 'resync' ? m.instrument : BROADCAST, encodeMark(this.#enc, m), AGELESS);
  }
  flush(): void {
    for (const p of this.#next) p.flush();
    for (const fb of this.#feedback) for (const p of fb.producers) p.flush();
  }
}

/** The last stage's emitter when nothing is downstream: counts, then discards. */
export class SinkEmitter implements ForwardingEmitter {
  emitted = 0;
  readonly dropped = 0;
  forward(): void {
    this.emitted++;
  }
  rawFrame(): void {
    this.emitted++;
  }
  bookDelta(): void {
    this.emitted++;
  }
  bookSnapshot(): void {
    this.emitted++;
  }
  trades(): void {
    this.emitted++;
  }
  quotes(): void {
    this.emitted++;
  }
  bookView(): void {
    this.emitted++;
  }
  bar(): void {
    this.emitted++;
  }
  signal(): void {
    this.emitted++;
  }
  orderIntent(): void {
    this.emitted++;
  }
  orderEvent(): void {
    this.emitted++;
  }
  fill(): void {
    this.emitted++;
  }
  position(): void {
    this.emitted++;
  }
  mark(): void {
    this.emitted++;
  }
  flush(): void {}
}

/** Chains a core to the next one in the same worker: a direct call, no encoding, no ring. */
export class FusedEmitter implements ForwardingEmitter {
  readonly #core: StageCore;
  readonly #out: ForwardingEmitter;
  readonly #count: { processed: number };
  readonly #timer: ServiceTimer | null;
  readonly #stage: number;
  emitted = 0;

  /**
   * `core` is the next stage in this worker, `out` its emitter, `count` its processed counter;
   * `timer` (optional) records the next core's service time under stage index `stage`.
   */
  constructor(core: StageCore, out: ForwardingEmitter, count: { processed: number }, timer: ServiceTimer | null = null, stage = 0) {
    this.#core = core;
    this.#out = out;
    this.#count = count;
    this.#timer = timer;
    this.#stage = stage;
  }

  get dropped(): number {
    return 0;
  }

  #run<T>(h: (r: T, e: Emitter) => void, r: T): void {
    const tm = this.#timer;
    if (tm === null) {
      h.call(this.#core, r, this.#out);
      return;
    }
    const saved = tm.begin();
    const t0 = performance.now();
    h.call(this.#core, r, this.#out);
    tm.end(this.#stage, t0, saved);
  }

  forward(reader: RecordReader, data: Uint8Array, offset: number, length: number): void {
    this.emitted++;
    this.#count.processed++;
    const tm = this.#timer;
    if (tm === null) {
      deliverRecord(this.#core, reader, data, offset, length, this.#out);
      return;
    }
    const saved = tm.begin();
    const t0 = performance.now();
    deliverRecord(this.#core, reader, data, offset, length, this.#out);
    tm.end(this.#stage, t0, saved);
  }

  rawFrame(f: RawFrameLike): void {
    this.emitted++;
    this.#count.processed++;
    const h = this.#core.onRawFrame;
    if (h) this.#run(h, f);
    else this.#out.rawFrame(f);
  }
  bookDelta(d: BookDeltaLike): void {
    this.emitted++;
    this.#count.processed++;
    const h = this.#core.onBookDelta;
    if (h) this.#run(h, d);
    else this.#out.bookDelta(d);
  }
  bookSnapshot(s: BookSnapshotLike): void {
    this.emitted++;
    this.#count.processed++;
    const h = this.#core.onBookSnapshot;
    if (h) this.#run(h, s);
    else this.#out.bookSnapshot(s);
  }
  trades(t: TradeBatchLike): void {
    this.emitted++;
    this.#count.processed++;
    const h = this.#core.onTrades;
    if (h) this.#run(h, t);
    else this.#out.trades(t);
  }
  quotes(q: QuoteBatchLike): void {
    this.emitted++;
    this.#count.processed++;
    const h = this.#core.onQuotes;
    if (h) this.#run(h, q);
    else this.#out.quotes(q);
  }
  bookView(v: BookViewLike): void {
    this.emitted++;
    this.#count.processed++;
    const h = this.#core.onBookView;
    if (h) this.#run(h, v);
    else this.#out.bookView(v);
  }
  bar(b: BarLike): void {
    this.emitted++;
    this.#count.processed++;
    const h = this.#core.onBar;
    if (h) this.#run(h, b);
    else this.#out.bar(b);
  }
  signal(s: SignalRecord): void {
    this.emitted++;
    this.#count.processed++;
    const h = this.#core.onSignal;
    if (h) this.#run(h, s);
    else this.#out.signal(s);
  }
  orderIntent(o: OrderIntentRecord): void {
    this.emitted++;
    this.#count.processed++;
    const h = this.#core.onOrderIntent;
    if (h) this.#run(h, o);
    else this.#out.orderIntent(o);
  }
  orderEvent(e: OrderEventRecord): void {
    this.emitted++;
    this.#count.processed++;
    const h = this.#core.onOrderEvent;
    if (h) this.#run(h, e);
    else this.#out.orderEvent(e);
  }
  fill(f: FillRecord): void {
    this.emitted++;
    this.#count.processed++;
    const h = this.#core.onFill;
    if (h) this.#run(h, f);
    else this.#out.fill(f);
  }
  position(p: PositionRecord): void {
    this.emitted++;
    this.#count.processed++;
    const h = this.#core.onPosition;
    if (h) this.#run(h, p);
    else this.#out.position(p);
  }
  mark(m: Mark): void {
    this.emitted++;
    this.#count.processed++;
    const h = this.#core.onMark;
    if (h) this.#run(h, m);
    else this.#out.mark(m);
  }
  /**
   * Ends the batch for the next core (what it held back is emitted, timed as its batch work),
   * then publishes downstream.
   */
  flush(): void {
    const end = this.#core.endBatch;
    if (end) {
      const tm = this.#timer;
      if (tm === null) end.call(this.#core, this.#out);
      else {
        const saved = tm.begin();
        const t0 = performance.now();
        end.call(this.#core, this.#out);
        tm.endBatchWork(this.#stage, t0, saved);
      }
    }
    this.#out.flush();
  }
}

/**
 * Feedback inside one worker (execution fused with risk): order events, fills and positions are
 * queued and handed to the target core after the current input record, never re-entrantly, so
 * every core sees the same call order as with a ring between them. Everything else goes on to
 * `inner`.
 */
export interface LocalFeedbackTarget {
  readonly core: StageCore;
  /** The target core's emitter (looked up at delivery: the chain is built after this wrapper). */
  readonly emit: () => Emitter;
  readonly count: { processed: number };
  /** Body kinds this target takes (order events, fills, positions). */
  readonly kinds: ReadonlySet<number>;
}

/**
 * An emitter that hands everything to `inner`: the base of emitters that watch or divert some
 * kinds on their way (override those) and pass the rest on unchanged.
 */
export class DelegatingEmitter implements ForwardingEmitter {
  protected readonly inner: ForwardingEmitter;

  constructor(inner: ForwardingEmitter) {
    this.inner = inner;
  }

  get emitted(): number {
    return this.inner.emitted;
  }
  get dropped(): number {
    return this.inner.dropped;
  }
  forward(reader: RecordReader, data: Uint8Array, offset: number, length: number): void {
    this.inner.forward(reader, data, offset, length);
  }
  rawFrame(f: RawFrameLike): void {
    this.inner.rawFrame(f);
  }
  bookDelta(d: BookDeltaLike): void {
    this.inner.bookDelta(d);
  }
  bookSnapshot(s: BookSnapshotLike): void {
    this.inner.bookSnapshot(s);
  }
  trades(t: TradeBatchLike): void {
    this.inner.trades(t);
  }
  quotes(q: QuoteBatchLike): void {
    this.inner.quotes(q);
  }
  bookView(v: BookViewLike): void {
    this.inner.bookView(v);
  }
  bar(b: BarLike): void {
    this.inner.bar(b);
  }
  signal(s: SignalRecord): void {
    this.inner.signal(s);
  }
  orderIntent(o: OrderIntentRecord): void {
    this.inner.orderIntent(o);
  }
  orderEvent(e: OrderEventRecord): void {
    this.inner.orderEvent(e);
  }
  fill(f: FillRecord): void {
    this.inner.fill(f);
  }
  position(p: PositionRecord): void {
    this.inner.position(p);
  }
  mark(m: Mark): void {
    this.inner.mark(m);
  }
  flush(): void {
    this.inner.flush();
  }
}

export class LocalFeedbackEmitter extends DelegatingEmitter {
  readonly #targets: readonly LocalFeedbackTarget[];
  readonly #queue: (() => void)[] = [];
  #emitted = 0;

  /** `inner` also gets every feedback record, for edges to targets in other workers. */
  constructor(inner: ForwardingEmitter, targets: readonly LocalFeedbackTarget[]) {
    super(inner);
    this.#targets = targets;
  }

  override get emitted(): number {
    return this.#emitted;
  }

  /** Runs queued feedback deliveries (which may queue more); returns how many ran. */
  drain(): number {
    let n = 0;
    for (let job = this.#queue.shift(); job !== undefined; job = this.#queue.shift()) {
      job();
      n++;
    }
    return n;
  }

  #queueFor<T>(handler: 'onOrderEvent' | 'onFill' | 'onPosition', kind: number, record: T): void {
    this.#emitted++;
    for (const t of this.#targets) {
      if (!t.kinds.has(kind)) continue;
      const h = t.core[handler] as ((r: T, e: Emitter) => void) | undefined;
      if (!h) continue;
      this.#queue.push(() => {
        t.count.processed++;
        h.call(t.core, record, t.emit());
      });
    }
  }

  override orderEvent(e: OrderEventRecord): void {
    this.#queueFor('onOrderEvent', Body.OrderEvent, e);
    this.inner.orderEvent(e);
  }
  override fill(f: FillRecord): void {
    this.#queueFor('onFill', Body.Fill, f);
    this.inner.fill(f);
  }
  override position(p: PositionRecord): void {
    this.#queueFor('onPosition', Body.Position, p);
    this.inner.position(p);
  }
  /** Delivers queued feedback (events raised by I/O, outside any input record), then publishes. */
  override flush(): void {
    this.drain();
    this.inner.flush();
  }
}

/** A mark as the record the rings carry (the bytes are the encoder's, valid until its next call). */
export function encodeMark(e: Encoder, m: Mark): Uint8Array {
  switch (m.type) {
    case 'feed':
      return e.feedState(m.venue, m.connId, m.up, m.reason, m.tsS, m.tsNs);
    case 'stale':
      return e.staleMark(m.instrument, m.venue, m.ageMs);
    case 'halt':
      return e.haltMark(m.state, m.reason, m.tsS, m.tsNs);
    case 'resync':
      return e.resyncRequest(m.instrument, m.venue, m.reason);
    case 'drop':
      return e.dropMark(m.count, m.reason, m.edge);
  }
}

/** Delivers an open ring record to a core's handler, or forwards it if the core has none. */
export function deliverRecord(
  core: StageCore,
  reader: RecordReader,
  data: Uint8Array,
  offset: number,
  length: number,
  emit: ForwardingEmitter,
): void {
  switch (reader.type) {
    case Body.BookDeltaBatch:
      if (core.onBookDelta) return core.onBookDelta(reader.delta, emit);
      break;
    case Body.BookSnapshot:
      if (core.onBookSnapshot) return core.onBookSnapshot(reader.snapshot, emit);
      break;
    case Body.TradeBatch:
      if (core.onTrades) return core.onTrades(reader.trades, emit);
      break;
    case Body.QuoteBatch:
      if (core.onQuotes) return core.onQuotes(reader.quotes, emit);
      break;
    case Body.BookView:
      if (core.onBookView) return core.onBookView(reader.view, emit);
      break;
    case Body.Bar:
      if (core.onBar) return core.onBar(reader.bar, emit);
      break;
    case Body.RawFrame:
      if (core.onRawFrame) return core.onRawFrame(rawFrameOf(reader), emit);
      break;
    default:
      if (deliverDecoded(core, reader, emit)) return;
  }
  emit.forward(reader, data, offset, length);
}

const rawScratch = rawFrameScratch();

function rawFrameOf(reader: RecordReader): RawFrameLike {
  const r = reader.raw;
  rawScratch.venue = r.venue();
  rawScratch.connId = r.connId();
  rawScratch.recvS = r.recvS();
  rawScratch.recvNs = r.recvNs();
  rawScratch.frameSeq = r.frameSeq();
  rawScratch.kind = r.kind();
  rawScratch.context = r.context();
  rawScratch.bytes = reader.rawBytes();
  return rawScratch;
}

/** Low-rate records: decoded into plain objects for the core. Returns false if the core has no handler. */
function deliverDecoded(core: StageCore, reader: RecordReader, emit: Emitter): boolean {
  switch (reader.type) {
    case Body.Signal: {
      if (!core.onSignal) return false;
      const s = reader.signal;
      core.onSignal(
        {
          instrument: s.instrument(),
          strategy: s.strategy() ?? '',
          side: s.side(),
          strength: s.strength(),
          reason: s.reason() ?? '',
          inputs: readInputs(s.inputsLength(), (i) => s.inputs(i)),
          recvS: s.recvS(),
          recvNs: s.recvNs(),
        },
        emit,
      );
      return true;
    }
    case Body.OrderIntent: {
      if (!core.onOrderIntent) return false;
      const o = reader.intent;
      core.onOrderIntent(
        {
          intentId: o.intentId(),
          instrument: o.instrument(),
          venue: o.venue(),
          strategy: o.strategy() ?? '',
          side: o.side(),
          type: o.type(),
          tif: o.tif(),
          price: o.price(),
          size: o.size(),
          priceScale: o.priceScale(),
          sizeScale: o.sizeScale(),
          reduceOnly: o.reduceOnly(),
          reason: o.reason() ?? '',
          inputs: readInputs(o.inputsLength(), (i) => o.inputs(i)),
          createdS: o.createdS(),
          createdNs: o.createdNs(),
          recvS: o.recvS(),
          recvNs: o.recvNs(),
        },
        emit,
      );
      return true;
    }
    case Body.OrderEvent: {
      if (!core.onOrderEvent) return false;
      const e = reader.orderEvent;
      core.onOrderEvent(
        {
          clientOrderId: e.clientOrderId() ?? '',
          venueOrderId: e.venueOrderId() ?? '',
          instrument: e.instrument(),
          status: e.status(),
          side: e.side(),
          price: e.price(),
          size: e.size(),
          filled: e.filled(),
          priceScale: e.priceScale(),
          sizeScale: e.sizeScale(),
          reason: e.reason() ?? '',
          venueSeq: e.venueSeq(),
          tsS: e.tsS(),
          tsNs: e.tsNs(),
        },
        emit,
      );
      return true;
    }
    case Body.Fill: {
      if (!core.onFill) return false;
      const f = reader.fill;
      core.onFill(
        {
          clientOrderId: f.clientOrderId() ?? '',
          venueOrderId: f.venueOrderId() ?? '',
          fillId: f.fillId() ?? '',
          instrument: f.instrument(),
          side: f.side(),
          price: f.price(),
          size: f.size(),
          priceScale: f.priceScale(),
          sizeScale: f.sizeScale(),
          fee: f.fee(),
          feeScale: f.feeScale(),
          liquidityMaker: f.liquidityMaker(),
          venueSeq: f.venueSeq(),
          tsS: f.tsS(),
          tsNs: f.tsNs(),
        },
        emit,
      );
      return true;
    }
    case Body.Position: {
      if (!core.onPosition) return false;
      const p = reader.position;
      core.onPosition(
        {
          instrument: p.instrument(),
          sizeScale: p.sizeScale(),
          priceScale: p.priceScale(),
          quantity: p.quantity(),
          avgPrice: p.avgPrice(),
          realizedPnl: p.realizedPnl(),
          unrealizedPnl: p.unrealizedPnl(),
          fees: p.fees(),
          moneyScale: p.moneyScale(),
          tsS: p.tsS(),
          tsNs: p.tsNs(),
        },
        emit,
      );
      return true;
    }
    default: {
      if (!core.onMark) return false;
      const m = markOf(reader);
      if (m === null) return false;
      core.onMark(m, emit);
      return true;
    }
  }
}

function readInputs(n: number, at: (i: number) => { name(): string | null; value(): number } | null) {
  const out: { name: string; value: number }[] = [];
  for (let i = 0; i < n; i++) {
    const x = at(i);
    if (x) out.push({ name: x.name() ?? '', value: x.value() });
  }
  return out;
}

/** Decodes a mark record into its plain form, or null if the open record is not a mark. */
export function markOf(reader: RecordReader): Mark | null {
  switch (reader.type) {
    case Body.FeedState: {
      const f = reader.feedState;
      return { type: 'feed', venue: f.venue(), connId: f.connId(), up: f.up(), reason: f.reason() ?? '', tsS: f.tsS(), tsNs: f.tsNs() };
    }
    case Body.StaleMark: {
      const s = reader.staleMark;
      return { type: 'stale', instrument: s.instrument(), venue: s.venue(), ageMs: s.ageMs() };
    }
    case Body.HaltMark: {
      const h = reader.haltMark;
      return { type: 'halt', state: h.state(), reason: h.reason() ?? '', tsS: h.tsS(), tsNs: h.tsNs() };
    }
    case Body.ResyncRequest: {
      const r = reader.resync;
      return { type: 'resync', instrument: r.instrument(), venue: r.venue(), reason: r.reason() ?? '' };
    }
    case Body.DropMark: {
      const d = reader.dropMark;
      return { type: 'drop', count: d.count(), reason: d.reason(), edge: d.edge() ?? '' };
    }
    default:
      return null;
  }
}
