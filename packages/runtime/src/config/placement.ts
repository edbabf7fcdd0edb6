/**
 * Named placements and `placement: auto`. A placement is which stages share a worker (fusion)
 * and how many threads each group gets; on a machine with fewer cores than busy threads, the
 * threads take turns on the cores and every hand-off can wait for a time slice, so fewer, fused
 * workers measure faster (docs/benchmarks.md). `auto` picks by the machine's core count.
 */

import { STAGES } from '../stage.js';
import type { Group } from './pipeline-config.js';

/** The placements `bench pipeline` compares and `auto` chooses among, as `fuse` lists. */
export const PLACEMENTS: Readonly<Record<string, readonly string[]>> = Object.freeze({
  'six-pools': [],
  'two-workers': ['ingest+normalize+book', 'signals+risk+execution'],
  'one-worker': [STAGES.join('+')],
});
export type PlacementName = 'six-pools' | 'two-workers' | 'one-worker';
export const PLACEMENT_NAMES = Object.keys(PLACEMENTS) as PlacementName[];

/** Worker threads that consume records (every group's threads). */
export function busyThreads(groups: readonly Group[]): number {
  return groups.reduce((n, g) => n + g.threads, 0);
}

/** The name of a `fuse` list if it is one of the named placements (threads aside), else null. */
export function placementName(fuse: readonly string[]): PlacementName | null {
  for (const name of PLACEMENT_NAMES) {
    const f = PLACEMENTS[name] as readonly string[];
    if (f.length === fuse.length && f.every((g, i) => g === fuse[i])) return name;
  }
  return null;
}

export interface AutoPlacement {
  readonly name: PlacementName;
  readonly fuse: readonly string[];
  readonly reason: string;
}

/**
 * The most parallel named placement whose busy threads fit the cores left after one for the
 * main thread (supervisor, dashboard, the embedded exchange when it runs in-process): six pools
 * need 7 cores, two workers 3; below that, one worker.
 */
export function autoPlacement(cores: number): AutoPlacement {
  const spare = Math.max(1, cores - 1);
  const name: PlacementName = spare >= 6 ? 'six-pools' : spare >= 2 ? 'two-workers' : 'one-worker';
  const threads = name === 'six-pools' ? 6 : name === 'two-workers' ? 2 : 1;
  return {
    name,
    fuse: PLACEMENTS[name] as readonly string[],
    reason: `${cores} core${cores === 1 ? '' : 's'}: ${threads} busy worker thread${threads === 1 ? '' : 's'} fit the ${spare} core${
      spare === 1 ? '' : 's'
    } left beside the main thread (six pools need 7 cores, two workers 3)`,
  };
}
