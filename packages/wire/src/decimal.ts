/**
 * Exact decimals. A price or size is an integer mantissa with a decimal scale:
 * value = mantissa * 10^-scale. Mantissas travel as doubles, which hold every integer with
 * magnitude below 2^53 exactly; anything at or beyond that is refused (NaN), never rounded.
 */

export const MAX_SCALE = 18;
const MAX_MANTISSA = 2 ** 53;

const POW10: readonly number[] = Array.from({ length: MAX_SCALE + 1 }, (_, i) => 10 ** i);

/** 10^scale for 0 <= scale <= 18 (exact doubles up to 10^22). */
export function pow10(scale: number): number {
  const p = POW10[scale];
  if (p === undefined) throw new RangeError(`scale must be an integer from 0 to ${MAX_SCALE}, got ${scale}`);
  return p;
}

/**
 * Parses a plain decimal string ("123", "-0.0012", "42.50000000") into a mantissa at `scale`.
 * Returns NaN when the text is not a decimal, carries non-zero digits beyond `scale`, or the
 * mantissa would reach 2^53. Exponent notation is refused: venues send plain decimals.
 */
export function parseDecimal(text: string, scale: number): number {
  const n = text.length;
  let i = 0;
  let negative = false;
  if (n === 0) return Number.NaN;
  let c = text.charCodeAt(0);
  if (c === 45 /* - */) {
    negative = true;
    i = 1;
  } else if (c === 43 /* + */) {
    i = 1;
  }
  let mantissa = 0;
  let digits = 0;
  let frac = -1; // digits seen after the point, -1 before it
  for (; i < n; i++) {
    c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      if (frac >= 0) {
        if (frac >= scale) {
          if (c !== 48) return Number.NaN; // precision finer than the instrument allows
          continue;
        }
        frac++;
      }
      mantissa = mantissa * 10 + (c - 48);
      digits++;
    } else if (c === 46 /* . */ && frac < 0) {
      frac = 0;
    } else {
      return Number.NaN;
    }
  }
  if (digits === 0) return Number.NaN;
  const pad = scale - Math.max(frac, 0);
  if (pad > 0) mantissa *= POW10[pad] as number;
  if (!(mantissa < MAX_MANTISSA)) return Number.NaN;
  return negative ? -mantissa : mantissa;
}

/** Number of digits after the decimal point in a plain decimal string ("1.2300" -> 4). */
export function decimalPlaces(text: string): number {
  const dot = text.indexOf('.');
  return dot < 0 ? 0 : text.length - dot - 1;
}

/**
 * Formats a mantissa at `scale` as a decimal string with exactly `scale` fractional digits
 * ("12345", 2 -> "123.45"). Inverse of parseDecimal for in-range mantissas.
 */
export function formatDecimal(mantissa: number, scale: number): string {
  if (!Number.isSafeInteger(mantissa)) throw new RangeError(`mantissa must be a safe integer, got ${mantissa}`);
  const negative = mantissa < 0;
  let digits = String(negative ? -mantissa : mantissa);
  if (scale > 0) {
    if (digits.length <= scale) digits = '0'.repeat(scale - digits.length + 1) + digits;
    digits = `${digits.slice(0, digits.length - scale)}.${digits.slice(digits.length - scale)}`;
  }
  return negative ? `-${digits}` : digits;
}

/** The decimal value of a mantissa as a double (for derived figures, never for book keys). */
export function toNumber(mantissa: number, scale: number): number {
  return mantissa / pow10(scale);
}

/** Re-expresses a mantissa at another scale; NaN if precision would be lost or 2^53 reached. */
export function rescale(mantissa: number, from: number, to: number): number {
  if (to === from) return mantissa;
  if (to > from) {
    const r = mantissa * pow10(to - from);
    return Math.abs(r) < MAX_MANTISSA ? r : Number.NaN;
  }
  const d = pow10(from - to);
  const r = mantissa / d;
  return Number.isInteger(r) ? r : Number.NaN;
}

// ---------------------------------------------------------------- money and edge strings

/** Fees are taken at 10^-8 of the quote currency at least (the embedded exchange's unit). */
export const FEE_SCALE = 8;

/**
 * The scale of an instrument's money figures (P&L, fees, cost basis): fine enough for every
 * price x size product (priceScale + sizeScale) and every fee (FEE_SCALE), so sums of fills
 * are exact at it.
 */
export function moneyScale(spec: { readonly priceScale: number; readonly sizeScale: number }): number {
  return Math.max(spec.priceScale + spec.sizeScale, FEE_SCALE);
}

const BIG_POW10: bigint[] = [];
/** 10n^scale (any scale >= 0). */
export function bigPow10(scale: number): bigint {
  if (!Number.isInteger(scale) || scale < 0) throw new RangeError(`scale must be a non-negative integer, got ${scale}`);
  let p = BIG_POW10[scale];
  if (p === undefined) {
    p = 10n ** BigInt(scale);
    BIG_POW10[scale] = p;
  }
  return p;
}

/** n / d rounded half to even (d > 0). */
export function divRoundHalfEven(n: bigint, d: bigint): bigint {
  if (d <= 0n) throw new RangeError(`divisor must be positive, got ${d}`);
  let q = n / d;
  let r = n % d;
  if (r < 0n) {
    q -= 1n;
    r += d;
  }
  const twice = r * 2n;
  if (twice > d || (twice === d && q % 2n !== 0n)) q += 1n;
  return q;
}
