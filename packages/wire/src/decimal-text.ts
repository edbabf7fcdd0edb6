/**
 * Exact decimals at the edges: the string form a person or a program reads ("0.013",
 * "-0.00007", "42": plain, no exponent, no trailing fractional zeros), parsing it back to a
 * bigint mantissa, and exact arithmetic on such strings (sums over partitions, differences).
 */

import { bigPow10, divRoundHalfEven } from './decimal.js';

/**
 * The edge form of an exact decimal: a plain string, no exponent, no trailing fractional
 * zeros, "-" for negatives ("0.013", "-0.00007", "42", "0"). `mantissa` is an integer (a safe
 * integer when a number) at `scale`.
 */
export function decimalString(mantissa: number | bigint, scale: number): string {
  if (typeof mantissa === 'number' && !Number.isSafeInteger(mantissa))
    throw new RangeError(`mantissa must be a safe integer, got ${mantissa}`);
  if (!Number.isInteger(scale) || scale < 0) throw new RangeError(`scale must be a non-negative integer, got ${scale}`);
  const m = BigInt(mantissa);
  const negative = m < 0n;
  let digits = (negative ? -m : m).toString();
  if (scale > 0) {
    if (digits.length <= scale) digits = '0'.repeat(scale - digits.length + 1) + digits;
    let frac = digits.slice(digits.length - scale);
    const int = digits.slice(0, digits.length - scale);
    let end = frac.length;
    while (end > 0 && frac.charCodeAt(end - 1) === 48) end--;
    frac = frac.slice(0, end);
    digits = frac.length > 0 ? `${int}.${frac}` : int;
  }
  return negative && digits !== '0' ? `-${digits}` : digits;
}

/**
 * Parses an edge decimal string (as decimalString writes it, or with trailing zeros) into a
 * bigint mantissa at `scale`; null when it is not a plain decimal or is finer than `scale`.
 */
export function parseBigDecimal(text: string, scale: number): bigint | null {
  const m = /^([+-]?)(\d+)(?:\.(\d*))?$/.exec(text);
  if (m === null) return null;
  const frac = (m[3] ?? '').replace(/0+$/, '');
  if (frac.length > scale) return null;
  const v = BigInt((m[2] as string) + frac.padEnd(scale, '0'));
  return m[1] === '-' ? -v : v;
}

/** Digits after the point of a decimal string. */
function scaleOf(s: string): number {
  const dot = s.indexOf('.');
  return dot < 0 ? 0 : s.length - dot - 1;
}

function mantissaOf(s: string, scale: number): bigint {
  const m = parseBigDecimal(s, scale);
  if (m === null) throw new TypeError(`not a plain decimal: ${JSON.stringify(s)}`);
  return m;
}

/** a + b exactly, as an edge string (TypeError if either is not a plain decimal). */
export function addDecimals(a: string, b: string): string {
  const scale = Math.max(scaleOf(a), scaleOf(b));
  return decimalString(mantissaOf(a, scale) + mantissaOf(b, scale), scale);
}

/** a - b exactly. */
export function subDecimals(a: string, b: string): string {
  const scale = Math.max(scaleOf(a), scaleOf(b));
  return decimalString(mantissaOf(a, scale) - mantissaOf(b, scale), scale);
}

/** The exact sum of decimal strings ("0" for none). */
export function sumDecimals(values: Iterable<string>): string {
  let sum = '0';
  for (const v of values) sum = addDecimals(sum, v);
  return sum;
}

/** -1, 0 or 1 as a < b, a = b, a > b (exactly). */
export function compareDecimals(a: string, b: string): number {
  const scale = Math.max(scaleOf(a), scaleOf(b));
  const d = mantissaOf(a, scale) - mantissaOf(b, scale);
  return d < 0n ? -1 : d > 0n ? 1 : 0;
}

/** a x b exactly (scale = the sum of theirs). */
export function mulDecimals(a: string, b: string): string {
  const sa = scaleOf(a);
  const sb = scaleOf(b);
  return decimalString(mantissaOf(a, sa) * mantissaOf(b, sb), sa + sb);
}

/** A decimal string rounded half to even at `scale` digits. */
export function roundDecimal(a: string, scale: number): string {
  const from = scaleOf(a);
  if (from <= scale) return decimalString(mantissaOf(a, from), from);
  return decimalString(divRoundHalfEven(mantissaOf(a, from), bigPow10(from - scale)), scale);
}

/**
 * An exact money sum over figures of different scales (instruments): a bigint mantissa at the
 * finest scale added so far (coarser terms are rescaled up, never rounded).
 */
export class ExactSum {
  mantissa = 0n;
  scale = 0;

  add(mantissa: bigint, scale: number): this {
    if (scale > this.scale) {
      this.mantissa *= bigPow10(scale - this.scale);
      this.scale = scale;
    }
    this.mantissa += scale < this.scale ? mantissa * bigPow10(this.scale - scale) : mantissa;
    return this;
  }

  toString(): string {
    return decimalString(this.mantissa, this.scale);
  }
}
