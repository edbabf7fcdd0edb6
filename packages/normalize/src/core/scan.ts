import type { InstrumentSpec, LevelBuffer } from '@tickline/wire';
import type { ParseContext } from './context.js';
import { parseDecimalRange } from './decimal-range.js';

/**
 * Primitives of the venue fast paths (one-pass scanners over a frame's text, no JSON tree, no
 * substrings). Every function here accepts only compact JSON it fully understands and reports
 * anything else (whitespace, escapes, other value types) as failure, so a scanner can hand the
 * frame to the JSON path untouched.
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

/** True when [from, to) holds no backslash and no control character (JSON needs them escaped). */
export function plain(t: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = t.charCodeAt(i);
    if (c < 32 || c === Ch.Backslash) return false;
  }
  return true;
}

/**
 * End of the JSON integer starting at `p` (an optional minus, then 1 to 16 digits without a
 * leading zero; no fraction or exponent may follow), or -1. Its value: `intValue(t, p, end)`.
 */
export function intEnd(t: string, p: number): number {
  let q = t.charCodeAt(p) === Ch.Minus ? p + 1 : p;
  const start = q;
  for (; q < t.length; q++) {
    const d = t.charCodeAt(q) - 48;
    if (d < 0 || d > 9) break;
  }
  const n = q - start;
  if (n === 0 || n > 16) return -1;
  if (n > 1 && t.charCodeAt(start) === 48) return -1; // leading zero: not JSON
  return q;
}

/** The value of an integer `intEnd` accepted over [from, to). */
export function intValue(t: string, from: number, to: number): number {
  const negative = t.charCodeAt(from) === Ch.Minus;
  let v = 0;
  for (let i = negative ? from + 1 : from; i < to; i++) v = v * 10 + (t.charCodeAt(i) - 48);
  return negative ? -v : v;
}

/**
 * A list of `["price","size"]` levels starting at `p` (the `[`): each price > 0 and each size >= 0
 * at the instrument's scales, pushed into `out` (-0 as 0). With `spec` undefined only the shape is
 * checked and nothing is pushed (a list read before its instrument is known). Returns the index
 * after the closing `]`, or -1.
 */
export function levelPairs(t: string, p: number, out: LevelBuffer, spec: InstrumentSpec | undefined): number {
  if (t.charCodeAt(p) !== Ch.LBracket) return -1;
  p++;
  if (t.charCodeAt(p) === Ch.RBracket) return p + 1;
  for (;;) {
    if (t.charCodeAt(p) !== Ch.LBracket || t.charCodeAt(p + 1) !== Ch.Quote) return -1;
    const ps = p + 2;
    const pe = t.indexOf('"', ps);
    if (pe < 0 || t.charCodeAt(pe + 1) !== Ch.Comma || t.charCodeAt(pe + 2) !== Ch.Quote) return -1;
    const ss = pe + 3;
    const se = t.indexOf('"', ss);
    if (se < 0 || t.charCodeAt(se + 1) !== Ch.RBracket) return -1;
    if (spec !== undefined) {
      const price = parseDecimalRange(t, ps, pe, spec.priceScale);
      const size = parseDecimalRange(t, ss, se, spec.sizeScale);
      if (!(price > 0 && size >= 0)) return -1;
      out.push(price, size === 0 ? 0 : size);
    }
    p = se + 2;
    const c = t.charCodeAt(p);
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
 * Venue symbols already resolved, compared in place against the frame text: an open-addressing
 * table keyed by a hash of the symbol's characters, so a hit costs one hash, usually one probe
 * and one comparison whatever the number of instruments, and only a first sight slices the
 * symbol out and asks the registry. Only registered symbols are kept, never evicted (the
 * registry only grows, so an entry never goes stale); the table doubles to stay at most half
 * full, up to MAX_SYMBOLS entries.
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

  /** The instrument whose venue symbol is the text [start, end) (plain, no escapes), or undefined. */
  resolve(t: string, start: number, end: number): InstrumentSpec | undefined {
    let h = 0x811c9dc5;
    for (let i = start; i < end; i++) h = Math.imul(h ^ t.charCodeAt(i), 0x01000193);
    h ^= h >>> 16;
    const len = end - start;
    const mask = this.#mask;
    const names = this.#names;
    for (let slot = h & mask; ; slot = (slot + 1) & mask) {
      const name = names[slot];
      if (name === undefined) break;
      if (this.#hashes[slot] === h && name.length === len && t.startsWith(name, start)) return this.#specs[slot];
    }
    const symbol = t.slice(start, end);
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
