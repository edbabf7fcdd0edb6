/**
 * Normalized records of a recording, in memory, in the wire format the rings carry (FlatBuffer
 * records): what normalize emitted for each frame, with the frame's local receive time. The
 * event-time engine replays them twice (the venue's view and the pipeline's, see engine.ts), so a
 * file is parsed once per backtest, not once per consumer.
 *
 * Records live in 16 MiB chunks; per record the store keeps its chunk, offset, length and time in
 * typed arrays (about 20 bytes of index per record on top of its bytes).
 */

import { type Emitter, encodeMark, type Mark, type RawFrameLike } from '@tickline/runtime';
import { type BookDeltaLike, type BookSnapshotLike, Encoder, type QuoteBatchLike, type TradeBatchLike } from '@tickline/wire';

const CHUNK = 16 * 1024 * 1024;

/** What a stored record is, for consumers that skip records without opening them. */
export const RecordKind = { Other: 0, Snapshot: 1, Delta: 2, Trades: 3, Quotes: 4 } as const;
export type RecordKind = (typeof RecordKind)[keyof typeof RecordKind];

export interface EventCounts {
  /** Levels in snapshots (each level of a snapshot counts as one event). */
  snapshotLevels: number;
  deltaLevels: number;
  trades: number;
  /** Top-of-book quotes (one per quote). */
  quotes: number;
}

export function eventTotal(c: EventCounts): number {
  return c.snapshotLevels + c.deltaLevels + c.trades + c.quotes;
}

export class RecordStore {
  readonly #chunks: Uint8Array[] = [];
  #cur: Uint8Array = new Uint8Array(0);
  #pos = 0;
  #chunkOf = new Uint32Array(1024);
  #offset = new Uint32Array(1024);
  #length = new Uint32Array(1024);
  #time = new Float64Array(1024);
  #instrument = new Int32Array(1024);
  #kind = new Uint8Array(1024);
  count = 0;
  bytes = 0;
  readonly events: EventCounts = { snapshotLevels: 0, deltaLevels: 0, trades: 0, quotes: 0 };

  #grow(): void {
    const n = this.#time.length * 2;
    const g32 = (a: Uint32Array) => {
      const b = new Uint32Array(n);
      b.set(a);
      return b;
    };
    this.#chunkOf = g32(this.#chunkOf);
    this.#offset = g32(this.#offset);
    this.#length = g32(this.#length);
    const t = new Float64Array(n);
    t.set(this.#time);
    this.#time = t;
    const ins = new Int32Array(n);
    ins.set(this.#instrument);
    this.#instrument = ins;
    const k = new Uint8Array(n);
    k.set(this.#kind);
    this.#kind = k;
  }

  /**
   * Appends a copy of `bytes` with local receive time `timeMs`, the instrument it is about (-1:
   * none, a mark) and its market kind (RecordKind).
   */
  append(bytes: Uint8Array, timeMs: number, instrument = -1, kind: RecordKind = RecordKind.Other): void {
    const len = bytes.length;
    // records start 8-aligned, as in a ring, so the readers' float64 fast path applies
    this.#pos = (this.#pos + 7) & ~7;
    if (this.#pos + len > this.#cur.length) {
      this.#cur = new Uint8Array(Math.max(CHUNK, len));
      this.#chunks.push(this.#cur);
      this.#pos = 0;
    }
    if (this.count === this.#time.length) this.#grow();
    const i = this.count++;
    this.#cur.set(bytes, this.#pos);
    this.#chunkOf[i] = this.#chunks.length - 1;
    this.#offset[i] = this.#pos;
    this.#length[i] = len;
    this.#time[i] = timeMs;
    this.#instrument[i] = instrument;
    this.#kind[i] = kind;
    this.#pos += len;
    this.bytes += len;
  }

  instrumentOf(i: number): number {
    return this.#instrument[i] as number;
  }
  kindOf(i: number): RecordKind {
    return this.#kind[i] as RecordKind;
  }
  time(i: number): number {
    return this.#time[i] as number;
  }
  /** Index of the chunk holding record i. */
  chunkOf(i: number): number {
    return this.#chunkOf[i] as number;
  }
  chunk(k: number): Uint8Array {
    return this.#chunks[k] as Uint8Array;
  }
  get chunks(): number {
    return this.#chunks.length;
  }
  offset(i: number): number {
    return this.#offset[i] as number;
  }
  length(i: number): number {
    return this.#length[i] as number;
  }
}

/**
 * Where the prepare pass's normalize core emits: every record encoded as the ring would carry it
 * and appended to the store with the time of the frame being normalized (`at`).
 */
export class StoreEmitter implements Emitter {
  readonly #enc = new Encoder();
  at = 0;
  constructor(readonly store: RecordStore) {}
  rawFrame(_f: RawFrameLike): void {
    throw new Error('the prepare pass stores normalized records, not raw frames');
  }
  bookDelta(d: BookDeltaLike): void {
    this.store.events.deltaLevels += d.bids.length + d.asks.length;
    this.store.append(this.#enc.bookDelta(d), this.at, d.instrument, RecordKind.Delta);
  }
  bookSnapshot(s: BookSnapshotLike): void {
    this.store.events.snapshotLevels += s.bids.length + s.asks.length;
    this.store.append(this.#enc.bookSnapshot(s), this.at, s.instrument, RecordKind.Snapshot);
  }
  trades(t: TradeBatchLike): void {
    this.store.events.trades += t.length;
    this.store.append(this.#enc.trades(t), this.at, t.instrument, RecordKind.Trades);
  }
  quotes(q: QuoteBatchLike): void {
    this.store.events.quotes += q.length;
    this.store.append(this.#enc.quotes(q), this.at, q.instrument, RecordKind.Quotes);
  }
  mark(m: Mark): void {
    this.store.append(encodeMark(this.#enc, m), this.at);
  }
  flush(): void {}
  // normalize emits nothing else
  bookView(): void {}
  bar(): void {}
  signal(): void {}
  orderIntent(): void {}
  orderEvent(): void {}
  fill(): void {}
  position(): void {}
}
