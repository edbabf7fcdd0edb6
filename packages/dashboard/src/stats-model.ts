/**
 * The pipeline's stats as the dashboard reads them. `pipeline.stats()` is typed `unknown` at the
 * boundary (a fake pipeline, a future shape), so this coerces it once into plain typed records,
 * keeping only numbers where numbers are expected.
 */

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
  busyRatio: number;
  stages: StageStat[];
}

export interface Stats {
  workers: WorkerStat[];
  restarts: number;
}

export interface RingStat {
  name: string;
  edge: string;
  capacity: number;
  usedBytes: number;
  recordsOut: number;
  dropped: Record<string, number>;
}

const obj = (v: unknown): Record<string, unknown> => (v !== null && typeof v === 'object' ? (v as Record<string, unknown>) : {});
const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
const str = (v: unknown, d: string): string => (typeof v === 'string' ? v : d);

function numbers(v: unknown): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, x] of Object.entries(obj(v))) if (typeof x === 'number' && Number.isFinite(x)) out[k] = x;
  return out;
}

export function readStats(raw: unknown): Stats {
  const r = obj(raw);
  const workers = Array.isArray(r.workers) ? r.workers : [];
  return {
    restarts: num(r.restarts),
    workers: workers.map((w) => {
      const o = obj(w);
      const partition = num(o.partition);
      return {
        group: str(o.group, 'unknown'),
        partition,
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
      };
    }),
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
