/** Venue number and time formats, from exact mantissas and split times. */

import type { L2Book } from '@tickline/book';
import { formatDecimal } from '@tickline/wire';

/** `mantissa` at `scale`, written with at least `width` decimals (venues that pad, e.g. Kraken v1, Binance spot). */
export function fixed(mantissa: number, scale: number, width = scale): string {
  const s = formatDecimal(mantissa, scale);
  if (width <= scale) return s;
  return `${s}${scale === 0 ? '.' : ''}${'0'.repeat(width - scale)}`;
}

/** Shortest form: no trailing fractional zeros, no bare point (OKX). */
export function trimmed(mantissa: number, scale: number): string {
  const s = formatDecimal(mantissa, scale);
  if (scale === 0) return s;
  let end = s.length;
  while (s.charCodeAt(end - 1) === 48) end--;
  if (s.charCodeAt(end - 1) === 46) end--;
  return s.slice(0, end);
}

/** One side of a book as `[price, size]` pairs of mantissas, best first, at most `depth` levels. */
export function levels(book: L2Book, side: 'bids' | 'asks', depth: number): [number, number][] {
  const s = book[side];
  const n = Math.min(depth, s.length);
  const out: [number, number][] = new Array(n);
  for (let i = 0; i < n; i++) out[i] = [s.price(i), s.size(i)];
  return out;
}

/** RFC 3339 with microseconds ("2024-08-09T00:00:00.123456Z"). */
export function isoTime(s: number, ns: number): string {
  const ms = s * 1000 + Math.floor(ns / 1e6);
  const base = new Date(ms).toISOString().slice(0, 19);
  return `${base}.${String(Math.floor(ns / 1000)).padStart(6, '0')}Z`;
}

/** Unix seconds with microseconds as text ("1618678133.136361", Kraken v1). */
export function unixTime(s: number, ns: number): string {
  return `${s}.${String(Math.floor(ns / 1000)).padStart(6, '0')}`;
}

/** Now in RFC 3339 with microseconds. */
export function nowIso(): string {
  const t = nowSplitTime();
  return isoTime(t.s, t.ns);
}

/** Now as split seconds/nanoseconds. */
export function nowSplitTime(): { s: number; ns: number } {
  const ms = Date.now();
  return { s: Math.floor(ms / 1000), ns: (ms % 1000) * 1e6 };
}
