/**
 * Canonical market-data shapes shared by venue parsers (normalize), the book and the codec.
 *
 * The `*Like` interfaces are read-only views. Two things implement them: the reusable drafts
 * below (what a parser fills before the codec encodes it) and the in-place FlatBuffer readers of
 * `reader.ts` (what a consumer gets from a ring, with no copy). Cores are written against the
 * interfaces, so a core runs the same on a decoded ring record and on a parser's draft.
 *
 * Prices and sizes are mantissas at the record's scales (see decimal.ts). Times are split into
 * seconds and nanoseconds (see schema/tickline.fbs). Absent sequence fields and checksums are NaN.
 */

export enum SideCode {
  Buy = 0,
  Sell = 1,
  None = 2,
}

export interface LevelsLike {
  readonly length: number;
  price(i: number): number;
  size(i: number): number;
}

export interface MarketHeader {
  readonly instrument: number;
  readonly venue: number;
  readonly priceScale: number;
  readonly sizeScale: number;
  readonly recvS: number;
  readonly recvNs: number;
}

export interface BookDeltaLike extends MarketHeader {
  readonly exchS: number;
  readonly exchNs: number;
  readonly firstSeq: number;
  readonly lastSeq: number;
  readonly prevSeq: number;
  readonly checksum: number;
  readonly bids: LevelsLike;
  readonly asks: LevelsLike;
}

export interface BookSnapshotLike extends MarketHeader {
  readonly exchS: number;
  readonly exchNs: number;
  readonly seq: number;
  readonly checksum: number;
  /** Best first. */
  readonly bids: LevelsLike;
  /** Best first. */
  readonly asks: LevelsLike;
}

export interface TradeBatchLike extends MarketHeader {
  readonly length: number;
  price(i: number): number;
  size(i: number): number;
  side(i: number): SideCode;
  tradeId(i: number): number;
  exchS(i: number): number;
  exchNs(i: number): number;
}

export interface QuoteBatchLike extends MarketHeader {
  readonly length: number;
  bidPrice(i: number): number;
  bidSize(i: number): number;
  askPrice(i: number): number;
  askSize(i: number): number;
  seq(i: number): number;
  exchS(i: number): number;
  exchNs(i: number): number;
}

/** A growable pair of parallel price/size columns, reused across messages (no per-level objects). */
export class LevelBuffer implements LevelsLike {
  prices: Float64Array;
  sizes: Float64Array;
  length = 0;

  constructor(capacity = 64) {
    this.prices = new Float64Array(capacity);
    this.sizes = new Float64Array(capacity);
  }

  clear(): void {
    this.length = 0;
  }

  push(price: number, size: number): void {
    if (this.length === this.prices.length) this.#grow();
    this.prices[this.length] = price;
    this.sizes[this.length] = size;
    this.length++;
  }

  price(i: number): number {
    return this.prices[i] as number;
  }

  size(i: number): number {
    return this.sizes[i] as number;
  }

  #grow(): void {
    const cap = this.prices.length * 2;
    const p = new Float64Array(cap);
    const s = new Float64Array(cap);
    p.set(this.prices);
    s.set(this.sizes);
    this.prices = p;
    this.sizes = s;
  }
}

class HeaderDraft {
  instrument = 0;
  venue = 0;
  priceScale = 0;
  sizeScale = 0;
  recvS = 0;
  recvNs = 0;
}

export class BookDeltaDraft extends HeaderDraft implements BookDeltaLike {
  exchS = 0;
  exchNs = 0;
  firstSeq = Number.NaN;
  lastSeq = Number.NaN;
  prevSeq = Number.NaN;
  checksum = Number.NaN;
  readonly bids = new LevelBuffer();
  readonly asks = new LevelBuffer();

  reset(): this {
    this.exchS = 0;
    this.exchNs = 0;
    this.firstSeq = Number.NaN;
    this.lastSeq = Number.NaN;
    this.prevSeq = Number.NaN;
    this.checksum = Number.NaN;
    this.bids.clear();
    this.asks.clear();
    return this;
  }
}

export class BookSnapshotDraft extends HeaderDraft implements BookSnapshotLike {
  exchS = 0;
  exchNs = 0;
  seq = Number.NaN;
  checksum = Number.NaN;
  readonly bids = new LevelBuffer();
  readonly asks = new LevelBuffer();

  reset(): this {
    this.exchS = 0;
    this.exchNs = 0;
    this.seq = Number.NaN;
    this.checksum = Number.NaN;
    this.bids.clear();
    this.asks.clear();
    return this;
  }
}

export class TradeBatchDraft extends HeaderDraft implements TradeBatchLike {
  length = 0;
  #cols = new Float64Array(6 * 8);

  reset(): this {
    this.length = 0;
    return this;
  }

  push(price: number, size: number, side: SideCode, tradeId: number, exchS: number, exchNs: number): void {
    const o = this.length * 6;
    if (o + 6 > this.#cols.length) {
      const next = new Float64Array(this.#cols.length * 2);
      next.set(this.#cols);
      this.#cols = next;
    }
    const c = this.#cols;
    c[o] = price;
    c[o + 1] = size;
    c[o + 2] = side;
    c[o + 3] = tradeId;
    c[o + 4] = exchS;
    c[o + 5] = exchNs;
    this.length++;
  }

  price(i: number): number {
    return this.#cols[i * 6] as number;
  }
  size(i: number): number {
    return this.#cols[i * 6 + 1] as number;
  }
  side(i: number): SideCode {
    return this.#cols[i * 6 + 2] as SideCode;
  }
  tradeId(i: number): number {
    return this.#cols[i * 6 + 3] as number;
  }
  exchS(i: number): number {
    return this.#cols[i * 6 + 4] as number;
  }
  exchNs(i: number): number {
    return this.#cols[i * 6 + 5] as number;
  }
}

export class QuoteBatchDraft extends HeaderDraft implements QuoteBatchLike {
  length = 0;
  #cols = new Float64Array(7 * 4);

  reset(): this {
    this.length = 0;
    return this;
  }

  push(bidPrice: number, bidSize: number, askPrice: number, askSize: number, seq: number, exchS: number, exchNs: number): void {
    const o = this.length * 7;
    if (o + 7 > this.#cols.length) {
      const next = new Float64Array(this.#cols.length * 2);
      next.set(this.#cols);
      this.#cols = next;
    }
    const c = this.#cols;
    c[o] = bidPrice;
    c[o + 1] = bidSize;
    c[o + 2] = askPrice;
    c[o + 3] = askSize;
    c[o + 4] = seq;
    c[o + 5] = exchS;
    c[o + 6] = exchNs;
    this.length++;
  }

  bidPrice(i: number): number {
    return this.#cols[i * 7] as number;
  }
  bidSize(i: number): number {
    return this.#cols[i * 7 + 1] as number;
  }
  askPrice(i: number): number {
    return this.#cols[i * 7 + 2] as number;
  }
  askSize(i: number): number {
    return this.#cols[i * 7 + 3] as number;
  }
  seq(i: number): number {
    return this.#cols[i * 7 + 4] as number;
  }
  exchS(i: number): number {
    return this.#cols[i * 7 + 5] as number;
  }
  exchNs(i: number): number {
    return this.#cols[i * 7 + 6] as number;
  }
}

/**
 * Where a venue parser puts what it read. The normalize worker implements it with the codec
 * (encode into the outbound ring); tests and benchmarks implement it with plain collectors.
 * Drafts passed in are reused by the caller after the call returns: copy what you keep.
 */
export interface CanonicalSink {
  bookDelta(delta: BookDeltaLike): void;
  bookSnapshot(snapshot: BookSnapshotLike): void;
  trades(batch: TradeBatchLike): void;
  quotes(batch: QuoteBatchLike): void;
  /** A frame or part of one was refused. `reason` is a stable code (counted); `detail` names the field. */
  reject(reason: string, detail: string): void;
  /**
   * Venues whose sequence numbers count per connection across all channels (Coinbase Advanced
   * Trade) are checked by the parser, not per book: `got` should equal `expected`. A mismatch is
   * a gap on that connection, and every book fed by it must be re-seeded.
   */
  sequenceCheck?(venue: number, connId: number, expected: number, got: number): void;
}

/** Book stage output: mirrors the BookView table. Levels are best first. */
export interface BookViewLike extends MarketHeader {
  readonly state: number;
  readonly seq: number;
  readonly mid: number;
  readonly microprice: number;
  readonly imbalance: number;
  readonly spread: number;
  readonly bids: LevelsLike;
  readonly asks: LevelsLike;
}

/** Mirrors the Bar table. OHLC and volume are mantissas; vwap and spreads are decimal values. */
export interface BarLike {
  readonly instrument: number;
  readonly venue: number;
  readonly kind: number;
  readonly priceScale: number;
  readonly sizeScale: number;
  readonly startS: number;
  readonly startNs: number;
  readonly endS: number;
  readonly endNs: number;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  readonly volume: number;
  readonly vwap: number;
  readonly tradeCount: number;
  readonly spreadAvg: number;
  readonly spreadMax: number;
}
