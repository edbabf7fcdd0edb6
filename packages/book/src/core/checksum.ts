import type { LevelsLike } from '@tickline/wire';
import { crc32 } from './crc32.js';
import type { L2Book } from './l2-book.js';
import type { NumberFormat, VenueRule } from './venue-rules.js';

const COLON = 58;
const DOT = 46;
const ZERO = 48;
const MINUS = 45;

/**
 * Venue book checksums computed straight from mantissas into a reused byte buffer: no strings,
 * no allocation per update. The text that is hashed is the venue's own (see venue-rules.ts for
 * the per-venue number format).
 */
export class BookChecksum {
  #buf = new Uint8Array(4096);
  #digits = new Uint8Array(24);
  #n = 0;

  /** Kraken (v1 and v2): asks best..worse then bids best..worse, digits only; unsigned. */
  kraken(book: L2Book, rule: VenueRule): number {
    this.#n = 0;
    this.#krakenSide(book.asks, rule, book);
    this.#krakenSide(book.bids, rule, book);
    return crc32(this.#buf, 0, this.#n);
  }

  /** OKX: bid1:ask1:bid2:ask2... as price:size; signed 32-bit. */
  okx(book: L2Book, rule: VenueRule): number {
    this.#n = 0;
    const levels = rule.checksumLevels;
    const ps = book.priceScale;
    const ss = book.sizeScale;
    const pd = book.priceText < 0 ? ps : book.priceText;
    const sd = book.sizeText < 0 ? ss : book.sizeText;
    let first = true;
    for (let i = 0; i < levels; i++) {
      if (i < book.bids.length) {
        if (!first) this.#byte(COLON);
        first = false;
        this.#number(book.bids.price(i), ps, rule.priceFormat, pd);
        this.#byte(COLON);
        this.#number(book.bids.size(i), ss, rule.sizeFormat, sd);
      }
      if (i < book.asks.length) {
        if (!first) this.#byte(COLON);
        first = false;
        this.#number(book.asks.price(i), ps, rule.priceFormat, pd);
        this.#byte(COLON);
        this.#number(book.asks.size(i), ss, rule.sizeFormat, sd);
      }
    }
    return crc32(this.#buf, 0, this.#n) | 0;
  }

  /** The checksum of the venue's algorithm, or NaN for 'none'. */
  compute(book: L2Book, rule: VenueRule): number {
    switch (rule.checksum) {
      case 'okx':
        return this.okx(book, rule);
      case 'kraken':
        return this.kraken(book, rule);
      default:
        return Number.NaN;
    }
  }

  /** The text last hashed (for diagnostics and tests; allocates). */
  lastText(): string {
    let s = '';
    for (let i = 0; i < this.#n; i++) s += String.fromCharCode(this.#buf[i] as number);
    return s;
  }

  #krakenSide(side: LevelsLike, rule: VenueRule, book: L2Book): void {
    const n = Math.min(side.length, rule.checksumLevels);
    const ps = book.priceScale;
    const ss = book.sizeScale;
    const pd = book.priceText < 0 ? ps : book.priceText;
    const sd = book.sizeText < 0 ? ss : book.sizeText;
    for (let i = 0; i < n; i++) {
      this.#krakenNumber(side.price(i), ps, rule.priceFormat, pd);
      this.#krakenNumber(side.size(i), ss, rule.sizeFormat, sd);
    }
  }

  /** The formatted number with '.' removed and leading zeros stripped. */
  #krakenNumber(mantissa: number, scale: number, format: NumberFormat, decimals: number): void {
    const start = this.#n;
    this.#number(mantissa, scale, format, decimals);
    const buf = this.#buf;
    let w = start;
    let leading = true;
    for (let r = start; r < this.#n; r++) {
      const c = buf[r] as number;
      if (c === DOT) continue;
      if (leading && c === ZERO) continue;
      leading = false;
      buf[w++] = c;
    }
    this.#n = w;
  }

  #byte(c: number): void {
    if (this.#n === this.#buf.length) this.#grow();
    this.#buf[this.#n++] = c;
  }

  /**
   * Writes mantissa * 10^-scale as ASCII. fixed: exactly `decimals` fractional digits (the
   * venue's written width, which may exceed the scale: Kraken v1 pads); trimmed: shortest form.
   */
  #number(mantissa: number, scale: number, format: NumberFormat, decimals: number): void {
    if (this.#n + 48 > this.#buf.length) this.#grow();
    const buf = this.#buf;
    const digits = this.#digits;
    let m = mantissa;
    if (m < 0) {
      buf[this.#n++] = MINUS;
      m = -m;
    }
    // digits of m, least significant first
    let len = 0;
    do {
      const q = Math.floor(m / 10);
      digits[len++] = ZERO + (m - q * 10);
      m = q;
    } while (m > 0);
    // fractional digits to print
    let frac = decimals;
    if (format === 'trimmed') {
      let t = 0;
      while (t < scale && t < len && digits[t] === ZERO) t++;
      if (t >= len) t = scale; // mantissa 0 -> "0"
      frac = scale - t;
    }
    const intLen = len > scale ? len - scale : 0;
    let n = this.#n;
    if (intLen === 0) buf[n++] = ZERO;
    for (let i = len - 1; i >= len - intLen; i--) buf[n++] = digits[i] as number;
    if (frac > 0) {
      buf[n++] = DOT;
      for (let k = 0; k < frac; k++) {
        const idx = scale - 1 - k; // digit position from least significant (< 0: padding)
        buf[n++] = idx >= 0 && idx < len ? (digits[idx] as number) : ZERO;
      }
    }
    this.#n = n;
  }

  #grow(): void {
    const next = new Uint8Array(this.#buf.length * 2);
    next.set(this.#buf);
    this.#buf = next;
  }
}
