/** `tickline bench <name>`: runs one benchmark and prints its report (JSON with --json). */

import { runBookBench } from '@tickline/book/bench';
import { runNormalizeBench } from '@tickline/normalize/bench';
import { type BenchReport, formatReport } from '@tickline/runtime';
import { runCodecBench } from '../bench/codec-bench.js';
import { runPipelineBench } from '../bench/pipeline-bench.js';
import { runRingBench } from '../bench/ring-bench.js';

export const BENCHES = ['ring', 'codec', 'pipeline', 'normalize', 'book'] as const;
export type BenchName = (typeof BENCHES)[number];

export interface BenchFlags {
  json?: boolean;
  runs: number;
  venue?: string;
  rate?: number;
  instruments?: number;
  quick?: boolean;
}

export async function bench(name: BenchName, f: BenchFlags): Promise<BenchReport> {
  const q = f.quick === true;
  let r: BenchReport;
  switch (name) {
    case 'ring':
      r = await runRingBench({ runs: f.runs, count: q ? 200_000 : 2_000_000, latencySeconds: q ? 0.25 : 1 });
      break;
    case 'codec':
      r = await runCodecBench({ runs: f.runs, ms: q ? 20 : 200 });
      break;
    case 'pipeline':
      r = await runPipelineBench({
        runs: f.runs,
        batch: 64,
        ticks: q ? 200_000 : 4_000_000,
        rate: f.rate ?? 50_000,
        latencySeconds: q ? 0.5 : 2,
        instruments: f.instruments ?? 1000,
      });
      break;
    case 'normalize':
      r = (await runNormalizeBench({
        venue: f.venue ?? 'binance-spot',
        runs: f.runs,
        ...(q ? { ms: 50 } : {}),
      } as never)) as unknown as BenchReport;
      break;
    case 'book':
      r = (await runBookBench({ runs: f.runs, ...(q ? { updates: 100_000, instruments: 200 } : {}) } as never)) as unknown as BenchReport;
      break;
  }
  process.stdout.write(f.json ? `${JSON.stringify(r)}\n` : `${formatReport(r)}\n`);
  return r;
}
