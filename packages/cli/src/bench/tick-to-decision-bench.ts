/**
 * `tickline bench pipeline --rate R` (or `--rates A,B,C`): tick-to-decision latency and throughput
 * of the real pipeline on the embedded exchange (live-pipeline.ts), per placement and offered
 * rate. Each placement starts once per rate, waits for every book to be live, then measures
 * `runs` consecutive windows of `seconds`; results are medians (min, max) over the windows.
 * Result names: `pipeline:<placement>`, with `@<rate>` when several rates are asked for.
 */

import { type BenchReport, type BenchResult, report, summarize } from '@tickline/runtime';
import { LiveRun, windowFigures } from './live/live-pipeline.js';

export interface TickToDecisionOptions {
  runs: number;
  /** Market-data events per second offered, one capacity point per rate. */
  rates: readonly number[];
  instruments: number;
  /** Seconds per measured window. */
  seconds: number;
  /** Orders per second the random trader aims for across the universe. */
  ordersPerSec: number;
  placements: Record<string, string[]>;
}

export async function runTickToDecisionBench(o: TickToDecisionOptions): Promise<BenchReport> {
  const results: BenchResult[] = [];
  for (const [name, fuse] of Object.entries(o.placements)) {
    for (const rate of o.rates) {
      const { windows, warmupMs } = await LiveRun.windows(
        { fuse, rate, instruments: o.instruments, ordersPerSec: o.ordersPerSec },
        o.runs,
        o.seconds,
        windowFigures,
      );
      results.push(
        summarize(o.rates.length > 1 ? `pipeline:${name}@${rate}` : `pipeline:${name}`, windows, {
          fuse: fuse.join(' ') || '(none)',
          rate,
          instruments: o.instruments,
          seconds: o.seconds,
          warmupMs: Math.round(warmupMs),
        }),
      );
    }
  }
  return report('pipeline', o.runs, results, [
    'tick-to-decision (p50Us, p99Us, p999Us): frame received by ingest -> order handed to the venue gateway by execution; orderP50Us/orderP99Us: -> the order leaving for the venue after its journal commit (SQLite WAL, synchronous=full, group commit); real stages; the embedded exchange in its own process',
    'eventsPerSec: market-data events (level changes + trades) the book stage took in; ticksPerSec: records it processed; generatedEventsPerSec: what the exchange generated',
    'cpuPctPipeline / cpuPctExchange: share of one core the pipeline process (every thread) and the exchange process used in the window',
    'medians (min, max) over consecutive measured windows of one start per placement and rate, after every book is live',
  ]);
}
