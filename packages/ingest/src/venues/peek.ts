/**
 * Byte-level helpers for the control peek: find a JSON key's string value without decoding the
 * frame. Needles are precomputed Buffers; Buffer.indexOf runs natively.
 */

import type { StreamRef } from './types.js';

export const needle = (s: string): Buffer => Buffer.from(s, 'latin1');

export function startsWith(buf: Buffer, prefix: Buffer): boolean {
  const n = prefix.length;
  return buf.length >= n && buf.compare(prefix, 0, n, 0, n) === 0;
}

const QUOTE = 0x22;

/**
 * The string value after `key` (a needle like `"instId":"`), as latin1 text, or '' when absent.
 * Symbols are ASCII, so latin1 is exact and the cheapest decode.
 */
export function valueAfter(buf: Buffer, key: Buffer, from = 0): string {
  const at = buf.indexOf(key, from);
  if (at < 0) return '';
  const start = at + key.length;
  const end = buf.indexOf(QUOTE, start);
  return end < 0 ? '' : buf.toString('latin1', start, end);
}

/** JSON.parse to a plain object, or null (never throws). */
export function parseObject(text: string): Record<string, unknown> | null {
  try {
    const v: unknown = JSON.parse(text);
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

export function numOrNull(v: unknown): number | null {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && /^\d{1,15}$/.test(v)) return Number(v);
  return null;
}

/**
 * Splits items into groups of at most `maxItems` whose serialized size (by `sizeOf`, plus
 * `overhead`) stays within `maxBytes`. Never yields an empty group.
 */
export function chunk<T>(items: readonly T[], maxItems: number, maxBytes: number, sizeOf: (item: T) => number, overhead = 128): T[][] {
  const out: T[][] = [];
  let cur: T[] = [];
  let bytes = overhead;
  for (const it of items) {
    const sz = sizeOf(it) + 1;
    if (cur.length > 0 && (cur.length >= maxItems || bytes + sz > maxBytes)) {
      out.push(cur);
      cur = [];
      bytes = overhead;
    }
    cur.push(it);
    bytes += sz;
  }
  if (cur.length > 0) out.push(cur);
  return out;
}

/** Groups items by channel, keeping order within each channel. */
export function byChannel(items: readonly StreamRef[]): Map<StreamRef['channel'], StreamRef[]> {
  const m = new Map<StreamRef['channel'], StreamRef[]>();
  for (const it of items) {
    const list = m.get(it.channel);
    if (list) list.push(it);
    else m.set(it.channel, [it]);
  }
  return m;
}
