/**
 * Figures at the dashboard's edge: the stages send exact decimal strings ("0.013", "-0.00007");
 * sums over partitions are exact (wire decimal-text), never doubles.
 */

import { addDecimals, decimalString, mulDecimals, parseBigDecimal, roundDecimal, subDecimals } from '@tickline/wire';

const DECIMAL = /^[+-]?\d+(?:\.\d+)?$/;

/**
 * A figure as an edge decimal string, or null. Strings must be plain decimals; a number (a
 * derived figure such as a mark from the market view) is taken at its shortest round-trip form.
 */
export function dec(v: unknown): string | null {
  if (typeof v === 'string') return DECIMAL.test(v) ? normalize(v) : null;
  if (typeof v !== 'number' || !Number.isFinite(v)) return null;
  const s = String(v);
  // exponent form (|v| < 1e-6 or >= 1e21): fixed notation, trimmed
  return normalize(s.includes('e') ? v.toFixed(20) : s);
}

function normalize(s: string): string | null {
  const dot = s.indexOf('.');
  const scale = dot < 0 ? 0 : s.length - dot - 1;
  const m = parseBigDecimal(s, scale);
  return m === null ? null : decimalString(m, scale);
}

/** a + b exactly (either may be null: the other is the sum; both null: null). */
export function addDec(a: string | null, b: string | null): string | null {
  if (a === null) return b;
  if (b === null) return a;
  return addDecimals(a, b);
}

/** Sign of a decimal string: -1, 0 or 1 (0 for null). */
export function signDec(v: string | null): number {
  if (v === null || /^[+-]?0*(?:\.0*)?$/.test(v)) return 0;
  return v.startsWith('-') ? -1 : 1;
}

/** (mark - avg) x quantity rounded half to even at `scale`: unrealized P&L where a stage sends none. */
export function unrealizedDec(mark: string, avg: string, quantity: string, scale: number): string {
  return roundDecimal(mulDecimals(subDecimals(mark, avg), quantity), scale);
}
