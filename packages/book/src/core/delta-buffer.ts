import type { BookDeltaLike, LevelsLike } from '@tickline/wire';

/** Per-delta fields kept while buffering (one row of `#meta`). */
const F_FIRST = 0;
const F_LAST = 1;
const F_PREV = 2;
const F_CHECKSUM = 3;
const F_RECV_S = 4;
const F_RECV_NS = 5;
const F_EXCH_S = 6;
const F_EXCH_NS = 7;
const F_PSCALE = 8;
const F_SSCALE = 9;
const F_START = 10; // absolute level index of the first bid
const F_NBIDS = 11;
const F_NASKS = 12;
const FIELDS = 13;

/** A window of levels inside the buffer's level ring. */
class RingLevels implements LevelsLike {
  length = 0;
  start = 0;
  #owner: DeltaBuffer;
  constructor(owner: DeltaBuffer) {
    this.#owner = owner;
  }
  price(i: number): number {
    return this.#owner.levelPrice(this.start + i);
  }
  size(i: number): number {
    return this.#owner.levelSize(this.start + i);
  }
}

/** A buffered delta presented as a BookDeltaLike (one reused cursor per buffer). */
export class BufferedDelta implements BookDeltaLike {
  instrument = 0;
  venue = 0;
  priceScale = 0;
  sizeScale = 0;
  recvS = 0;
  recvNs = 0;
  exchS = 0;
  exchNs = 0;
  firstSeq = Number.NaN;
  lastSeq = Number.NaN;
  prevSeq = Number.NaN;
  checksum = Number.NaN;
  readonly bids: RingLevels;
  readonly asks: RingLevels;
  constructor(owner: DeltaBuffer) {
    this.bids = new RingLevels(owner);
    this.asks = new RingLevels(owner);
  }
}

/**
 * A bounded FIFO of copied deltas (a ring record's memory is reused once the consumer moves
 * on, so a delta kept for later must be copied). Deltas and their levels live in two rings of
 * doubles that start small and double up to the limits; no objects per delta.
 */
export class DeltaBuffer {
  readonly maxDeltas: number;
  readonly maxLevels: number;
  #meta: Float64Array;
  #levels: Float64Array; // price, size interleaved
  #head = 0; // index of the oldest delta (absolute, grows forever; slots are mod capacity)
  #count = 0;
  #levelHead = 0; // absolute index of the oldest stored level
  #levelCount = 0;
  readonly #cursor: BufferedDelta;

  constructor(maxDeltas: number, maxLevels: number) {
    this.maxDeltas = maxDeltas;
    this.maxLevels = maxLevels;
    this.#meta = new Float64Array(Math.min(maxDeltas, 16) * FIELDS);
    this.#levels = new Float64Array(Math.min(maxLevels, 256) * 2);
    this.#cursor = new BufferedDelta(this);
  }

  get length(): number {
    return this.#count;
  }

  get levelCount(): number {
    return this.#levelCount;
  }

  clear(): void {
    this.#head = 0;
    this.#count = 0;
    this.#levelHead = 0;
    this.#levelCount = 0;
  }

  /**
   * Copies a delta in. Returns the number of oldest deltas evicted to make room (0 normally).
   * A delta with more levels than maxLevels on its own is refused (returns -1).
   */
  push(d: BookDeltaLike): number {
    const nb = d.bids.length;
    const na = d.asks.length;
    const nl = nb + na;
    if (nl > this.maxLevels) return -1;
    let evicted = 0;
    while (this.#count >= this.maxDeltas || this.#levelCount + nl > this.maxLevels) {
      this.dropOldest();
      evicted++;
    }
    this.#reserve(this.#count + 1, this.#levelCount + nl);
    const metaCap = this.#meta.length / FIELDS;
    const o = ((this.#head + this.#count) % metaCap) * FIELDS;
    const m = this.#meta;
    const start = this.#levelHead + this.#levelCount;
    m[o + F_FIRST] = d.firstSeq;
    m[o + F_LAST] = d.lastSeq;
    m[o + F_PREV] = d.prevSeq;
    m[o + F_CHECKSUM] = d.checksum;
    m[o + F_RECV_S] = d.recvS;
    m[o + F_RECV_NS] = d.recvNs;
    m[o + F_EXCH_S] = d.exchS;
    m[o + F_EXCH_NS] = d.exchNs;
    m[o + F_PSCALE] = d.priceScale;
    m[o + F_SSCALE] = d.sizeScale;
    m[o + F_START] = start;
    m[o + F_NBIDS] = nb;
    m[o + F_NASKS] = na;
    const lv = this.#levels;
    const cap = lv.length / 2;
    let w = start;
    for (let i = 0; i < nb; i++, w++) {
      const p = (w % cap) * 2;
      lv[p] = d.bids.price(i);
      lv[p + 1] = d.bids.size(i);
    }
    for (let i = 0; i < na; i++, w++) {
      const p = (w % cap) * 2;
      lv[p] = d.asks.price(i);
      lv[p + 1] = d.asks.size(i);
    }
    this.#count++;
    this.#levelCount += nl;
    return evicted;
  }

  dropOldest(): void {
    if (this.#count === 0) return;
    const o = (this.#head % (this.#meta.length / FIELDS)) * FIELDS;
    const nl = (this.#meta[o + F_NBIDS] as number) + (this.#meta[o + F_NASKS] as number);
    this.#head++;
    this.#count--;
    this.#levelHead += nl;
    this.#levelCount -= nl;
  }

  /** The i-th oldest delta through a reused cursor (valid until the next call). */
  at(i: number, instrument: number, venue: number): BufferedDelta {
    const m = this.#meta;
    const o = ((this.#head + i) % (m.length / FIELDS)) * FIELDS;
    const c = this.#cursor;
    c.instrument = instrument;
    c.venue = venue;
    c.firstSeq = m[o + F_FIRST] as number;
    c.lastSeq = m[o + F_LAST] as number;
    c.prevSeq = m[o + F_PREV] as number;
    c.checksum = m[o + F_CHECKSUM] as number;
    c.recvS = m[o + F_RECV_S] as number;
    c.recvNs = m[o + F_RECV_NS] as number;
    c.exchS = m[o + F_EXCH_S] as number;
    c.exchNs = m[o + F_EXCH_NS] as number;
    c.priceScale = m[o + F_PSCALE] as number;
    c.sizeScale = m[o + F_SSCALE] as number;
    const start = m[o + F_START] as number;
    const nb = m[o + F_NBIDS] as number;
    c.bids.start = start;
    c.bids.length = nb;
    c.asks.start = start + nb;
    c.asks.length = m[o + F_NASKS] as number;
    return c;
  }

  levelPrice(abs: number): number {
    return this.#levels[(abs % (this.#levels.length / 2)) * 2] as number;
  }

  levelSize(abs: number): number {
    return this.#levels[(abs % (this.#levels.length / 2)) * 2 + 1] as number;
  }

  /** Grows the rings (doubling, capped at the limits), re-laying entries out from 0. */
  #reserve(deltas: number, levels: number): void {
    const metaCap = this.#meta.length / FIELDS;
    const levelCap = this.#levels.length / 2;
    if (deltas <= metaCap && levels <= levelCap) return;
    let mc = metaCap;
    while (mc < deltas) mc = Math.min(mc * 2, this.maxDeltas);
    let lc = levelCap;
    while (lc < levels) lc = Math.min(lc * 2, this.maxLevels);
    const meta = new Float64Array(mc * FIELDS);
    const lv = new Float64Array(lc * 2);
    for (let i = 0; i < this.#count; i++) {
      const from = ((this.#head + i) % metaCap) * FIELDS;
      meta.set(this.#meta.subarray(from, from + FIELDS), i * FIELDS);
      meta[i * FIELDS + F_START] = (this.#meta[from + F_START] as number) - this.#levelHead;
    }
    for (let i = 0; i < this.#levelCount; i++) {
      const from = ((this.#levelHead + i) % levelCap) * 2;
      lv[i * 2] = this.#levels[from] as number;
      lv[i * 2 + 1] = this.#levels[from + 1] as number;
    }
    this.#meta = meta;
    this.#levels = lv;
    this.#head = 0;
    this.#levelHead = 0;
  }
}
