/**
 * Exact decimal strings <-> integer units. A value with precision p is held as an integer count of
 * 10^-p units, so "189.25" at precision 2 is 18925. Wire values are always formatted at the
 * instrument's precision ("100.10", never "100.1").
 */

const POW10: readonly number[] = [1, 10, 100, 1000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000];

/** Formats a non-negative safe integer count of 10^-precision units. */
export function formatUnits(units: number, precision: number): string {
  if (precision === 0) return String(units);
  const neg = units < 0;
  let s = String(neg ? -units : units);
  if (s.length <= precision) s = '0'.repeat(precision - s.length + 1) + s;
  const cut = s.length - precision;
  return `${neg ? '-' : ''}${s.slice(0, cut)}.${s.slice(cut)}`;
}

/** Same as formatUnits for bigint values (account cash, fees). */
export function formatBigUnits(units: bigint, precision: number): string {
  const neg = units < 0n;
  let s = (neg ? -units : units).toString();
  if (precision === 0) return (neg ? '-' : '') + s;
  if (s.length <= precision) s = '0'.repeat(precision - s.length + 1) + s;
  const cut = s.length - precision;
  return `${neg ? '-' : ''}${s.slice(0, cut)}.${s.slice(cut)}`;
}

const DECIMAL_RE = /^(\d{1,15})(?:\.(\d{1,15}))?$/;

/**
 * Parses a non-negative decimal string into units of 10^-precision. Returns undefined when the text
 * is not a plain decimal, has more significant decimals than the precision allows, or overflows.
 * Trailing zeros beyond the precision are accepted ("1.500" at precision 2 is 150).
 */
export function parseUnits(text: string, precision: number): number | undefined {
  const m = DECIMAL_RE.exec(text);
  if (m === null) return undefined;
  const intPart = m[1] as string;
  let frac = m[2] ?? '';
  if (frac.length > precision) {
    if (!/^0*$/.test(frac.slice(precision))) return undefined;
    frac = frac.slice(0, precision);
  }
  frac = frac.padEnd(precision, '0');
  const scale = POW10[precision];
  if (scale === undefined) return undefined;
  const value = Number(intPart) * scale + (frac.length > 0 ? Number(frac) : 0);
  return Number.isSafeInteger(value) ? value : undefined;
}

export function pow10(precision: number): number {
  const v = POW10[precision];
  if (v === undefined) throw new RangeError(`precision must be an integer from 0 to 8, got ${precision}`);
  return v;
}
