/**
 * One side of the local venue's copy of an instrument's market book: every level the feed set,
 * sorted in one interleaved Float64Array of (key, size) pairs with the best level at the HIGH end
 * of the used slots `[lo, hi)` (the layout of @tickline/book's BookSide: the search starts at the
 * touch, where most updates land), but unbounded in depth and with the lookups the venue needs:
 * the size at a price, and `set` returning the size it replaced (the queue models work on the
 * change).
 *
 * The used slots float in the middle of the array with free room at both ends, and an insert or
 * delete moves whichever part is shorter: the levels above it (near the touch) or below it (deep
 * in the book). A full-depth feed updates both ends often; either is then a short move, and the
 * worst case (the middle of the book) moves half the side.
 *
 * Keys are exact integer mantissas: bids store `price`, asks `-price`, so "greater key = better"
 * on both sides. No allocation except when the array grows (doubling) or is re-centered.
 */

import type { LevelsLike } from '@tickline/wire';

const LINEAR_SCAN = 8;

export class VenueBookSide {
  /** +1 for bids, -1 for asks. */
  readonly sign: 1 | -1;
  #lv: Float64Array;
  #lo: number;
  #hi: number;

  constructor(sign: 1 | -1, initialLevels = 64) {
    this.sign = sign;
    const cap = Math.max(8, initialLevels);
    this.#lv = new Float64Array(cap * 2);
    this.#lo = this.#hi = cap >> 1;
  }

  get length(): number {
    return this.#hi - this.#lo;
  }

  /** Price mantissa of the i-th best level (0 = best); callers stay below length. */
  price(i: number): number {
    return (this.#lv[(this.#hi - 1 - i) * 2] as number) * this.sign;
  }

  size(i: number): number {
    return this.#lv[(this.#hi - 1 - i) * 2 + 1] as number;
  }

  /** Best price mantissa, NaN when empty. */
  bestPrice(): number {
    return this.#hi > this.#lo ? (this.#lv[(this.#hi - 1) * 2] as number) * this.sign : Number.NaN;
  }

  clear(): void {
    this.#lo = this.#hi = (this.#lv.length / 2) >> 1;
  }

  /** Slot j of the highest key <= `key`, or lo - 1. */
  #find(key: number): number {
    const lv = this.#lv;
    const lo = this.#lo;
    let j = this.#hi - 1;
    const stop = Math.max(j - LINEAR_SCAN, lo);
    while (j >= stop && (lv[j * 2] as number) > key) j--;
    if (j < stop && j >= lo) {
      let a = lo;
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
    return j >= this.#lo && this.#lv[j * 2] === key ? (this.#lv[j * 2 + 1] as number) : 0;
  }

  /** Sets the absolute size at a price (0 removes the level); returns the size it replaced. */
  set(price: number, size: number): number {
    const key = price * this.sign;
    let j = this.#find(key);
    const lo = this.#lo;
    const hi = this.#hi;
    if (j >= lo && this.#lv[j * 2] === key) {
      const lv = this.#lv;
      const prev = lv[j * 2 + 1] as number;
      if (size !== 0) {
        lv[j * 2 + 1] = size;
        return prev;
      }
      // Remove slot j: close the hole from the shorter side.
      if (j - lo < hi - 1 - j) {
        lv.copyWithin((lo + 1) * 2, lo * 2, j * 2);
        this.#lo = lo + 1;
      } else {
        lv.copyWithin(j * 2, (j + 1) * 2, hi * 2);
        this.#hi = hi - 1;
      }
      return prev;
    }
    if (size === 0) return 0;
    // Insert between slots j and j + 1.
    const below = j + 1 - lo;
    const above = hi - j - 1;
    const down = below < above;
    // No room on that side: re-center (both ends then have room).
    if (down ? lo === 0 : hi === this.#lv.length / 2) j = this.#recenter(j);
    const lv = this.#lv;
    if (down) {
      // Move the deeper levels [lo, j] down one slot; the new level takes slot j.
      lv.copyWithin((this.#lo - 1) * 2, this.#lo * 2, (j + 1) * 2);
      this.#lo--;
      lv[j * 2] = key;
      lv[j * 2 + 1] = size;
    } else {
      // Move the better levels [j + 1, hi) up one slot; the new level takes slot j + 1.
      lv.copyWithin((j + 2) * 2, (j + 1) * 2, this.#hi * 2);
      this.#hi++;
      lv[(j + 1) * 2] = key;
      lv[(j + 1) * 2 + 1] = size;
    }
    return 0;
  }

  /** Puts the used slots back in the middle (growing the array when over half full); returns j moved with them. */
  #recenter(j: number): number {
    const n = this.#hi - this.#lo;
    const cap = this.#lv.length / 2;
    const next = n + 1 > cap >> 1 ? new Float64Array(cap * 4) : this.#lv;
    const lo = (next.length / 2 - n) >> 1;
    if (next === this.#lv) next.copyWithin(lo * 2, this.#lo * 2, this.#hi * 2);
    else next.set(this.#lv.subarray(this.#lo * 2, this.#hi * 2), lo * 2);
    const moved = j - this.#lo + lo;
    this.#lv = next;
    this.#lo = lo;
    this.#hi = lo + n;
    return moved;
  }

  /**
   * Replaces the side with a snapshot's levels, in any order (best first is the fast path: a
   * straight reversed copy); zero sizes are dropped and a repeated price keeps its last size.
   */
  load(levels: LevelsLike): void {
    const count = levels.length;
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
    if (!bestFirst) {
      this.clear();
      for (let i = 0; i < count; i++) {
        const s = levels.size(i);
        // biome-ignore lint/complexity/useMathMinMax: a NaN size must count as 0 (Math.max keeps NaN)
        this.set(levels.price(i), s > 0 ? s : 0);
      }
      return;
    }
    if (n * 2 > this.#lv.length / 2) this.#lv = new Float64Array(Math.max(8, n * 2) * 2);
    const lv = this.#lv;
    const lo = (lv.length / 2 - n) >> 1;
    // Strictly best first: the top slot takes the first kept level.
    let w = lo + n - 1;
    for (let i = 0; i < count && w >= lo; i++) {
      const s = levels.size(i);
      if (!(s > 0)) continue;
      lv[w * 2] = levels.price(i) * this.sign;
      lv[w * 2 + 1] = s;
      w--;
    }
    this.#lo = lo;
    this.#hi = lo + n;
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
