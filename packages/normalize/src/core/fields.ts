import { type InstrumentSpec, type LevelBuffer, parseDecimal } from '@tickline/wire';
import { clip, type ParseContext } from './context.js';
import { Reason } from './reasons.js';

/**
 * Field readers shared by the venue parsers. Each returns the value, or NaN / false after
 * calling `ctx.reject` with a detail naming the field. None throws on any input.
 */

/** A JSON object (not an array, not null) viewed as a string-keyed record. */
export type Obj = Record<string, unknown>;

export function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Decimal text (or, for venues that send JSON numbers, a number) to a mantissa at `scale`. */
export function mantissaOf(v: unknown, scale: number): number {
  if (typeof v === 'string') return parseDecimal(v, scale);
  if (typeof v === 'number') return numberMantissa(v, scale);
  return Number.NaN;
}

const P10 = [1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18];

/**
 * The mantissa of a JSON number at `scale`, exact when the number was written with at most
 * `scale` decimals: the candidate mantissa is accepted only if it maps back to the very same
 * double. JSON numbers lose trailing zeros, so the scale must come from the instrument.
 */
export function numberMantissa(x: number, scale: number): number {
  const p = P10[scale];
  if (p === undefined || !Number.isFinite(x)) return Number.NaN;
  const m = Math.round(x * p);
  if (!(Math.abs(m) < 2 ** 53)) return Number.NaN;
  return m / p === x ? m : Number.NaN;
}

const DECIMAL_SYNTAX = /^[+-]?(\d+\.?\d*|\.\d+)$/;

/** Why a decimal failed: finer than the scale, or not a decimal / out of range at all. */
function decimalFailure(v: unknown, scale: number): typeof Reason.PrecisionExceeded | null {
  if (typeof v === 'string' && DECIMAL_SYNTAX.test(v)) {
    const dot = v.indexOf('.');
    let end = v.length;
    while (dot >= 0 && end > dot + 1 && v.charCodeAt(end - 1) === 48) end--;
    if (dot >= 0 && end - dot - 1 > scale) return Reason.PrecisionExceeded;
  }
  if (typeof v === 'number' && Number.isFinite(v) && Math.abs(v) < 2 ** 53 && Number.isNaN(numberMantissa(v, scale)))
    return Reason.PrecisionExceeded;
  return null;
}

function describe(v: unknown): string {
  if (typeof v === 'string') return `"${clip(v)}"`;
  if (v === undefined) return 'missing';
  return clip(String(JSON.stringify(v)));
}

/** A strictly positive price mantissa at the instrument's price scale, or NaN after rejecting. */
export function readPrice(ctx: ParseContext, v: unknown, spec: InstrumentSpec, field: string): number {
  const m = mantissaOf(v, spec.priceScale);
  if (m > 0) return m;
  if (v === undefined) ctx.reject(Reason.MissingField, `${field} is missing`);
  else if (m === 0 || m < 0) ctx.reject(Reason.NonPositivePrice, `${field} ${describe(v)} must be above zero`);
  else
    ctx.reject(
      decimalFailure(v, spec.priceScale) ?? Reason.InvalidPrice,
      `${field} ${describe(v)} is not a decimal at price scale ${spec.priceScale}`,
    );
  return Number.NaN;
}

/** A non-negative size mantissa at the instrument's size scale, or NaN after rejecting. */
export function readSize(ctx: ParseContext, v: unknown, spec: InstrumentSpec, field: string): number {
  const m = mantissaOf(v, spec.sizeScale);
  if (m >= 0) return m === 0 ? 0 : m; // -0 -> 0
  if (v === undefined) ctx.reject(Reason.MissingField, `${field} is missing`);
  else if (m < 0) ctx.reject(Reason.NegativeSize, `${field} ${describe(v)} must not be negative`);
  else
    ctx.reject(
      decimalFailure(v, spec.sizeScale) ?? Reason.InvalidSize,
      `${field} ${describe(v)} is not a decimal at size scale ${spec.sizeScale}`,
    );
  return Number.NaN;
}

/**
 * Reads `[[price, size, ...], ...]` (price and size at indexes 0 and 1, any trailing fields
 * ignored) into `out`, keeping the venue's order. False after rejecting the first bad level.
 */
export function readLevelArrays(ctx: ParseContext, levels: unknown, out: LevelBuffer, spec: InstrumentSpec, field: string): boolean {
  if (!Array.isArray(levels)) {
    ctx.reject(levels === undefined ? Reason.MissingField : Reason.InvalidField, `${field} must be an array of levels`);
    return false;
  }
  for (let i = 0; i < levels.length; i++) {
    const lv: unknown = levels[i];
    if (!Array.isArray(lv) || lv.length < 2) {
      ctx.reject(Reason.InvalidField, `${field}[${i}] must be a [price, size] array`);
      return false;
    }
    const p = readPrice(ctx, lv[0], spec, `${field}[${i}][0] (price)`);
    if (Number.isNaN(p)) return false;
    const s = readSize(ctx, lv[1], spec, `${field}[${i}][1] (size)`);
    if (Number.isNaN(s)) return false;
    out.push(p, s);
  }
  return true;
}

/** A non-negative integer sequence number (number or digit string), or NaN after rejecting. */
export function readSeq(ctx: ParseContext, v: unknown, field: string, allowMinusOne = false): number {
  let n = Number.NaN;
  if (typeof v === 'number') n = v;
  else if (typeof v === 'string' && /^-?\d{1,16}$/.test(v)) n = Number(v);
  if (Number.isSafeInteger(n) && (n >= 0 || (allowMinusOne && n === -1))) return n;
  ctx.reject(v === undefined ? Reason.MissingField : Reason.InvalidField, `${field} ${describe(v)} must be a non-negative integer`);
  return Number.NaN;
}

/** Optional sequence: NaN without rejecting when absent, else as readSeq. */
export function readOptSeq(ctx: ParseContext, v: unknown, field: string, allowMinusOne = false): number | null {
  if (v === undefined || v === null) return Number.NaN;
  const n = readSeq(ctx, v, field, allowMinusOne);
  return Number.isNaN(n) ? null : n;
}

/**
 * Checks a snapshot side is strictly best-first (bids descending, asks ascending) and that the
 * book is not crossed. False after rejecting.
 */
export function checkSnapshotSides(ctx: ParseContext, bids: LevelBuffer, asks: LevelBuffer, what: string): boolean {
  for (let i = 1; i < bids.length; i++) {
    if (!(bids.price(i) < bids.price(i - 1))) {
      ctx.reject(Reason.UnsortedLevels, `${what} bids[${i}] is not below bids[${i - 1}]`);
      return false;
    }
  }
  for (let i = 1; i < asks.length; i++) {
    if (!(asks.price(i) > asks.price(i - 1))) {
      ctx.reject(Reason.UnsortedLevels, `${what} asks[${i}] is not above asks[${i - 1}]`);
      return false;
    }
  }
  if (bids.length > 0 && asks.length > 0 && bids.price(0) >= asks.price(0)) {
    ctx.reject(Reason.CrossedBook, `${what} best bid (bids[0]) is at or above best ask (asks[0])`);
    return false;
  }
  return true;
}

/**
 * Reads `[{<priceKey>: p, <sizeKey>: s}, ...]` into `out` in the venue's order (Kraken v2, where
 * the values are JSON numbers). False after rejecting the first bad level.
 */
export function readLevelObjects(
  ctx: ParseContext,
  levels: unknown,
  out: LevelBuffer,
  spec: InstrumentSpec,
  field: string,
  priceKey: string,
  sizeKey: string,
): boolean {
  if (!Array.isArray(levels)) {
    ctx.reject(levels === undefined ? Reason.MissingField : Reason.InvalidField, `${field} must be an array of levels`);
    return false;
  }
  for (let i = 0; i < levels.length; i++) {
    const lv: unknown = levels[i];
    if (!isObj(lv)) {
      ctx.reject(Reason.InvalidField, `${field}[${i}] must be an object`);
      return false;
    }
    const p = readPrice(ctx, lv[priceKey], spec, `${field}[${i}].${priceKey}`);
    if (Number.isNaN(p)) return false;
    const s = readSize(ctx, lv[sizeKey], spec, `${field}[${i}].${sizeKey}`);
    if (Number.isNaN(s)) return false;
    out.push(p, s);
  }
  return true;
}

/** Puts a snapshot side best-first (bids descending, asks ascending) if it is not already. */
export function sortBestFirst(buf: LevelBuffer, descending: boolean): void {
  const n = buf.length;
  let sorted = true;
  for (let i = 1; i < n && sorted; i++) {
    const a = buf.price(i - 1);
    const b = buf.price(i);
    if (descending ? b > a : b < a) sorted = false;
  }
  if (sorted) return;
  const idx = Array.from({ length: n }, (_, i) => i);
  const prices = buf.prices.slice(0, n);
  const sizes = buf.sizes.slice(0, n);
  idx.sort((x, y) => (descending ? (prices[y] as number) - (prices[x] as number) : (prices[x] as number) - (prices[y] as number)));
  for (let i = 0; i < n; i++) {
    const j = idx[i] as number;
    buf.prices[i] = prices[j] as number;
    buf.sizes[i] = sizes[j] as number;
  }
}

/** A venue trade id as a number when it is a safe non-negative integer (number or digits), else NaN. */
export function tradeIdOf(v: unknown): number {
  if (typeof v === 'number') return Number.isSafeInteger(v) && v >= 0 ? v : Number.NaN;
  if (typeof v === 'string' && v.length > 0 && v.length <= 16) {
    let n = 0;
    for (let i = 0; i < v.length; i++) {
      const c = v.charCodeAt(i) - 48;
      if (c < 0 || c > 9) return Number.NaN;
      n = n * 10 + c;
    }
    return n;
  }
  return Number.NaN;
}
