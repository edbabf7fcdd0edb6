import type { LevelsLike } from '@tickline/wire';

/**
 * One side of an L2 book: price levels kept sorted in two parallel Float64Arrays, best level at
 * the HIGH end of the used range `[lo, hi)`.
 *
 * Why this shape (measured in bench/book.bench.ts, see docs/book.md): almost every update lands
 * within a few ticks of the touch, so with the best level at the end an insert or delete there
 * shifts only the handful of slots above it, and the search is a short linear scan from the top
 * (binary search only once the scan passes LINEAR_SCAN slots). Dropping the worst level when the
 * side is full is `lo++`; the range is compacted to 0 only when `hi` reaches capacity.
 *
 * Keys are exact integer mantissas: bids store `price`, asks store `-price`, so "greater key =
 * better level" holds on both sides and one code path serves both. Negation is exact.
 */
const LINEAR_SCAN = 8;

export class BookSide implements LevelsLike {
  /** +1 for bids, -1 for asks. */
  readonly sign: 1 | -1;
  /** Maximum levels kept; a level worse than all kept levels of a full side is ignored. */
  readonly depth: number;
  /** Interleaved (key, size) pairs: slot i is [2i] key, [2i + 1] size (one cache line holds both). */
  #lv: Float64Array;
  #lo = 0;
  #hi = 0;

  constructor(sign: 1 | -1, depth: number, initialCapacity = Math.min(2 * depth, 128)) {
    if (!Number.isInteger(depth) || depth < 1) throw new RangeError(`depth must be a positive integer, got ${depth}`);
    this.sign = sign;
    this.depth = depth;
    const cap = Math.max(4, Math.min(initialCapacity, 2 * depth));
    this.#lv = new Float64Array(cap * 2);
  }

  /** Number of levels held. */
  get length(): number {
    return this.#hi - this.#lo;
  }

  /** Price mantissa of the i-th best level (0 = best). No bounds check: callers stay below length. */
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

  bestSize(): number {
    return this.#hi > this.#lo ? (this.#lv[(this.#hi - 1) * 2 + 1] as number) : Number.NaN;
  }

  clear(): void {
    this.#lo = 0;
    this.#hi = 0;
  }

  /** Bytes held by the level array (for memory reporting). */
  get byteLength(): number {
    return this.#lv.byteLength;
  }

  /**
   * Sets the absolute size at a price; size 0 removes the level. Returns false when the update
   * was a no-op that carried information we could not keep (removal of an unknown level, or a
   * new level beyond depth on a full side); true otherwise.
   */
  set(price: number, size: number): boolean {
    const key = price * this.sign;
    const lv = this.#lv;
    const lo = this.#lo;
    const hi = this.#hi;
    // Find j = the highest index in [lo, hi) with key[j] <= key, or lo - 1 if none.
    let j = hi - 1;
    const stop = Math.max(hi - LINEAR_SCAN, lo);
    while (j >= stop && (lv[j * 2] as number) > key) j--;
    if (j < stop && j >= lo) {
      // Beyond the scan window: binary search over [lo, j].
      let a = lo;
      let b = j;
      while (a <= b) {
        const m = (a + b) >>> 1;
        if ((lv[m * 2] as number) <= key) a = m + 1;
        else b = m - 1;
      }
      j = b;
    }
    if (j >= lo && lv[j * 2] === key) {
      if (size !== 0) {
        lv[j * 2 + 1] = size;
        return true;
      }
      // Remove: shift the (few) better levels down over the hole.
      const end = (hi - 1) * 2;
      for (let i = j * 2; i < end; i += 2) {
        lv[i] = lv[i + 2] as number;
        lv[i + 1] = lv[i + 3] as number;
      }
      this.#hi = hi - 1;
      return true;
    }
    if (size === 0) return false;
    return this.#insertAfter(j, key, size);
  }

  /** Inserts a new key at position j + 1 (j may be lo - 1: worse than every kept level). */
  #insertAfter(j: number, key: number, size: number): boolean {
    if (this.#hi - this.#lo >= this.depth) {
      if (j < this.#lo) return false; // worse than everything on a full side: not kept
      this.#lo++; // drop the worst level
      if (j < this.#lo) {
        // the new level becomes the worst one: overwrite the dropped slot
        this.#lv[j * 2] = key;
        this.#lv[j * 2 + 1] = size;
        this.#lo = j;
        return true;
      }
    }
    if (this.#hi * 2 === this.#lv.length) j = this.#makeRoom(j);
    const lv = this.#lv;
    const at = (j + 1) * 2;
    for (let i = this.#hi * 2; i > at; i -= 2) {
      lv[i] = lv[i - 2] as number;
      lv[i + 1] = lv[i - 1] as number;
    }
    lv[at] = key;
    lv[at + 1] = size;
    this.#hi++;
    return true;
  }

  /** hi reached capacity: compact to 0, or grow (up to 2 x depth). Returns the shifted j. */
  #makeRoom(j: number): number {
    const lo = this.#lo;
    const n = this.#hi - lo;
    const cap = this.#lv.length / 2;
    if (lo === 0 || n + 1 > cap / 2) {
      const next = new Float64Array(Math.min(Math.max(cap * 2, 4), 2 * this.depth + 2) * 2);
      next.set(this.#lv.subarray(lo * 2, this.#hi * 2));
      this.#lv = next;
    } else {
      this.#lv.copyWithin(0, lo * 2, this.#hi * 2);
    }
    this.#lo = 0;
    this.#hi = n;
    return j - lo;
  }

  /**
   * Replaces the side with levels given best first (a snapshot). Levels beyond depth are not
   * kept; zero sizes are skipped. Order is validated: returns false if not strictly best-first.
   */
  load(levels: LevelsLike): boolean {
    // Count the kept (non-zero) levels first so the best ends at hi - 1.
    let kept = 0;
    for (let i = 0; i < levels.length && kept < this.depth; i++) if (levels.size(i) !== 0) kept++;
    if (this.#lv.length < kept * 2) this.#lv = new Float64Array(Math.min(2 * this.depth + 2, Math.max(kept * 2, 4)) * 2);
    const lv = this.#lv;
    let w = kept - 1;
    let ordered = true;
    let prev = Number.POSITIVE_INFINITY;
    for (let i = 0; i < levels.length && w >= 0; i++) {
      const size = levels.size(i);
      if (size === 0) continue;
      const key = levels.price(i) * this.sign;
      if (!(key < prev)) ordered = false;
      prev = key;
      lv[w * 2] = key;
      lv[w * 2 + 1] = size;
      w--;
    }
    this.#lo = 0;
    this.#hi = kept;
    return ordered;
  }

  /** Removes the worst level (no-op when empty). */
  popWorst(): void {
    if (this.#hi > this.#lo) this.#lo++;
  }

  /** Sum of sizes over the best `n` levels (mantissas; exact while below 2^53). */
  sizeSum(n: number): number {
    const stop = Math.max(this.#hi - n, this.#lo);
    let sum = 0;
    for (let i = this.#hi - 1; i >= stop; i--) sum += this.#lv[i * 2 + 1] as number;
    return sum;
  }
}

/** A read-only window over the best `limit` levels of a side (reused by views; no copy). */
export class TopLevels implements LevelsLike {
  side: BookSide;
  limit: number;

  constructor(side: BookSide, limit: number) {
    this.side = side;
    this.limit = limit;
  }

  get length(): number {
    const n = this.side.length;
    return Math.min(n, this.limit);
  }

  price(i: number): number {
    return this.side.price(i);
  }

  size(i: number): number {
    return this.side.size(i);
  }
}
