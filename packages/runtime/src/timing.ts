/**
 * Where a worker's time goes: per-stage service time and per-edge queueing delay, as latency
 * histograms the control plane reports (stats) and the dashboard turns into Prometheus
 * histograms and the health page.
 *
 * Service time is exclusive: when a core hands a record to the next core of a fused chain (a
 * direct call), the time spent in that call is the next stage's, not the caller's. Each timed
 * region saves the caller's nested total, times itself, records its own time minus what its
 * nested calls took, and adds its whole duration to the caller's nested total. Two clock reads
 * per timed call, no allocation.
 */

import { LatencyHistogram } from './latency-histogram.js';

export class ServiceTimer {
  /** One histogram per stage of the worker's group, by stage index (ns per record). */
  readonly stages: LatencyHistogram[];
  /** Milliseconds spent in timed regions nested inside the current one. */
  #nested = 0;

  constructor(stages: number) {
    this.stages = Array.from({ length: stages }, () => new LatencyHistogram());
  }

  /** Starts a timed region; returns the state `end` needs. */
  begin(): number {
    const saved = this.#nested;
    this.#nested = 0;
    return saved;
  }

  /**
   * Ends a region of per-batch work of stage `stage` (a conflating core publishing at the end of
   * a batch): its time is added to the histogram's sum but is not a sample, so percentiles stay
   * per record while the sum (and the busy share derived from it) includes the batch work.
   */
  endBatchWork(stage: number, t0: number, saved: number): void {
    const dt = performance.now() - t0;
    (this.stages[stage] as LatencyHistogram).sum += Math.max(0, dt - this.#nested) * 1e6;
    this.#nested = saved + dt;
  }

  /** Ends the region of stage `stage` begun at `t0` (performance.now() ms) with `saved` from begin(). */
  end(stage: number, t0: number, saved: number): void {
    const dt = performance.now() - t0;
    (this.stages[stage] as LatencyHistogram).record((dt - this.#nested) * 1e6);
    this.#nested = saved + dt;
  }
}

/** A histogram in JSON form: counts by bucket index (non-zero only), for stats over comlink. */
export interface HistogramSnapshot {
  count: number;
  sum: number;
  max: number;
  /** [bucket index, count] pairs; bucket upper edges from LatencyHistogram.bucketUpperNs. */
  buckets: [number, number][];
}

export function snapshotOf(h: LatencyHistogram): HistogramSnapshot {
  const buckets: [number, number][] = [];
  const c = h.counts;
  for (let i = 0; i < c.length; i++) if ((c[i] as number) > 0) buckets.push([i, c[i] as number]);
  return { count: h.count, sum: h.sum, max: h.max, buckets };
}

/** Adds a snapshot into a histogram (merging partitions, or a window's difference with sign -1). */
export function addSnapshot(into: LatencyHistogram, s: HistogramSnapshot, sign = 1): void {
  for (const [i, n] of s.buckets) into.counts[i] = (into.counts[i] as number) + sign * n;
  into.count += sign * s.count;
  into.sum += sign * s.sum;
  if (sign > 0 && s.max > into.max) into.max = s.max;
}

/** Percentiles (ms) of a snapshot, or null when it holds nothing. */
export function percentilesOf(s: HistogramSnapshot): { count: number; p50Ms: number; p99Ms: number; p999Ms: number; maxMs: number } | null {
  if (s.count <= 0) return null;
  const h = new LatencyHistogram();
  addSnapshot(h, s);
  return {
    count: s.count,
    p50Ms: h.quantile(0.5) / 1e6,
    p99Ms: h.quantile(0.99) / 1e6,
    p999Ms: h.quantile(0.999) / 1e6,
    maxMs: s.max / 1e6,
  };
}

/** Merges snapshots of the same quantity from several workers (partitions) into one. */
export function mergeSnapshots(list: readonly HistogramSnapshot[]): HistogramSnapshot {
  const h = new LatencyHistogram();
  h.max = 0;
  for (const s of list) addSnapshot(h, s);
  return snapshotOf(h);
}

/** `later - earlier` of one cumulative histogram: what was recorded in between. */
export function windowOf(later: HistogramSnapshot, earlier: HistogramSnapshot | undefined): HistogramSnapshot {
  if (earlier === undefined) return later;
  const h = new LatencyHistogram();
  addSnapshot(h, later);
  addSnapshot(h, earlier, -1);
  return snapshotOf(h);
}
