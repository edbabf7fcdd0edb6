/** `tickline bench <name>`: runs one benchmark and prints its report (JSON with --json). */

import type { BenchOptions as NormalizeBenchOptions } from '@tickline/normalize/bench';
import { type BenchReport, formatReport, PLACEMENT_NAMES, PLACEMENTS, type StageName } from '@tickline/runtime';
import { saveBenchReport } from '../placement-advice.js';

// Benchmarks load on demand: the book bench pulls in ccxt (its peer), which is large.

export const BENCHES = ['ring', 'codec', 'pipeline', 'overload', 'normalize', 'book', 'stage', 'backtest'] as const;
export type BenchName = (typeof BENCHES)[number];

export { PLACEMENT_NAMES, PLACEMENTS };

/** Venue dialects of `bench normalize --venue` (listed here so the CLI need not load the bench). */
export const NORMALIZE_BENCH_VENUES = ['sim', 'binance-spot', 'binance-usdm'] as const satisfies readonly NonNullable<
  NormalizeBenchOptions['venue']
>[];

export interface BenchFlags {
  json?: boolean;
  /** Repetitions; default 5 (overload: 1). */
  runs?: number;
  venue?: string;
  rate?: number;
  rates?: number[];
  placements?: string[];
  seconds?: number;
  instruments?: number;
  quick?: boolean;
  mode?: 'trivial' | 'real';
  /** `bench stage`: the stage to measure alone. */
  stage?: StageName;
}

function placements(names: readonly string[] | undefined): Record<string, string[]> {
  const pick = names ?? PLACEMENT_NAMES;
  return Object.fromEntries(pick.map((n) => [n, [...(PLACEMENTS[n] ?? [])]]));
}

export async function bench(name: BenchName, flags: BenchFlags): Promise<BenchReport> {
  const f = { ...flags, runs: flags.runs ?? (name === 'overload' ? 1 : 5) };
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
      const real =
        f.mode === 'real' ||
        (f.mode === undefined &&
          (f.rate !== undefined || f.rates !== undefined || f.instruments !== undefined || f.placements !== undefined));
      if (real) {
        const { runTickToDecisionBench } = await import('../bench/tick-to-decision-bench.js');
        r = await runTickToDecisionBench({
          runs: f.runs,
          rates: f.rates ?? [f.rate ?? 60_000],
          instruments: f.instruments ?? (q ? 500 : 5500),
          seconds: f.seconds ?? (q ? 1 : 4),
          ordersPerSec: 200,
          placements: placements(f.placements),
        });
        // run's start-up line names the placement that measures best on this machine
        if (!q) saveBenchReport('.tickline', r);
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
    case 'overload': {
      const { runOverloadBench } = await import('../bench/overload-bench.js');
      r = await runOverloadBench({
        runs: f.runs,
        rate: f.rate ?? 180_000,
        seconds: f.seconds ?? (q ? 5 : 60),
        instruments: f.instruments ?? (q ? 500 : 5500),
        ordersPerSec: 200,
        placements: placements(f.placements ?? ['six-pools']),
      });
      break;
    }
    case 'normalize': {
      const { runNormalizeBench } = await import('@tickline/normalize/bench');
      r = (await runNormalizeBench({
        venue: f.venue ?? 'binance-spot',
        runs: f.runs,
        ...(q ? { msPerRun: 50 } : {}),
      } as never)) as unknown as BenchReport;
      break;
    }
    case 'book': {
      const { runBookBench } = await import('@tickline/book/bench');
      r = (await runBookBench({ runs: f.runs, ...(q ? { updates: 100_000, instruments: 200 } : {}) } as never)) as unknown as BenchReport;
      break;
    }
    case 'backtest': {
      const { runBacktestBench } = await import('../bench/backtest-bench.js');
      r = await runBacktestBench({
        runs: f.runs,
        quick: q,
        ...(f.seconds !== undefined ? { seconds: f.seconds } : {}),
        ...(f.instruments !== undefined ? { instruments: f.instruments } : {}),
      });
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
