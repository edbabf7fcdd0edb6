/** `tickline bench <name>`: runs one benchmark and prints its report (JSON with --json). */

import { type BenchReport, formatReport, type StageName } from '@tickline/runtime';

// Benchmarks load on demand: the book bench pulls in ccxt (its peer), which is large.

export const BENCHES = ['ring', 'codec', 'pipeline', 'normalize', 'book', 'stage'] as const;
export type BenchName = (typeof BENCHES)[number];

export interface BenchFlags {
  json?: boolean;
  runs: number;
  venue?: string;
  rate?: number;
  instruments?: number;
  quick?: boolean;
  mode?: 'trivial' | 'real';
  /** `bench stage`: the stage to measure alone. */
  stage?: StageName;
}

export async function bench(name: BenchName, f: BenchFlags): Promise<BenchReport> {
  const q = f.quick === true;
  let r: BenchReport;
  switch (name) {
    case 'ring': {
      const { runRingBench } = await import('../bench/ring-bench.js');
      r = await runRingBench({ runs: f.runs, count: q ? 200_000 : 2_000_000, latencySeconds: q ? 0.25 : 1 });
      break;
    }
    case 'codec': {
      const { runCodecBench } = await import('../bench/codec-bench.js');
      r = await runCodecBench({ runs: f.runs, ms: q ? 20 : 200 });
      break;
    }
    case 'pipeline': {
      // With --rate or --instruments: the real stages on the embedded exchange (tick-to-decision);
      // without: synthetic ticks through six trivial stages (the runtime's own cost).
      const real = f.mode === 'real' || (f.mode === undefined && (f.rate !== undefined || f.instruments !== undefined));
      if (real) {
        const { runTickToDecisionBench } = await import('../bench/tick-to-decision-bench.js');
        const { DEFAULT_PLACEMENTS } = await import('../bench/pipeline-bench.js');
        r = await runTickToDecisionBench({
          runs: f.runs,
          rate: f.rate ?? 60_000,
          instruments: f.instruments ?? 5500,
          seconds: q ? 3 : 10,
          ordersPerSec: 200,
          placements: DEFAULT_PLACEMENTS,
        });
      } else {
        const { runPipelineBench } = await import('../bench/pipeline-bench.js');
        r = await runPipelineBench({
          runs: f.runs,
          batch: 64,
          ticks: q ? 200_000 : 4_000_000,
          rate: 50_000,
          latencySeconds: q ? 0.5 : 2,
          instruments: 1000,
        });
      }
      break;
    }
    case 'normalize': {
      const { runNormalizeBench } = await import('@tickline/normalize/bench');
      r = (await runNormalizeBench({
        venue: f.venue ?? 'binance-spot',
        runs: f.runs,
        ...(q ? { ms: 50 } : {}),
      } as never)) as unknown as BenchReport;
      break;
    }
    case 'book': {
      const { runBookBench } = await import('@tickline/book/bench');
      r = (await runBookBench({ runs: f.runs, ...(q ? { updates: 100_000, instruments: 200 } : {}) } as never)) as unknown as BenchReport;
      break;
    }
    case 'stage': {
      const { runStageBench } = await import('../bench/stage/stage-bench.js');
      if (f.stage === undefined) throw new TypeError('flags.stage is required for bench stage');
      r = await runStageBench({ stage: f.stage, runs: f.runs, quick: q, ...(f.venue !== undefined ? { venue: f.venue } : {}) });
      break;
    }
  }
  process.stdout.write(f.json ? `${JSON.stringify(r)}\n` : `${formatReport(r)}\n`);
  return r;
}
