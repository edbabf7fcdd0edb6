/**
 * Latency histograms carried in stage stats. Stats are flat numbers, so a stage that measures a
 * latency with the runtime's `LatencyHistogram` reports it as core counters:
 *
 *   latencyNs.<name>.count, latencyNs.<name>.sum, latencyNs.<name>.max, latencyNs.<name>.b<i>
 *
 * where `b<i>` is the count of bucket i (non-zero buckets only). Counters of this shape add up
 * across partitions like any other, so they survive the runtime's own totals. This module
 * merges them back into histograms for percentiles and Prometheus buckets.
 */

import { type HistogramSnapshot, LatencyHistogram, percentilesOf } from '@tickline/runtime';

const KEY = /^latencyNs\.([A-Za-z][A-Za-z0-9]*)\.(count|sum|max|b(\d+))$/;

export interface LatencyKey {
  name: string;
  field: 'count' | 'sum' | 'max' | 'bucket';
  bucket: number;
}

export function parseLatencyKey(key: string): LatencyKey | null {
  const m = KEY.exec(key);
  if (!m) return null;
  const f = m[2] as string;
  if (m[3] !== undefined) return { name: m[1] as string, field: 'bucket', bucket: Number(m[3]) };
  return { name: m[1] as string, field: f as 'count' | 'sum' | 'max', bucket: -1 };
}

/** Upper edge in ns of bucket i of the runtime's histogram layout (one definition: the runtime's). */
export function bucketUpperNs(i: number): number {
  return LatencyHistogram.bucketUpperNs(i);
}

/** Prometheus bucket bounds (seconds): 1 µs to 10 s. */
export const LE_SECONDS = [
  1e-6, 5e-6, 1e-5, 2.5e-5, 5e-5, 1e-4, 2.5e-4, 5e-4, 1e-3, 2.5e-3, 5e-3, 1e-2, 2.5e-2, 5e-2, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
];

/** Cumulative counts at each LE_SECONDS bound; a bucket counts under the first bound at or above its upper edge. */
export function cumulativeBuckets(h: LatencyHistogram): number[] {
  const out = new Array<number>(LE_SECONDS.length).fill(0);
  for (let i = 0; i < h.counts.length; i++) {
    const c = h.counts[i] as number;
    if (c === 0) continue;
    const s = bucketUpperNs(i) / 1e9;
    for (let j = 0; j < LE_SECONDS.length; j++) if (s <= (LE_SECONDS[j] as number)) out[j] = (out[j] as number) + c;
  }
  return out;
}

export function percentilesMs(h: LatencyHistogram): { p50: number; p99: number; p999: number; max: number; count: number } | null {
  if (h.count === 0) return null;
  return { p50: h.quantile(0.5) / 1e6, p99: h.quantile(0.99) / 1e6, p999: h.quantile(0.999) / 1e6, max: h.max / 1e6, count: h.count };
}

/** Percentiles of one histogram in ms; a histogram with nothing in it reports count 0 and nulls. */
export interface LatencySummary {
  count: number;
  p50Ms: number | null;
  p99Ms: number | null;
  p999Ms: number | null;
  maxMs: number | null;
}

const EMPTY: LatencySummary = { count: 0, p50Ms: null, p99Ms: null, p999Ms: null, maxMs: null };

/** `{count, p50Ms, p99Ms, p999Ms, maxMs}` for each edge or stage of a stats map (`/api/stats`, `run --summary`). */
export function latencySummaries(by: Readonly<Record<string, HistogramSnapshot>>): Record<string, LatencySummary> {
  return Object.fromEntries(Object.entries(by).map(([k, s]) => [k, percentilesOf(s) ?? { ...EMPTY }]));
}

export { LatencyHistogram };
