import type { LevelsLike } from '@tickline/wire';
import { BookSide } from '../src/core/book-side.js';

/**
 * The measured alternative to BookSide: a dense tick ladder. Sizes sit in a Float64Array indexed
 * by (key - base) / tick over a window of `width` ticks (key = sign * price, higher = better);
 * levels below the window live in a sorted BookSide ("far" levels); a price above the window
 * re-centres it. Same depth semantics as BookSide (keep the best `depth`; a level worse than all
 * kept on a full side is ignored), so both can be checked against one reference.
 *
 * Kept in bench/ (not in core) because it lost the measurement: see docs/book.md.
 */
export class LadderSide implements LevelsLike {
  readonly sign: 1 | -1;
  readonly depth: number;
  readonly tick: number;
  readonly width: number;
  #sizes: Float64Array;
  #base = Number.NaN; // key at index 0
  #best = -1; // highest occupied index, -1 if the ladder is empty
  #count = 0; // levels in the ladder
  readonly #far: BookSide;
  // sequential-read cursor for price(i)/size(i)
  #ci = -1;
  #cx = -1;

  constructor(sign: 1 | -1, depth: number, tick: number, width = Math.max(64, 4 * depth)) {
    this.sign = sign;
    this.depth = depth;
    this.tick = tick;
    this.width = width;
    this.#sizes = new Float64Array(width);
    this.#far = new BookSide(sign, depth);
  }

  get length(): number {
    return this.#count + this.#far.length;
  }

  clear(): void {
    this.#sizes.fill(0);
    this.#best = -1;
    this.#count = 0;
    this.#base = Number.NaN;
    this.#far.clear();
    this.#ci = -1;
  }

  set(price: number, size: number): void {
    this.#ci = -1;
    const key = price * this.sign;
    if (Number.isNaN(this.#base)) this.#base = key - (this.width >> 1) * this.tick;
    let idx = (key - this.#base) / this.tick;
    if (idx >= this.width) {
      if (size === 0) return;
      this.#shiftUp(idx - Math.floor((3 * this.width) / 4));
      idx = (key - this.#base) / this.tick;
    } else if (idx < 0) {
      if (this.#count === 0 && size !== 0) {
        this.#rebase(key);
        idx = (key - this.#base) / this.tick;
      } else {
        if (size !== 0 && !this.#far.length && this.length >= this.depth) return; // worse than all on a full side
        this.#far.set(price, size);
        this.#trim();
        return;
      }
    }
    const sizes = this.#sizes;
    const old = sizes[idx] as number;
    if (size === 0) {
      if (old === 0) return;
      sizes[idx] = 0;
      this.#count--;
      if (idx === this.#best) {
        let b = idx - 1;
        while (b >= 0 && sizes[b] === 0) b--;
        this.#best = b;
        if (b < 0 && this.#far.length > 0) this.#rebase(this.#far.price(0) * this.sign);
      }
      return;
    }
    if (old === 0) {
      if (this.length >= this.depth && idx < this.#lowestIdx() && this.#far.length === 0) return;
      this.#count++;
      if (idx > this.#best) this.#best = idx;
    }
    sizes[idx] = size;
    this.#trim();
  }

  price(i: number): number {
    const x = this.#seek(i);
    if (x >= 0) return (this.#base + x * this.tick) * this.sign;
    return this.#far.price(i - this.#count);
  }

  size(i: number): number {
    const x = this.#seek(i);
    if (x >= 0) return this.#sizes[x] as number;
    return this.#far.size(i - this.#count);
  }

  /** Ladder index of the i-th best level, or -1 if it lies in the far store. */
  #seek(i: number): number {
    if (i >= this.#count) return -1;
    let ci = this.#ci;
    let cx = this.#cx;
    if (ci < 0 || i < ci) {
      ci = 0;
      cx = this.#best;
    }
    const sizes = this.#sizes;
    while (ci < i) {
      cx--;
      while (sizes[cx] === 0) cx--;
      ci++;
    }
    this.#ci = ci;
    this.#cx = cx;
    return cx;
  }

  #lowestIdx(): number {
    let x = 0;
    while (x < this.width && this.#sizes[x] === 0) x++;
    return x;
  }

  /** Keeps at most depth levels: drops the worst (far first, then the ladder's bottom). */
  #trim(): void {
    while (this.length > this.depth) {
      if (this.#far.length > 0) this.#far.popWorst();
      else {
        const x = this.#lowestIdx();
        this.#sizes[x] = 0;
        this.#count--;
      }
    }
  }

  /** Moves the window up by `shift` ticks; levels falling below go to the far store. */
  #shiftUp(shift: number): void {
    const sizes = this.#sizes;
    for (let x = 0; x < shift && x < this.width; x++) {
      const s = sizes[x] as number;
      if (s !== 0) {
        this.#far.set((this.#base + x * this.tick) * this.sign, s);
        this.#count--;
      }
    }
    if (shift < this.width) {
      sizes.copyWithin(0, shift);
      sizes.fill(0, this.width - shift);
    } else sizes.fill(0);
    this.#base += shift * this.tick;
    this.#best = this.#best - shift;
    if (this.#best < 0) this.#best = -1;
  }

  /** Re-centres an empty ladder so `key` sits at 3/4 of the window; pulls far levels in. */
  #rebase(key: number): void {
    this.#base = key - Math.floor((3 * this.width) / 4) * this.tick;
    const far = this.#far;
    while (far.length > 0) {
      const k = far.price(0) * this.sign;
      const x = (k - this.#base) / this.tick;
      if (x < 0) break;
      if (x >= this.width) throw new Error('ladder invariant: far level above window');
      this.#sizes[x] = far.size(0);
      this.#count++;
      if (x > this.#best) this.#best = x;
      far.set(k * this.sign, 0);
    }
  }
}
