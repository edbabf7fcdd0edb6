/**
 * The shape every `tickline bench` prints, and the statistics behind it: each scenario is run
 * `runs` times and reported as the median, min and max of every metric across runs.
 */

export interface BenchResult {
  name: string;
  median: Record<string, number>;
  min: Record<string, number>;
  max: Record<string, number>;
  /** Context that is not a measurement (payload size, batch, placement...). */
  params?: Record<string, string | number>;
}

export interface BenchReport {
  bench: string;
  node: string;
  runs: number;
  /** Optional notes: machine, what is compared, how. */
  notes?: string[];
  results: BenchResult[];
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  if (n === 0) return Number.NaN;
  return n % 2 === 1 ? (s[(n - 1) / 2] as number) : ((s[n / 2 - 1] as number) + (s[n / 2] as number)) / 2;
}

/**
 * Folds per-run metric objects into one result (median/min/max per metric). A run without a
 * value for a metric (NaN: e.g. a latency window with no decision in it) is left out of that
 * metric; a metric no run has is NaN.
 */
export function summarize(name: string, runs: readonly Record<string, number>[], params?: Record<string, string | number>): BenchResult {
  const keys = Object.keys(runs[0] ?? {});
  const values = (k: string) => runs.map((r) => r[k] as number).filter((x) => !Number.isNaN(x));
  const pick = (f: (xs: number[]) => number) =>
    Object.fromEntries(keys.map((k) => [k, round(values(k).length > 0 ? f(values(k)) : Number.NaN)]));
  const result: BenchResult = { name, median: pick(median), min: pick((xs) => Math.min(...xs)), max: pick((xs) => Math.max(...xs)) };
  if (params) result.params = params;
  return result;
}

function round(x: number): number {
  if (!Number.isFinite(x)) return x;
  const a = Math.abs(x);
  return a >= 100 ? Math.round(x) : a >= 1 ? Math.round(x * 100) / 100 : Math.round(x * 10000) / 10000;
}

export function report(bench: string, runs: number, results: BenchResult[], notes?: string[]): BenchReport {
  const r: BenchReport = { bench, node: process.version, runs, results };
  if (notes) r.notes = notes;
  return r;
}

/** A human table for terminals (the JSON is the contract; this is for people). */
export function formatReport(r: BenchReport): string {
  const lines = [`${r.bench} — node ${r.node}, ${r.runs} runs (median [min … max])`];
  for (const res of r.results) {
    const metrics = Object.keys(res.median)
      .map((k) => `${k}=${fmt(res.median[k] as number)} [${fmt(res.min[k] as number)} … ${fmt(res.max[k] as number)}]`)
      .join('  ');
    const input = res.params?.input;
    const name = input === undefined ? res.name : `${res.name} (${input})`;
    lines.push(`  ${name.padEnd(28)} ${metrics}`);
  }
  for (const n of r.notes ?? []) lines.push(`  note: ${n}`);
  return lines.join('\n');
}

function fmt(x: number): string {
  const a = Math.abs(x);
  if (a >= 1e9) return `${(x / 1e9).toFixed(2)}G`;
  if (a >= 1e6) return `${(x / 1e6).toFixed(2)}M`;
  if (a >= 1e4) return `${(x / 1e3).toFixed(1)}k`;
  return String(x);
}
