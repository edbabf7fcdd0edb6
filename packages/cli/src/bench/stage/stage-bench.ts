/**
 * `tickline bench stage <name>`: one stage alone, on a realistic recorded or synthetic input,
 * driven directly (its core, no threads) and through its worker and rings (the real runtime),
 * side by side in each run. Results `stage:<name>:direct` and `stage:<name>:worker`.
 */

import { type BenchReport, type BenchResult, report, STAGES, type StageName, summarize } from '@tickline/runtime';
import { runDirect } from './direct.js';
import { bookPlan } from './inputs/book-input.js';
import { executionPlan } from './inputs/execution-input.js';
import { ingestPlan } from './inputs/ingest-input.js';
import { normalizePlan } from './inputs/normalize-input.js';
import { riskPlan } from './inputs/risk-input.js';
import { signalsPlan } from './inputs/signals-input.js';
import { simUniverse } from './inputs/sim-universe.js';
import type { StagePlan, StageSizes } from './plan.js';
import { runWorkers } from './workers.js';

export const STAGE_BENCHES: readonly StageName[] = STAGES;

export interface StageBenchOptions {
  readonly stage: StageName;
  readonly runs: number;
  readonly quick: boolean;
  /** normalize: a venue dialect to read from its real capture instead of the sim venue. */
  readonly venue?: string;
}

/** Instruments of the embedded exchange's universe every input speaks of. */
const INSTRUMENTS = { full: 5500, quick: 200 };

/** Body records of each recorded input: the worker run's burst, then its paced phase. */
const SIZES: Record<Exclude<StageName, 'ingest'>, { full: StageSizes; quick: StageSizes }> = {
  normalize: { full: { burst: 200_000, paced: 40_000, pacedRate: 20_000 }, quick: { burst: 5_000, paced: 2_000, pacedRate: 10_000 } },
  book: { full: { burst: 300_000, paced: 40_000, pacedRate: 20_000 }, quick: { burst: 5_000, paced: 2_000, pacedRate: 10_000 } },
  signals: { full: { burst: 300_000, paced: 40_000, pacedRate: 20_000 }, quick: { burst: 5_000, paced: 2_000, pacedRate: 10_000 } },
  risk: { full: { burst: 100_000, paced: 20_000, pacedRate: 20_000 }, quick: { burst: 5_000, paced: 2_000, pacedRate: 10_000 } },
  execution: { full: { burst: 1_000, paced: 400, pacedRate: 200 }, quick: { burst: 100, paced: 50, pacedRate: 100 } },
};

/** The exchange's market-data rate and the measured window of the ingest stage. */
const INGEST = { full: { eventsPerSecond: 100_000, windowS: 3, warmupS: 1 }, quick: { eventsPerSecond: 20_000, windowS: 1, warmupS: 0.5 } };

const TAPE_NOTES = [
  'direct: the core from the stage worker module, in this thread, fed record by record through the runtime deliverRecord; outputs counted, not encoded (as in a fused placement); p50/p99/p999Us = handler time per record',
  'outPerRecord: records the stage emitted per input record (worker: records written to rings; a fill goes to both risk and signals)',
  'worker: Pipeline.start, source -> the stage in its own pool -> sink, over rings (block policy); recordsPerSec over an unpaced burst; p50/p99/p999Us = the runtime serviceTime of the stage over the burst (includes encoding its outputs); queue* = the runtime queueDelay on its input edge while paced at pacedRate (half the burst rate at most)',
];
const SOURCE_NOTES = [
  'records = raw frames emitted; offeredPerSec = frames the embedded exchange (own thread) sent over the same window; busyUsPerRecord (direct) = busy time of the ingest thread per frame (event-loop utilization)',
  'direct: p50/p99/p999Us = frame receipt (ingest stamp) -> flush to the emitter; worker: receipt -> arrival at the sink through the ring (the runtime times no service for a source core); queue* = queueDelay on ingest->normalize',
];

async function plan(o: StageBenchOptions): Promise<StagePlan> {
  const size = o.quick ? 'quick' : 'full';
  const u = simUniverse(INSTRUMENTS[size]);
  if (o.stage === 'ingest') return ingestPlan(u, INGEST[size]);
  const z = SIZES[o.stage][size];
  switch (o.stage) {
    case 'normalize':
      return normalizePlan(u, z, o.venue);
    case 'book':
      return bookPlan(u, z);
    case 'signals':
      return signalsPlan(u, z);
    case 'risk':
      return riskPlan(u, z);
    case 'execution':
      return executionPlan(u, z);
  }
}

export async function runStageBench(o: StageBenchOptions): Promise<BenchReport> {
  const p = await plan(o);
  const direct: Record<string, number>[] = [];
  const worker: Record<string, number>[] = [];
  // interleaved, so drift on a shared machine hits both alike
  for (let r = 0; r < o.runs; r++) {
    direct.push(await runDirect(p));
    worker.push(await runWorkers(p));
  }
  const params = { ...p.params, records: p.tape === null ? 0 : p.tape.count - p.tape.prime };
  const results: BenchResult[] = [
    summarize(`stage:${o.stage}:direct`, direct, params),
    summarize(`stage:${o.stage}:worker`, worker, { ...params, burst: p.burst }),
  ];
  return report('stage', o.runs, results, [...(p.tape === null ? SOURCE_NOTES : TAPE_NOTES), ...(p.note ? [p.note] : [])]);
}
