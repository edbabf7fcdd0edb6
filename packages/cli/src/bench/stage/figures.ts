/** Latency figures in the units every stage result uses (µs), from either histogram form. */

import { type HistogramSnapshot, type LatencyHistogram, percentilesOf } from '@tickline/runtime';

/** `p50Us`, or with a prefix `queueP50Us`. */
const key = (prefix: string, q: string) => (prefix === '' ? `p${q}Us` : `${prefix}P${q}Us`);

export function histFigures(h: LatencyHistogram, prefix = ''): Record<string, number> {
  return {
    [key(prefix, '50')]: h.quantile(0.5) / 1000,
    [key(prefix, '99')]: h.quantile(0.99) / 1000,
    [key(prefix, '999')]: h.quantile(0.999) / 1000,
  };
}

export function snapshotFigures(s: HistogramSnapshot | undefined, prefix = ''): Record<string, number> {
  const p = s === undefined ? null : percentilesOf(s);
  return {
    [key(prefix, '50')]: p === null ? Number.NaN : p.p50Ms * 1000,
    [key(prefix, '99')]: p === null ? Number.NaN : p.p99Ms * 1000,
    [key(prefix, '999')]: p === null ? Number.NaN : p.p999Ms * 1000,
  };
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
