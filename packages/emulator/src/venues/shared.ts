/** Helpers shared by the venue protocols. */

import type { InstrumentSpec } from '@tickline/wire';
import { fixed } from '../format.js';
import type { RestAnswer } from './types.js';

/** JSON.parse to a plain object, or null (never throws). */
export function parseObject(text: string): Record<string, unknown> | null {
  try {
    const v: unknown = JSON.parse(text);
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

export const json = (status: number, body: unknown, headers?: Readonly<Record<string, string>>): RestAnswer => ({
  status,
  body: JSON.stringify(body),
  ...(headers ? { headers } : {}),
});

/** Tick and lot of an instrument as decimal text (`"0.01"`), at least `width` decimals. */
export function tickText(s: InstrumentSpec, width = s.priceScale): string {
  return fixed(s.tickSize, s.priceScale, width);
}
export function lotText(s: InstrumentSpec, width = s.sizeScale): string {
  return fixed(s.lotSize, s.sizeScale, width);
}

export const strings = (v: unknown): string[] | null =>
  Array.isArray(v) && v.every((x) => typeof x === 'string') ? (v as string[]) : null;
