/**
 * The shared market view: one row per instrument in a SharedArrayBuffer, written by the book
 * worker that owns the instrument and read by anyone (dashboard, risk, the supervisor) without a
 * message. Each row is guarded by a seqlock: the writer makes the row's sequence odd, writes,
 * then makes it even; a reader retries while the sequence is odd or changed under it. One writer
 * per row (the owning partition), any number of readers, no locks.
 */

export const VIEW_FIELDS = [
  'state', // BookState: 0 syncing, 1 live, 2 reseeding
  'bid', // decimal values (not mantissas)
  'bidSize',
  'ask',
  'askSize',
  'mid',
  'spread',
  'imbalance',
  'last', // last trade price
  'volume', // traded size since start
  'trades', // trade count since start
  'updates', // book updates since start
  'updatedMs', // epoch ms of the last update
] as const;
export type ViewField = (typeof VIEW_FIELDS)[number];

const F = Object.fromEntries(VIEW_FIELDS.map((f, i) => [f, i])) as Record<ViewField, number>;
const STRIDE = 16; // doubles per row (13 used), a multiple of 8 so rows sit on cache-line pairs

export interface MarketViewRow {
  instrument: number;
  state: number;
  bid: number;
  bidSize: number;
  ask: number;
  askSize: number;
  mid: number;
  spread: number;
  imbalance: number;
  last: number;
  volume: number;
  trades: number;
  updates: number;
  updatedMs: number;
}

export class MarketViewTable {
  readonly buffer: SharedArrayBuffer;
  readonly seq: SharedArrayBuffer;
  readonly capacity: number;
  readonly #f64: Float64Array;
  readonly #seq: Int32Array;

  /** `capacity`: highest instrument id + 1. Pass `buffers` to attach to an existing table. */
  constructor(capacity: number, buffers?: { buffer: SharedArrayBuffer; seq: SharedArrayBuffer }) {
    if (!Number.isInteger(capacity) || capacity < 1 || capacity > 4_000_000)
      throw new RangeError(`capacity must be an integer from 1 to 4000000, got ${capacity}`);
    this.capacity = capacity;
    this.buffer = buffers?.buffer ?? new SharedArrayBuffer(capacity * STRIDE * 8);
    this.seq = buffers?.seq ?? new SharedArrayBuffer(capacity * 4);
    if (this.buffer.byteLength < capacity * STRIDE * 8 || this.seq.byteLength < capacity * 4)
      throw new RangeError('buffers are smaller than the capacity needs');
    this.#f64 = new Float64Array(this.buffer);
    this.#seq = new Int32Array(this.seq);
  }

  /** Structured-cloneable handle for workers. */
  get handle(): { capacity: number; buffer: SharedArrayBuffer; seq: SharedArrayBuffer } {
    return { capacity: this.capacity, buffer: this.buffer, seq: this.seq };
  }

  static attach(h: { capacity: number; buffer: SharedArrayBuffer; seq: SharedArrayBuffer }): MarketViewTable {
    return new MarketViewTable(h.capacity, h);
  }

  /** Writer side: updates the book fields of one instrument's row. */
  writeBook(
    id: number,
    state: number,
    bid: number,
    bidSize: number,
    ask: number,
    askSize: number,
    mid: number,
    spread: number,
    imbalance: number,
    nowMs: number,
  ): void {
    if (id >= this.capacity) return;
    const s = this.#seq;
    const o = id * STRIDE;
    const f = this.#f64;
    Atomics.add(s, id, 1); // odd: write in progress
    f[o + F.state] = state;
    f[o + F.bid] = bid;
    f[o + F.bidSize] = bidSize;
    f[o + F.ask] = ask;
    f[o + F.askSize] = askSize;
    f[o + F.mid] = mid;
    f[o + F.spread] = spread;
    f[o + F.imbalance] = imbalance;
    f[o + F.updates] = (f[o + F.updates] as number) + 1;
    f[o + F.updatedMs] = nowMs;
    Atomics.add(s, id, 1); // even: consistent
  }

  /** Writer side: records trades of one instrument. */
  writeTrades(id: number, last: number, volume: number, count: number, nowMs: number): void {
    if (id >= this.capacity) return;
    const s = this.#seq;
    const o = id * STRIDE;
    const f = this.#f64;
    Atomics.add(s, id, 1);
    f[o + F.last] = last;
    f[o + F.volume] = (f[o + F.volume] as number) + volume;
    f[o + F.trades] = (f[o + F.trades] as number) + count;
    f[o + F.updatedMs] = nowMs;
    Atomics.add(s, id, 1);
  }

  /** Reader side: a consistent copy of one row, or null if the row was never written. */
  read(id: number, out?: MarketViewRow): MarketViewRow | null {
    if (id >= this.capacity) return null;
    const s = this.#seq;
    const o = id * STRIDE;
    const f = this.#f64;
    const row = out ?? ({ instrument: id } as MarketViewRow);
    for (let attempt = 0; attempt < 1000; attempt++) {
      const before = Atomics.load(s, id);
      if (before === 0) return null;
      if ((before & 1) === 1) continue;
      row.instrument = id;
      for (let k = 0; k < VIEW_FIELDS.length; k++) row[VIEW_FIELDS[k] as ViewField] = f[o + k] as number;
      if (Atomics.load(s, id) === before) return row;
    }
    return null;
  }
}
