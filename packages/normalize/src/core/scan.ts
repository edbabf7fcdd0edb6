import type { InstrumentSpec, LevelBuffer } from '@tickline/wire';
import type { ParseContext } from './context.js';
import { parseDecimalRange } from './decimal-range.js';

/**
 * Primitives of the venue fast paths: one-pass scanners over a frame's UTF-8 bytes (no decode,
 * no JSON tree, no substrings). Every function here accepts only compact JSON it fully
 * understands and reports anything else (whitespace, escapes, other value types) as failure, so
 * a scanner can hand the frame to the JSON path untouched. Scanning bytes is safe for UTF-8: every
 * byte of a multi-byte character is >= 0x80, so it never reads as a quote, bracket or digit, and
 * a decoder keeps every ASCII byte as that character, valid UTF-8 or not.
 */

export enum Ch {
  Quote = 34,
  Comma = 44,
  Minus = 45,
  Colon = 58,
  LBracket = 91,
  Backslash = 92,
  RBracket = 93,
  LBrace = 123,
  RBrace = 125,
}

/** Index of the next `"` at or after `from`, or -1. */
export function quoteAt(b: Uint8Array, from: number): number {
  const n = b.length;
  for (let i = from; i < n; i++) if (b[i] === Ch.Quote) return i;
  return -1;
}

/** True when the bytes at `p` are the ASCII text `s`. */
export function ascii(b: Uint8Array, p: number, s: string): boolean {
  const n = s.length;
  if (p + n > b.length) return false;
  for (let i = 0; i < n; i++) if (b[p + i] !== s.charCodeAt(i)) return false;
  return true;
}

/** Index of the ASCII text `s` in [from, to), or -1. */
export function asciiIn(b: Uint8Array, from: number, to: number, s: string): number {
  const first = s.charCodeAt(0);
  for (let i = from; i + s.length <= to; i++) if (b[i] === first && ascii(b, i, s)) return i;
  return -1;
}

/** True when [from, to) holds no backslash and no control character (JSON needs them escaped). */
export function plain(b: Uint8Array, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = b[i] as number;
    if (c < 32 || c === Ch.Backslash) return false;
  }
  return true;
}

/**
 * End of the JSON integer starting at `p` (an optional minus, then 1 to 16 digits without a
 * leading zero; no fraction or exponent may follow), or -1. Its value: `intValue(b, p, end)`.
 */
export function intEnd(b: Uint8Array, p: number): number {
  let q = b[p] === Ch.Minus ? p + 1 : p;
  const start = q;
  const n = b.length;
  for (; q < n; q++) {
    const d = (b[q] as number) - 48;
    if (d < 0 || d > 9) break;
  }
  const len = q - start;
  if (len === 0 || len > 16) return -1;
  if (len > 1 && b[start] === 48) return -1; // leading zero: not JSON
  return q;
}

/** The value of an integer `intEnd` accepted over [from, to). */
export function intValue(b: Uint8Array, from: number, to: number): number {
  const negative = b[from] === Ch.Minus;
  let v = 0;
  for (let i = negative ? from + 1 : from; i < to; i++) v = v * 10 + ((b[i] as number) - 48);
  return negative ? -v : v;
}

/**
 * A list of `["price","size"]` levels starting at `p` (the `[`): each price > 0 and each size >= 0
 * at the instrument's scales, pushed into `out` (-0 as 0). With `spec` undefined only the shape is
 * checked and nothing is pushed (a list read before its instrument is known). Returns the index
 * after the closing `]`, or -1.
 */
export function levelPairs(b: Uint8Array, p: number, out: LevelBuffer, spec: InstrumentSpec | undefined): number {
  if (b[p] !== Ch.LBracket) return -1;
  p++;
  if (b[p] === Ch.RBracket) return p + 1;
  for (;;) {
    if (b[p] !== Ch.LBracket || b[p + 1] !== Ch.Quote) return -1;
    const ps = p + 2;
    const pe = quoteAt(b, ps);
    if (pe < 0 || b[pe + 1] !== Ch.Comma || b[pe + 2] !== Ch.Quote) return -1;
    const ss = pe + 3;
    const se = quoteAt(b, ss);
    if (se < 0 || b[se + 1] !== Ch.RBracket) return -1;
    if (spec !== undefined) {
      const price = parseDecimalRange(b, ps, pe, spec.priceScale);
      const size = parseDecimalRange(b, ss, se, spec.sizeScale);
      if (!(price > 0 && size >= 0)) return -1;
      out.push(price, size === 0 ? 0 : size);
    }
    p = se + 2;
    const c = b[p];
    if (c === Ch.Comma) {
      p++;
      continue;
    }
    return c === Ch.RBracket ? p + 1 : -1;
  }
}

/** Most symbols a SymbolCache keeps (beyond, a new symbol is looked up every time). */
const MAX_SYMBOLS = 1 << 16;

/**
 * Venue symbols already resolved, compared in place against the frame bytes: an open-addressing
 * table keyed by a hash of the symbol's bytes, so a hit costs one hash, usually one probe and
 * one comparison whatever the number of instruments, and only a first sight builds the symbol
 * string and asks the registry. Only registered symbols are kept, never evicted (the registry
 * only grows, so an entry never goes stale); the table doubles to stay at most half full, up to
 * MAX_SYMBOLS entries. Symbols must be printable ASCII here; any other byte (escapes, control
 * characters, UTF-8) resolves to undefined, so the JSON path reads that frame.
 */
export class SymbolCache {
  readonly #ctx: ParseContext;
  #mask = 63;
  #count = 0;
  #hashes = new Int32Array(64);
  #names: (string | undefined)[] = new Array<string | undefined>(64).fill(undefined);
  #specs: (InstrumentSpec | undefined)[] = new Array<InstrumentSpec | undefined>(64).fill(undefined);

  constructor(ctx: ParseContext) {
    this.#ctx = ctx;
  }

  /** The instrument whose venue symbol is the bytes [start, end), or undefined. */
  resolve(b: Uint8Array, start: number, end: number): InstrumentSpec | undefined {
    let h = 0x811c9dc5;
    for (let i = start; i < end; i++) {
      const c = b[i] as number;
      if (c < 32 || c >= 127 || c === Ch.Backslash) return undefined;
      h = Math.imul(h ^ c, 0x01000193);
    }
    h ^= h >>> 16;
    const len = end - start;
    const mask = this.#mask;
    const names = this.#names;
    for (let slot = h & mask; ; slot = (slot + 1) & mask) {
      const name = names[slot];
      if (name === undefined) break;
      if (this.#hashes[slot] === h && name.length === len && ascii(b, start, name)) return this.#specs[slot];
    }
    let symbol = '';
    for (let i = start; i < end; i++) symbol += String.fromCharCode(b[i] as number);
    const spec = this.#ctx.registry.lookup(this.#ctx.venueName, symbol);
    if (spec !== undefined && this.#count < MAX_SYMBOLS) {
      if ((this.#count + 1) * 2 > mask + 1) this.#grow();
      this.#insert(h, symbol, spec);
    }
    return spec;
  }

  #insert(h: number, name: string, spec: InstrumentSpec): void {
    const mask = this.#mask;
    let slot = h & mask;
    while (this.#names[slot] !== undefined) slot = (slot + 1) & mask;
    this.#hashes[slot] = h;
    this.#names[slot] = name;
    this.#specs[slot] = spec;
    this.#count++;
  }

  #grow(): void {
    const hashes = this.#hashes;
    const names = this.#names;
    const specs = this.#specs;
    const size = names.length * 2;
    this.#mask = size - 1;
    this.#count = 0;
    this.#hashes = new Int32Array(size);
    this.#names = new Array<string | undefined>(size).fill(undefined);
    this.#specs = new Array<InstrumentSpec | undefined>(size).fill(undefined);
    for (let i = 0; i < names.length; i++) {
      const name = names[i];
      if (name !== undefined) this.#insert(hashes[i] as number, name, specs[i] as InstrumentSpec);
    }
  }
}
