import { type BookDeltaDraft, type InstrumentSpec, SideCode, type TradeBatchDraft } from '@tickline/wire';
import { type ParseContext, stamp } from '../context.js';
import { parseDecimalRange } from '../decimal-range.js';
import { ascii, Ch, intEnd, intValue, levelPairs, quoteAt, SymbolCache } from '../scan.js';

/**
 * Fast path for the embedded exchange's two live messages (docs/exchange-protocol.md), `delta`
 * (`{"type":"delta","channel":"book:S","seq":N,"prevSeq":N,"ts":N,"bids":[["p","s"],..],"asks":[..]}`)
 * and `trade` (`{"type":"trade","channel":"trades:S","ts":N,"trades":[{"id":N,"price":"p","size":"s","side":"buy"},..]}`):
 * one pass over the frame's bytes (no text decode), decimals parsed in place, symbols resolved
 * through a cache compared in place, no JSON tree, no substrings. Keys may come in any order (a level or trade list read
 * before the channel is checked for shape and parsed once the instrument is known). It accepts
 * only compact frames with exactly the documented fields, each once and valid; anything else
 * (whitespace, escapes, unknown or missing fields, other types, bad numbers or decimals, unknown
 * symbols, empty trade lists) returns false before emitting, and the JSON path takes the frame
 * and produces the same output or the precise reject.
 */

// Top-level keys, one bit each.
const K_TYPE = 1;
const K_CHANNEL = 2;
const K_SEQ = 4;
const K_PREV = 8;
const K_TS = 16;
const K_BIDS = 32;
const K_ASKS = 64;
const K_TRADES = 128;
const DELTA_KEYS = K_TYPE | K_CHANNEL | K_SEQ | K_PREV | K_TS | K_BIDS | K_ASKS;
const TRADE_KEYS = K_TYPE | K_CHANNEL | K_TS | K_TRADES;

// Trade object keys.
const T_ID = 1;
const T_PRICE = 2;
const T_SIZE = 4;
const T_SIDE = 8;
const TRADE_FIELDS = T_ID | T_PRICE | T_SIZE | T_SIDE;

const TYPE_DELTA = 1;
const TYPE_TRADE = 2;

export class SimScanner {
  readonly #ctx: ParseContext;
  readonly #delta: BookDeltaDraft;
  readonly #trades: TradeBatchDraft;
  readonly #symbols: SymbolCache;
  // Per-frame fields (reset by tryFrame).
  #b: Uint8Array = new Uint8Array(0);
  #spec: InstrumentSpec | undefined;
  #type = 0;
  #seen = 0; // keys read so far
  #book = false; // channel is book:<S> (else trades:<S>)
  #seq = 0;
  #prev = 0;
  #s = 0;
  #ns = 0;
  // Start of a list met before the fields needed to parse it (-1: none, parsed in place).
  #bidsAt = -1;
  #asksAt = -1;
  #tradesAt = -1;

  constructor(ctx: ParseContext, delta: BookDeltaDraft, trades: TradeBatchDraft) {
    this.#ctx = ctx;
    this.#delta = delta;
    this.#trades = trades;
    this.#symbols = new SymbolCache(ctx);
  }

  tryFrame(bytes: Uint8Array): boolean {
    this.#b = bytes;
    this.#spec = undefined;
    this.#type = 0;
    this.#seen = 0;
    this.#bidsAt = this.#asksAt = this.#tradesAt = -1;
    this.#delta.reset();
    this.#trades.reset();
    const b = bytes;
    if (b[0] !== Ch.LBrace) return false;
    let p = 1;
    for (;;) {
      if (b[p] !== Ch.Quote) return false;
      const kStart = p + 1;
      const kEnd = quoteAt(b, kStart);
      if (kEnd < 0 || b[kEnd + 1] !== Ch.Colon) return false;
      const key = keyOf(b, kStart, kEnd - kStart);
      if (key === 0 || (this.#seen & key) !== 0) return false;
      p = this.#value(key, kEnd + 2);
      this.#seen |= key;
      if (p < 0) return false;
      const sep = b[p];
      if (sep === Ch.Comma) {
        p++;
        continue;
      }
      if (sep !== Ch.RBrace || p + 1 !== b.length) return false;
      break;
    }
    const seen = this.#seen;
    if (this.#type === TYPE_DELTA && seen === DELTA_KEYS && this.#book) return this.#emitDelta();
    if (this.#type === TYPE_TRADE && seen === TRADE_KEYS && !this.#book) return this.#emitTrades();
    return false;
  }

  /** Reads the value of `key` at `p`; the index after it, or -1. */
  #value(key: number, p: number): number {
    const b = this.#b;
    switch (key) {
      case K_TYPE:
        if (ascii(b, p, '"delta"')) this.#type = TYPE_DELTA;
        else if (ascii(b, p, '"trade"')) this.#type = TYPE_TRADE;
        else return -1; // other types (snapshot, control, errors): JSON path
        return p + 7;
      case K_CHANNEL: {
        let start: number;
        if (ascii(b, p, '"book:')) {
          this.#book = true;
          start = p + 6;
        } else if (ascii(b, p, '"trades:')) {
          this.#book = false;
          start = p + 8;
        } else {
          return -1;
        }
        const end = quoteAt(b, start);
        if (end < 0) return -1;
        this.#spec = this.#symbols.resolve(b, start, end);
        return this.#spec === undefined ? -1 : end + 1;
      }
      case K_SEQ:
      case K_PREV:
      case K_TS: {
        const q = uintEnd(b, p);
        if (q < 0) return -1;
        const v = intValue(b, p, q);
        if (!Number.isSafeInteger(v)) return -1;
        if (key === K_SEQ) this.#seq = v;
        else if (key === K_PREV) this.#prev = v;
        else {
          const s = Math.floor(v / 1000);
          this.#s = s;
          this.#ns = (v - s * 1000) * 1_000_000;
        }
        return q;
      }
      case K_BIDS:
      case K_ASKS: {
        const spec = this.#spec;
        if (spec === undefined) {
          if (key === K_BIDS) this.#bidsAt = p;
          else this.#asksAt = p;
        }
        return levelPairs(b, p, key === K_BIDS ? this.#delta.bids : this.#delta.asks, spec);
      }
      default: {
        // K_TRADES: parsed in place once the instrument and the time are known.
        const ready = this.#spec !== undefined && (this.#seen & K_TS) !== 0;
        if (!ready) this.#tradesAt = p;
        return this.#tradeList(p, ready);
      }
    }
  }

  #emitDelta(): boolean {
    const ctx = this.#ctx;
    const spec = this.#spec as InstrumentSpec;
    const d = this.#delta;
    const b = this.#b;
    if (this.#bidsAt >= 0 && levelPairs(b, this.#bidsAt, d.bids, spec) < 0) return false;
    if (this.#asksAt >= 0 && levelPairs(b, this.#asksAt, d.asks, spec) < 0) return false;
    stamp(d, ctx, spec);
    d.firstSeq = this.#seq;
    d.lastSeq = this.#seq;
    d.prevSeq = this.#prev;
    d.exchS = this.#s;
    d.exchNs = this.#ns;
    ctx.emitDelta(d);
    return true;
  }

  #emitTrades(): boolean {
    const ctx = this.#ctx;
    const tb = this.#trades;
    if (this.#tradesAt >= 0 && this.#tradeList(this.#tradesAt, true) < 0) return false;
    stamp(tb, ctx, this.#spec as InstrumentSpec);
    ctx.emitTrades(tb);
    return true;
  }

  /**
   * A non-empty list of trade objects at `p` (the `[`). With `parse` each is validated at the
   * instrument's scales and pushed; without, only the shape is checked. The index after the `]`, or -1.
   */
  #tradeList(p: number, parse: boolean): number {
    const b = this.#b;
    if (b[p] !== Ch.LBracket) return -1;
    p++;
    for (;;) {
      p = this.#trade(p, parse);
      if (p < 0) return -1;
      const c = b[p];
      if (c === Ch.Comma) {
        p++;
        continue;
      }
      return c === Ch.RBracket ? p + 1 : -1;
    }
  }

  /** One `{"id":N,"price":"p","size":"s","side":"buy"|"sell"}` (keys in any order) at `p`. */
  #trade(p: number, parse: boolean): number {
    const b = this.#b;
    if (b[p] !== Ch.LBrace) return -1;
    p++;
    let seen = 0;
    let id = 0;
    let price = 0;
    let size = 0;
    let side = SideCode.Buy;
    for (;;) {
      if (b[p] !== Ch.Quote) return -1;
      const kStart = p + 1;
      const kEnd = quoteAt(b, kStart);
      if (kEnd < 0 || b[kEnd + 1] !== Ch.Colon) return -1;
      const key = tradeKeyOf(b, kStart, kEnd - kStart);
      if (key === 0 || (seen & key) !== 0) return -1;
      seen |= key;
      p = kEnd + 2;
      if (key === T_ID) {
        const q = uintEnd(b, p);
        if (q < 0) return -1;
        id = intValue(b, p, q);
        if (!Number.isSafeInteger(id)) return -1;
        p = q;
      } else if (key === T_SIDE) {
        if (ascii(b, p, '"buy"')) {
          side = SideCode.Buy;
          p += 5;
        } else if (ascii(b, p, '"sell"')) {
          side = SideCode.Sell;
          p += 6;
        } else {
          return -1;
        }
      } else {
        if (b[p] !== Ch.Quote) return -1;
        const end = quoteAt(b, p + 1);
        if (end < 0) return -1;
        if (parse) {
          const spec = this.#spec as InstrumentSpec;
          if (key === T_PRICE) {
            price = parseDecimalRange(b, p + 1, end, spec.priceScale);
            if (!(price > 0)) return -1;
          } else {
            size = parseDecimalRange(b, p + 1, end, spec.sizeScale);
            if (!(size >= 0)) return -1;
          }
        }
        p = end + 1;
      }
      const sep = b[p];
      if (sep === Ch.Comma) {
        p++;
        continue;
      }
      if (sep !== Ch.RBrace || seen !== TRADE_FIELDS) return -1;
      if (parse) this.#trades.push(price, size === 0 ? 0 : size, side, id, this.#s, this.#ns);
      return p + 1;
    }
  }
}

/** A non-negative JSON integer at `p` (`intEnd` without the minus): its end, or -1. */
function uintEnd(b: Uint8Array, p: number): number {
  return b[p] === Ch.Minus ? -1 : intEnd(b, p);
}

function keyOf(b: Uint8Array, at: number, len: number): number {
  switch (len) {
    case 2:
      return ascii(b, at, 'ts') ? K_TS : 0;
    case 3:
      return ascii(b, at, 'seq') ? K_SEQ : 0;
    case 4:
      return ascii(b, at, 'type') ? K_TYPE : ascii(b, at, 'bids') ? K_BIDS : ascii(b, at, 'asks') ? K_ASKS : 0;
    case 6:
      return ascii(b, at, 'trades') ? K_TRADES : 0;
    case 7:
      return ascii(b, at, 'channel') ? K_CHANNEL : ascii(b, at, 'prevSeq') ? K_PREV : 0;
    default:
      return 0;
  }
}

function tradeKeyOf(b: Uint8Array, at: number, len: number): number {
  switch (len) {
    case 2:
      return ascii(b, at, 'id') ? T_ID : 0;
    case 4:
      return ascii(b, at, 'size') ? T_SIZE : ascii(b, at, 'side') ? T_SIDE : 0;
    case 5:
      return ascii(b, at, 'price') ? T_PRICE : 0;
    default:
      return 0;
  }
}
