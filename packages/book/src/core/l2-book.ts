import type { LevelsLike } from '@tickline/wire';
import { BookSide } from './book-side.js';

/** Relation of the best bid to the best ask. */
export enum Cross {
  Normal = 0,
  /** best bid == best ask */
  Locked = 1,
  /** best bid > best ask */
  Crossed = 2,
  /** one side (or both) empty */
  OneSided = 3,
}

const POW10 = Array.from({ length: 19 }, (_, i) => 10 ** i);

/**
 * An exact L2 book for one instrument: two sorted sides of integer mantissas (see book-side.ts).
 * Derived figures (spread, mid, microprice, imbalance) are decimal values computed on demand
 * from the mantissas and the book's scales; keys are never floats.
 */
export class L2Book {
  readonly bids: BookSide;
  readonly asks: BookSide;
  priceScale: number;
  sizeScale: number;
  /**
   * Decimals the venue writes in its own strings, when wider than the scale (Kraken v1 pads
   * XMR/USD prices to 8 decimals while its pair precision is 2); -1 = the scale. Checksums only.
   */
  priceText = -1;
  sizeText = -1;
  /**
   * True once the written widths are known: configured (`checksumText`) or learned from the
   * venue's own checksum (book-sync.ts). While false, a fixed-width checksum that does not match
   * at the scales is tried at wider widths before it counts as a mismatch.
   */
  textKnown = false;

  constructor(depth: number, priceScale = 0, sizeScale = 0) {
    this.bids = new BookSide(1, depth);
    this.asks = new BookSide(-1, depth);
    this.priceScale = priceScale;
    this.sizeScale = sizeScale;
  }

  get depth(): number {
    return this.bids.depth;
  }

  clear(): void {
    this.bids.clear();
    this.asks.clear();
  }

  /** Applies one message's levels in array order (bids first, then asks: sides are independent). */
  apply(bids: LevelsLike, asks: LevelsLike): void {
    const b = this.bids;
    for (let i = 0, n = bids.length; i < n; i++) b.set(bids.price(i), bids.size(i));
    const a = this.asks;
    for (let i = 0, n = asks.length; i < n; i++) a.set(asks.price(i), asks.size(i));
  }

  /** Replaces the book with a snapshot (best first). Returns false if a side was not sorted. */
  load(bids: LevelsLike, asks: LevelsLike): boolean {
    const okB = this.bids.load(bids);
    const okA = this.asks.load(asks);
    return okB && okA;
  }

  bestBid(): number {
    return this.bids.bestPrice();
  }

  bestAsk(): number {
    return this.asks.bestPrice();
  }

  cross(): Cross {
    if (this.bids.length === 0 || this.asks.length === 0) return Cross.OneSided;
    const b = this.bids.bestPrice();
    const a = this.asks.bestPrice();
    return b < a ? Cross.Normal : b === a ? Cross.Locked : Cross.Crossed;
  }

  isCrossed(): boolean {
    return this.cross() === Cross.Crossed;
  }

  isLocked(): boolean {
    return this.cross() === Cross.Locked;
  }

  /** Spread in price mantissas (exact), NaN if a side is empty. */
  spreadMantissa(): number {
    return this.asks.bestPrice() - this.bids.bestPrice();
  }

  /** Spread as a decimal value. */
  spread(): number {
    return (this.asks.bestPrice() - this.bids.bestPrice()) / (POW10[this.priceScale] as number);
  }

  mid(): number {
    return (this.asks.bestPrice() + this.bids.bestPrice()) / (2 * (POW10[this.priceScale] as number));
  }

  /** Size-weighted mid of the touch: (bid * askSize + ask * bidSize) / (bidSize + askSize). */
  microprice(): number {
    const bp = this.bids.bestPrice();
    const ap = this.asks.bestPrice();
    const bs = this.bids.bestSize();
    const as = this.asks.bestSize();
    return (bp * as + ap * bs) / ((bs + as) * (POW10[this.priceScale] as number));
  }

  /** (bidQty - askQty) / (bidQty + askQty) over the best `levels` of each side; NaN if both empty. */
  imbalance(levels: number): number {
    const b = this.bids.sizeSum(levels);
    const a = this.asks.sizeSum(levels);
    const t = a + b;
    return t > 0 ? (b - a) / t : Number.NaN;
  }

  /** Bytes held by level storage. */
  get byteLength(): number {
    return this.bids.byteLength + this.asks.byteLength;
  }
}
