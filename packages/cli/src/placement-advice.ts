/**
 * What `run` says about its placement at start: what `placement: auto` chose and why, or, when
 * the configured placement has more busy threads than the machine has cores, which placement
 * measures best here. "Measures best" comes from this machine's last `tickline bench pipeline`
 * (saved under the state directory) when there is one, else from the core-count rule.
 */

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { autoPlacement, type BenchReport, busyThreads, type Group, placementName } from '@tickline/runtime';

export interface PlacementNote {
  readonly level: 'info' | 'warn';
  readonly message: string;
  readonly data: Record<string, unknown>;
}

interface SavedBench {
  readonly machine: { readonly cores: number; readonly cpu: string; readonly node: string };
  readonly at: string;
  readonly report: BenchReport;
}

const benchFile = (stateDir: string) => join(stateDir, 'bench', 'pipeline.json');

function machine() {
  return { cores: availableParallelism(), cpu: cpus()[0]?.model ?? 'unknown', node: process.version };
}

/** Keeps a `bench pipeline` report of this machine for run's start-up advice. */
export function saveBenchReport(stateDir: string, report: BenchReport): void {
  const path = benchFile(stateDir);
  mkdirSync(dirname(path), { recursive: true });
  const saved: SavedBench = { machine: machine(), at: new Date().toISOString(), report };
  writeFileSync(path, `${JSON.stringify(saved, null, 2)}\n`);
}

/** The placement with the lowest median p99 in this machine's saved benchmark, if any. */
function measuredBest(stateDir: string): { name: string; p50Us: number; p99Us: number; at: string } | null {
  let saved: SavedBench;
  try {
    saved = JSON.parse(readFileSync(benchFile(stateDir), 'utf8')) as SavedBench;
  } catch {
    return null;
  }
  const m = machine();
  if (saved?.machine?.cores !== m.cores || saved.machine.cpu !== m.cpu || !Array.isArray(saved.report?.results)) return null;
  let best: { name: string; p50Us: number; p99Us: number; at: string } | null = null;
  for (const r of saved.report.results) {
    const p99 = r.median?.p99Us;
    const p50 = r.median?.p50Us;
    if (typeof p99 !== 'number' || !Number.isFinite(p99) || typeof p50 !== 'number') continue;
    const name = r.name.replace(/^pipeline:/, '').replace(/@.*$/, '');
    if (best === null || p99 < best.p99Us) best = { name, p50Us: p50, p99Us: p99, at: saved.at };
  }
  return best;
}

export function placementNote(
  placement: 'configured' | 'auto',
  fuse: readonly string[],
  groups: readonly Group[],
  stateDir: string,
): PlacementNote {
  const cores = availableParallelism();
  const busy = busyThreads(groups);
  const current = placementName(fuse) ?? groups.map((g) => `${g.name}x${g.threads}`).join(' ');
  if (placement === 'auto') {
    const a = autoPlacement(cores);
    return { level: 'info', message: `placement auto: ${a.name} (${a.reason})`, data: { placement: a.name, cores, busyThreads: busy } };
  }
  if (busy <= cores) return { level: 'info', message: `placement ${current}`, data: { placement: current, cores, busyThreads: busy } };
  const best = measuredBest(stateDir);
  const advice =
    best !== null
      ? `${best.name} measures best on this machine (tickline bench pipeline, ${best.at.slice(0, 10)}: p50 ${fmtUs(best.p50Us)}, p99 ${fmtUs(best.p99Us)})`
      : `${autoPlacement(cores).name} is what placement: auto picks here (measure with tickline bench pipeline)`;
  return {
    level: 'warn',
    message: `placement ${current} runs ${busy} busy worker threads on ${cores} cores: threads wait for each other's time slices; ${advice}`,
    data: { placement: current, cores, busyThreads: busy, ...(best !== null ? { best: best.name } : {}) },
  };
}

function fmtUs(us: number): string {
  return us >= 1000 ? `${(us / 1000).toFixed(1)} ms` : `${Math.round(us)} µs`;
}
