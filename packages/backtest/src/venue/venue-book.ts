import type { LevelsLike } from '@tickline/wire';

/**
 * One side of the local venue's copy of an instrument's market book: every level the feed set,
 * sorted in one interleaved Float64Array of (key, size) pairs with the best level at the HIGH end
 * (the layout of @tickline/book's BookSide, which keeps updates near the touch to a few slot moves),
 * but unbounded in depth and with the lookups the venue needs: the size at a price, and `set`
 * returning the size it replaced (the queue models work on the change).
 *
 * Keys are exact integer mantissas: bids store `price`, asks `-price`, so "greater key = better"
 * on both sides. No allocation except when the array grows (doubling).
 */
const LINEAR_SCAN = 8;

export class VenueBookSide {
  /** +1 for bids, -1 for asks. */
  readonly sign: 1 | -1;
  #lv: Float64Array;
  #n = 0;

  constructor(sign: 1 | -1, initialLevels = 64) {
    this.sign = sign;
    this.#lv = new Float64Array(Math.max(4, initialLevels) * 2);
  }

  get length(): number {
    return this.#n;
  }

  /** Price mantissa of the i-th best level (0 = best); callers stay below length. */
  price(i: number): number {
    return (this.#lv[(this.#n - 1 - i) * 2] as number) * this.sign;
  }

  size(i: number): number {
    return this.#lv[(this.#n - 1 - i) * 2 + 1] as number;
  }

  /** Best price mantissa, NaN when empty. */
  bestPrice(): number {
    return this.#n > 0 ? (this.#lv[(this.#n - 1) * 2] as number) * this.sign : Number.NaN;
  }

  clear(): void {
    this.#n = 0;
  }

  /** Index j of the highest slot with key <= `key`, or -1. */
  #find(key: number): number {
    const lv = this.#lv;
    let j = this.#n - 1;
    const stop = Math.max(j - LINEAR_SCAN, 0);
    while (j >= stop && (lv[j * 2] as number) > key) j--;
    if (j < stop && j >= 0) {
      let a = 0;
      let b = j;
      while (a <= b) {
        const m = (a + b) >>> 1;
        if ((lv[m * 2] as number) <= key) a = m + 1;
        else b = m - 1;
      }
      j = b;
    }
    return j;
  }

  /** Displayed size at a price (0 when no level). */
  sizeAt(price: number): number {
    const key = price * this.sign;
    const j = this.#find(key);
    return j >= 0 && this.#lv[j * 2] === key ? (this.#lv[j * 2 + 1] as number) : 0;
  }

  /** Sets the absolute size at a price (0 removes the level); returns the size it replaced. */
  set(price: number, size: number): number {
    const key = price * this.sign;
    const j = this.#find(key);
    const lv = this.#lv;
    const n = this.#n;
    if (j >= 0 && lv[j * 2] === key) {
      const prev = lv[j * 2 + 1] as number;
      if (size !== 0) {
        lv[j * 2 + 1] = size;
        return prev;
      }
      lv.copyWithin(j * 2, j * 2 + 2, n * 2);
      this.#n = n - 1;
      return prev;
    }
    if (size === 0) return 0;
    if ((n + 1) * 2 > lv.length) {
      const next = new Float64Array(lv.length * 2);
      next.set(lv);
      this.#lv = next;
    }
    const at = (j + 1) * 2;
    const a = this.#lv;
    if (at < n * 2) a.copyWithin(at + 2, at, n * 2);
    a[at] = key;
    a[at + 1] = size;
    this.#n = n + 1;
    return 0;
  }

  /**
   * Replaces the side with a snapshot's levels, in any order (best first is the fast path: a
   * straight reversed copy); zero sizes are dropped and a repeated price keeps its last size.
   */
  load(levels: LevelsLike): void {
    const count = levels.length;
    if (count * 2 > this.#lv.length) this.#lv = new Float64Array(Math.max(count, 4) * 4);
    const lv = this.#lv;
    let n = 0;
    let prev = Number.POSITIVE_INFINITY;
    let bestFirst = true;
    for (let i = 0; i < count; i++) {
      const s = levels.size(i);
      if (!(s > 0)) continue;
      const key = levels.price(i) * this.sign;
      if (!(key < prev)) {
        bestFirst = false;
        break;
      }
      prev = key;
      n++;
    }
    if (bestFirst) {
      // Strictly best first: slot n-1 takes the first kept level.
      let w = n - 1;
      for (let i = 0; i < count && w >= 0; i++) {
        const s = levels.size(i);
        if (!(s > 0)) continue;
        lv[w * 2] = levels.price(i) * this.sign;
        lv[w * 2 + 1] = s;
        w--;
      }
      this.#n = n;
      return;
    }
    this.#n = 0;
    for (let i = 0; i < count; i++) {
      const s = levels.size(i);
      this.set(levels.price(i), Math.max(s, 0));
    }
  }
}

/** Both sides of one instrument's book at the local venue. */
export class VenueBook {
  readonly bids = new VenueBookSide(1);
  readonly asks = new VenueBookSide(-1);

  side(side: number): VenueBookSide {
    return side === 0 ? this.bids : this.asks;
  }
}
