/**
 * The pipeline's stats as the dashboard reads them. `pipeline.stats()` is typed `unknown` at the
 * boundary (a fake pipeline, a future shape), so this coerces it once into plain typed records,
 * keeping only numbers where numbers are expected and histograms whose buckets fit the runtime's
 * layout (anything else is left out, never guessed at).
 */

import { type HistogramSnapshot, LatencyHistogram, mergeSnapshots } from '@tickline/runtime';

export interface StageStat {
  stage: string;
  partition: number;
  processed: number;
  emitted: number;
  dropped: Record<string, number>;
  core: Record<string, number>;
}

export interface WorkerStat {
  group: string;
  partition: number;
  /** The worker thread running the partition (a restart may run it on a new one); 0 when unknown. */
  threadId: number;
  busyRatio: number;
  stages: StageStat[];
  /** Queueing delay by input edge, since this worker started (ns). */
  queueDelay: Record<string, HistogramSnapshot>;
  /** Exclusive service time by stage, since this worker started (ns per record). */
  serviceTime: Record<string, HistogramSnapshot>;
}

export interface Stats {
  workers: WorkerStat[];
  restarts: number;
  /** Queueing delay by edge, merged over partitions (the pipeline's, else merged here). */
  queueDelay: Record<string, HistogramSnapshot>;
  /** Service time by stage, merged over partitions. */
  serviceTime: Record<string, HistogramSnapshot>;
}

export interface RingStat {
  name: string;
  edge: string;
  capacity: number;
  usedBytes: number;
  recordsOut: number;
  dropped: Record<string, number>;
  /** What carries the edge: 'ring' (shared memory) or 'nats' (a JetStream stream). */
  transport: string;
}

const obj = (v: unknown): Record<string, unknown> => (v !== null && typeof v === 'object' ? (v as Record<string, unknown>) : {});
const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
const str = (v: unknown, d: string): string => (typeof v === 'string' ? v : d);

function numbers(v: unknown): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, x] of Object.entries(obj(v))) if (typeof x === 'number' && Number.isFinite(x)) out[k] = x;
  return out;
}

const BUCKETS = new LatencyHistogram().counts.length;
/** Edge (`book->signals`) or stage names: bounded label values, never free text. */
const TIMING_LABEL = /^[a-z][a-z0-9_]{0,31}(->[a-z][a-z0-9_]{0,31})?$/;

/** A histogram snapshot whose counts are non-negative and whose bucket indexes fit the layout; else null. */
export function readSnapshot(v: unknown): HistogramSnapshot | null {
  const o = obj(v);
  if (!Array.isArray(o.buckets)) return null;
  const buckets: [number, number][] = [];
  for (const b of o.buckets) {
    if (!Array.isArray(b) || b.length !== 2) return null;
    const [i, n] = b as unknown[];
    if (!Number.isInteger(i) || (i as number) < 0 || (i as number) >= BUCKETS) return null;
    if (typeof n !== 'number' || !Number.isFinite(n) || n < 0) return null;
    buckets.push([i as number, n]);
  }
  buckets.sort((a, b) => a[0] - b[0]);
  const count = num(o.count);
  return count < 0 ? null : { count, sum: Math.max(0, num(o.sum)), max: Math.max(0, num(o.max)), buckets };
}

function snapshots(v: unknown): Record<string, HistogramSnapshot> {
  const out: Record<string, HistogramSnapshot> = {};
  for (const [k, x] of Object.entries(obj(v))) {
    const s = TIMING_LABEL.test(k) ? readSnapshot(x) : null;
    if (s) out[k] = s;
  }
  return out;
}

/** One snapshot per key, merging what several workers report under it. */
function mergeByKey(list: readonly Record<string, HistogramSnapshot>[]): Record<string, HistogramSnapshot> {
  const by = new Map<string, HistogramSnapshot[]>();
  for (const rec of list) for (const [k, s] of Object.entries(rec)) by.set(k, [...(by.get(k) ?? []), s]);
  return Object.fromEntries([...by].map(([k, l]) => [k, mergeSnapshots(l)]));
}

export function readStats(raw: unknown): Stats {
  const r = obj(raw);
  const workers = (Array.isArray(r.workers) ? r.workers : []).map(readWorker);
  return {
    restarts: num(r.restarts),
    workers,
    queueDelay: r.queueDelay !== undefined ? snapshots(r.queueDelay) : mergeByKey(workers.map((w) => w.queueDelay)),
    serviceTime: r.serviceTime !== undefined ? snapshots(r.serviceTime) : mergeByKey(workers.map((w) => w.serviceTime)),
  };
}

function readWorker(w: unknown): WorkerStat {
  const o = obj(w);
  const partition = num(o.partition);
  return {
    group: str(o.group, 'unknown'),
    partition,
    threadId: num(o.threadId),
    busyRatio: num(o.busyRatio),
    stages: (Array.isArray(o.stages) ? o.stages : []).map((s) => {
      const x = obj(s);
      return {
        stage: str(x.stage, 'unknown'),
        partition: typeof x.partition === 'number' ? x.partition : partition,
        processed: num(x.processed),
        emitted: num(x.emitted),
        dropped: numbers(x.dropped),
        core: numbers(x.core),
      };
    }),
    queueDelay: snapshots(o.queueDelay),
    serviceTime: snapshots(o.serviceTime),
  };
}

/** `book->signals[0->1]` -> `book->signals`. */
export function edgeOf(ringName: string): string {
  const i = ringName.indexOf('[');
  return i < 0 ? ringName : ringName.slice(0, i);
}

export function readRings(raw: unknown[]): RingStat[] {
  return raw.map((r) => {
    const o = obj(r);
    const name = str(o.name, 'ring');
    return {
      name,
      edge: edgeOf(name),
      capacity: num(o.capacity),
      usedBytes: num(o.usedBytes),
      recordsOut: num(o.recordsOut),
      dropped: numbers(o.dropped),
      transport: o.transport === 'nats' ? 'nats' : 'ring',
    };
  });
}

/** Sums per-stage figures over every worker (fused groups hold several stages). */
export function stageTotals(
  stats: Stats,
): Map<string, { workers: number; processed: number; emitted: number; dropped: Record<string, number>; core: Record<string, number> }> {
  const by = new Map<
    string,
    { workers: number; processed: number; emitted: number; dropped: Record<string, number>; core: Record<string, number> }
  >();
  for (const w of stats.workers)
    for (const s of w.stages) {
      let t = by.get(s.stage);
      if (!t) by.set(s.stage, (t = { workers: 0, processed: 0, emitted: 0, dropped: {}, core: {} }));
      t.workers++;
      t.processed += s.processed;
      t.emitted += s.emitted;
      for (const [k, v] of Object.entries(s.dropped)) t.dropped[k] = (t.dropped[k] ?? 0) + v;
      for (const [k, v] of Object.entries(s.core)) t.core[k] = (t.core[k] ?? 0) + v;
    }
  return by;
}
