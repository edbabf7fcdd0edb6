import type { BookDeltaDraft, InstrumentSpec, QuoteBatchDraft } from '@tickline/wire';
import { type ParseContext, stamp } from '../context.js';
import { parseDecimalRange } from '../decimal-range.js';
import { ascii, asciiIn, Ch, intEnd, intValue, levelPairs, plain, quoteAt, SymbolCache } from '../scan.js';

/**
 * Fast path for the two hottest Binance messages, diff depth (`depthUpdate`) and `bookTicker`,
 * raw or in the combined-stream wrapper: one pass over the frame's bytes (no text decode),
 * decimals parsed in place, no JSON tree, no substrings. It accepts only frames it fully understands and that are valid in
 * every field; anything else (escapes, unexpected value types, bad decimals, unknown symbols,
 * partial-depth streams, other events) returns false before emitting, and the JSON path takes
 * the frame and produces the same output or the precise reject.
 */

export class BinanceDepthScanner {
  readonly #ctx: ParseContext;
  readonly #delta: BookDeltaDraft;
  readonly #quotes: QuoteBatchDraft;
  readonly #futures: boolean;
  // Per-frame fields (reset by tryFrame).
  #t: Uint8Array = new Uint8Array(0);
  #pos = 0;
  #spec: InstrumentSpec | undefined;
  #event = 0; // 0 none, 1 depthUpdate, 2 bookTicker, 3 other
  #E = Number.NaN;
  #T = Number.NaN;
  #U = Number.NaN;
  #u = Number.NaN;
  #pu = Number.NaN;
  #bStr = -1;
  #bEnd = -1;
  #aStr = -1;
  #aEnd = -1;
  #BStr = -1;
  #BEnd = -1;
  #AStr = -1;
  #AEnd = -1;
  #levels = 0; // bit 1: b levels read, bit 2: a levels read
  readonly #symbols: SymbolCache;

  constructor(ctx: ParseContext, delta: BookDeltaDraft, quotes: QuoteBatchDraft, futures: boolean) {
    this.#ctx = ctx;
    this.#delta = delta;
    this.#quotes = quotes;
    this.#futures = futures;
    this.#symbols = new SymbolCache(ctx);
  }

  tryFrame(bytes: Uint8Array): boolean {
    const b = bytes;
    this.#t = b;
    this.#pos = 0;
    this.#spec = undefined;
    this.#event = 0;
    this.#E = this.#T = this.#U = this.#u = this.#pu = Number.NaN;
    this.#bStr = this.#aStr = this.#BStr = this.#AStr = -1;
    this.#levels = 0;
    this.#delta.reset();
    if (b[0] !== Ch.LBrace) return false;
    // Combined stream: {"stream":"...","data":{...}}
    if (ascii(b, 0, '{"stream":"')) {
      const sEnd = quoteAt(b, 11);
      if (sEnd < 0 || !plain(b, 11, sEnd)) return false;
      const at = asciiIn(b, 11, sEnd, '@depth');
      if (at >= 0) {
        const next = b[at + 6] as number;
        if (next >= 48 && next <= 57) return false; // partial depth: a snapshot, JSON path
      }
      if (!ascii(b, sEnd + 1, ',"data":')) return false;
      this.#pos = sEnd + 9;
      if (!this.#object()) return false;
      if (b[this.#pos] !== Ch.RBrace || this.#pos + 1 !== b.length) return false;
    } else {
      if (!this.#object()) return false;
      if (this.#pos !== b.length) return false;
    }
    return this.#emit();
  }

  #emit(): boolean {
    const ctx = this.#ctx;
    const spec = this.#spec;
    if (spec === undefined) return false;
    if (this.#event === 1) {
      if (this.#levels !== 3 || this.#bStr >= 0 || this.#aStr >= 0 || Number.isNaN(this.#U) || Number.isNaN(this.#u)) return false;
      if (this.#futures !== !Number.isNaN(this.#pu)) return false;
      const d = this.#delta;
      stamp(d, ctx, spec);
      d.firstSeq = this.#U;
      d.lastSeq = this.#u;
      d.prevSeq = this.#pu;
      const ms = Number.isNaN(this.#T) ? this.#E : this.#T;
      if (Number.isNaN(ms)) return false;
      const s = Math.floor(ms / 1000);
      d.exchS = s;
      d.exchNs = (ms - s * 1000) * 1_000_000;
      ctx.emitDelta(d);
      return true;
    }
    if (this.#event === 0 || this.#event === 2) {
      if (this.#levels !== 0 || this.#bStr < 0 || this.#aStr < 0 || this.#BStr < 0 || this.#AStr < 0 || Number.isNaN(this.#u)) return false;
      const t = this.#t;
      const bp = parseDecimalRange(t, this.#bStr, this.#bEnd, spec.priceScale);
      const bs = parseDecimalRange(t, this.#BStr, this.#BEnd, spec.sizeScale);
      const ap = parseDecimalRange(t, this.#aStr, this.#aEnd, spec.priceScale);
      const as = parseDecimalRange(t, this.#AStr, this.#AEnd, spec.sizeScale);
      if (!(bp > 0 && ap > 0 && bs >= 0 && as >= 0)) return false;
      let s = 0;
      let ns = 0;
      const ms = Number.isNaN(this.#T) ? this.#E : this.#T;
      if (!Number.isNaN(ms)) {
        s = Math.floor(ms / 1000);
        ns = (ms - s * 1000) * 1_000_000;
      }
      const q = this.#quotes.reset();
      stamp(q, ctx, spec);
      q.push(bp, bs === 0 ? 0 : bs, ap, as === 0 ? 0 : as, this.#u, s, ns);
      ctx.emitQuotes(q);
      return true;
    }
    return false;
  }

  /** Reads one flat object of known keys. Leaves #pos after its closing brace. */
  #object(): boolean {
    const t = this.#t;
    let p = this.#pos;
    if (t[p] !== Ch.LBrace) return false;
    p++;
    if (t[p] === Ch.RBrace) return false;
    for (;;) {
      if (t[p] !== Ch.Quote) return false;
      const kStart = p + 1;
      const kEnd = quoteAt(t, kStart);
      if (kEnd < 0 || t[kEnd + 1] !== Ch.Colon || !plain(t, kStart, kEnd)) return false;
      p = kEnd + 2;
      const klen = kEnd - kStart;
      const k0 = t[kStart] as number;
      const c = t[p] as number;
      const isPu = klen === 2 && k0 === 112 && t[kStart + 1] === 117;
      if (c === Ch.Quote) {
        const vStart = p + 1;
        const vEnd = quoteAt(t, vStart);
        if (vEnd < 0) return false;
        if (!plain(t, vStart, vEnd)) return false;
        if (isPu || (klen === 1 && isNumericKey(k0))) return false; // wrong type: JSON path decides
        if (klen === 1) {
          if (k0 === 115 /* s */) {
            if (this.#spec !== undefined) return false;
            this.#spec = this.#symbols.resolve(t, vStart, vEnd);
            if (this.#spec === undefined) return false;
          } else if (k0 === 101 /* e */) {
            this.#event = ascii(t, vStart, 'depthUpdate"') ? 1 : ascii(t, vStart, 'bookTicker"') ? 2 : 3;
          } else if (k0 === 98 /* b */) {
            this.#bStr = vStart;
            this.#bEnd = vEnd;
          } else if (k0 === 97 /* a */) {
            this.#aStr = vStart;
            this.#aEnd = vEnd;
          } else if (k0 === 66 /* B */) {
            this.#BStr = vStart;
            this.#BEnd = vEnd;
          } else if (k0 === 65 /* A */) {
            this.#AStr = vStart;
            this.#AEnd = vEnd;
          }
        }
        p = vEnd + 1;
      } else if (c === Ch.LBracket) {
        if (klen !== 1 || (k0 !== 98 && k0 !== 97)) return false;
        const spec = this.#spec;
        const bit = k0 === 98 ? 1 : 2;
        if (spec === undefined || (this.#levels & bit) !== 0) return false;
        const out = k0 === 98 ? this.#delta.bids : this.#delta.asks;
        p = levelPairs(t, p, out, spec);
        if (p < 0) return false;
        this.#levels |= bit;
      } else if ((c >= 48 && c <= 57) || c === Ch.Minus) {
        const q = intEnd(t, p);
        if (q < 0) return false;
        const next = t[q];
        if (next !== Ch.Comma && next !== Ch.RBrace) return false;
        if (klen === 1 && isStringKey(k0)) return false;
        const v = intValue(t, p, q);
        if (klen === 1) {
          if (k0 === 69 /* E */) this.#E = v;
          else if (k0 === 84 /* T */) this.#T = v;
          else if (k0 === 85 /* U */) this.#U = v;
          else if (k0 === 117 /* u */) this.#u = v;
        } else if (isPu) {
          this.#pu = v;
        }
        if (!Number.isSafeInteger(v) || v < 0) {
          if (klen <= 2) return false;
        }
        p = q;
      } else if (isPu || (klen === 1 && (isStringKey(k0) || isNumericKey(k0)))) {
        return false;
      } else if (ascii(t, p, 'true') || ascii(t, p, 'null')) {
        p += 4;
      } else if (ascii(t, p, 'false')) {
        p += 5;
      } else {
        return false;
      }
      const sep = t[p];
      if (sep === Ch.Comma) {
        p++;
        continue;
      }
      if (sep === Ch.RBrace) {
        this.#pos = p + 1;
        return true;
      }
      return false;
    }
  }
}

/** One-letter keys the scanner reads as strings: s, e, b, a, B, A. */
function isStringKey(k: number): boolean {
  return k === 115 || k === 101 || k === 98 || k === 97 || k === 66 || k === 65;
}

/** One-letter keys the scanner reads as integers: E, T, U, u. */
function isNumericKey(k: number): boolean {
  return k === 69 || k === 84 || k === 85 || k === 117;
}
