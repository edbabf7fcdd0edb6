/**
 * Where the time goes, for the health page: queueing delay per edge and service time per stage,
 * over the last few seconds (the difference of two polls' monotonic histograms, `windowOf`) and
 * since start, with the bottleneck marked. The bottleneck stage is the one whose busiest
 * partition spent the largest share of the window in that stage's own (exclusive) work; the
 * bottleneck edge is the one with the highest p99 queueing delay in the window.
 */

import { type HistogramSnapshot, percentilesOf, snapshotOf, windowOf } from '@tickline/runtime';
import { LatencyHistogram } from './latency.js';
import type { Timings } from './metrics.js';
import type { WorkerStat } from './stats-model.js';

export type Figures = NonNullable<ReturnType<typeof percentilesOf>>;

export interface EdgeTiming {
  edge: string;
  /** Queueing delay over the window; null before the second poll or when nothing crossed the edge in it. */
  window: Figures | null;
  /** Queueing delay since start. */
  total: Figures | null;
  /** Records taken from the edge's rings per second over the window. */
  perSec: number;
  /** Fullest ring of the edge (used / capacity), when the runtime reports the edge's rings. */
  occupancy: number | null;
  bottleneck: boolean;
}

export interface StageTiming {
  stage: string;
  window: Figures | null;
  total: Figures | null;
  /** Records handled per second over the window, as the stage counts them (a source: records emitted). */
  perSec: number;
  /** Share of the window its busiest partition spent in this stage's own work; null when no record was timed. */
  busy: number | null;
  bottleneck: boolean;
}

export interface TimingView {
  /** Length of the window in seconds; 0 before the second poll. */
  windowS: number;
  edges: EdgeTiming[];
  stages: StageTiming[];
}

interface Entry {
  ts: number;
  queue: Map<string, HistogramSnapshot>;
  service: Map<string, HistogramSnapshot>;
  /** Cumulative service time (ns) by `group/partition/thread/stage`, as each worker reports it. */
  busyNs: Map<string, number>;
  /** Cumulative records handled (a source: emitted), by the same keys. */
  volume: Map<string, number>;
}

const snapshots = (m: ReadonlyMap<string, LatencyHistogram>) => new Map([...m].map(([k, h]) => [k, snapshotOf(h)]));

export class TimingWindow {
  readonly #windowMs: number;
  readonly #history: Entry[] = [];

  constructor(windowMs = 5000) {
    if (!Number.isFinite(windowMs) || windowMs <= 0) throw new RangeError(`windowMs must be a positive number, got ${windowMs}`);
    this.#windowMs = windowMs;
  }

  update(nowMs: number, timings: Timings, workers: readonly WorkerStat[], occupancy: ReadonlyMap<string, number>): TimingView {
    const now: Entry = {
      ts: nowMs,
      queue: snapshots(timings.queueDelay),
      service: snapshots(timings.serviceTime),
      busyNs: new Map(),
      volume: new Map(),
    };
    for (const w of workers) {
      const id = `${w.group}/${w.partition}/${w.threadId}/`;
      for (const [stage, s] of Object.entries(w.serviceTime)) now.busyNs.set(id + stage, s.sum);
      for (const s of w.stages) now.volume.set(id + s.stage, s.processed > 0 ? s.processed : s.emitted);
    }
    const base = this.#base(nowMs);
    this.#history.push(now);
    const windowS = base ? (nowMs - base.ts) / 1000 : 0;
    const inWindow = (later: HistogramSnapshot, earlier: HistogramSnapshot | undefined) => {
      if (!base || windowS <= 0) return null;
      const w = windowOf(later, earlier);
      // windowOf keeps the all-time max; the window's own is bounded by its highest bucket
      const top = w.buckets.at(-1);
      w.max = top ? Math.min(w.max, LatencyHistogram.bucketUpperNs(top[0])) : 0;
      return w;
    };

    const edges: EdgeTiming[] = [...now.queue].map(([edge, s]) => {
      const w = inWindow(s, base?.queue.get(edge));
      return {
        edge,
        window: w && percentilesOf(w),
        total: percentilesOf(s),
        perSec: w ? w.count / windowS : 0,
        occupancy: occupancy.get(edge) ?? null,
        bottleneck: false,
      };
    });

    // busy: the busiest partition's share of the window; records/s: all partitions together
    const busyNs = base ? byStage(now.busyNs, base.busyNs, Math.max) : new Map<string, number>();
    const records = base ? byStage(now.volume, base.volume, (a, b) => a + b) : new Map<string, number>();
    const stages: StageTiming[] = [...now.service].map(([stage, s]) => {
      const w = inWindow(s, base?.service.get(stage));
      return {
        stage,
        window: w && percentilesOf(w),
        total: percentilesOf(s),
        perSec: windowS > 0 ? (records.get(stage) ?? 0) / windowS : 0,
        busy: s.count > 0 ? (windowS > 0 ? Math.min(1, (busyNs.get(stage) ?? 0) / (windowS * 1e9)) : 0) : null,
        bottleneck: false,
      };
    });

    mark(stages, (s) => s.busy ?? 0);
    mark(edges, (e) => e.window?.p99Ms ?? 0);
    return { windowS, edges, stages };
  }

  /** The kept poll nearest to a window ago (the oldest at start: a shorter window); older ones are let go. */
  #base(nowMs: number): Entry | undefined {
    const h = this.#history;
    const target = nowMs - this.#windowMs;
    let i = 0;
    while (i + 1 < h.length && Math.abs((h[i + 1] as Entry).ts - target) <= Math.abs((h[i] as Entry).ts - target)) i++;
    if (i > 0) h.splice(0, i);
    return h[0];
  }
}

/**
 * Increase of per-worker cumulative figures (keys `group/partition/thread/stage`) since the base
 * poll, combined by stage. A worker absent from the base poll, or whose figure fell, was (re)started
 * within the window: all of its figure is the increase.
 */
function byStage(now: ReadonlyMap<string, number>, base: ReadonlyMap<string, number>, combine: (a: number, b: number) => number) {
  const out = new Map<string, number>();
  for (const [key, v] of now) {
    const before = base.get(key);
    const d = before === undefined || v < before ? v : v - before;
    const stage = key.slice(key.lastIndexOf('/') + 1);
    const prev = out.get(stage);
    out.set(stage, prev === undefined ? d : combine(prev, d));
  }
  return out;
}

/** Marks the row with the highest positive score as the bottleneck (none when every score is 0). */
function mark<T extends { bottleneck: boolean }>(rows: T[], score: (r: T) => number): void {
  let best: T | null = null;
  let top = 0;
  for (const r of rows) {
    const v = score(r);
    if (v > top) {
      top = v;
      best = r;
    }
  }
  if (best) best.bottleneck = true;
}
