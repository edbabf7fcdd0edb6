/**
 * What `tickline bench stage` needs to know about a stage: its input and how to set up a run.
 * Each stage's plan lives in inputs/<stage>-input.ts; the drivers (direct.ts, workers.ts) are
 * shared by all of them.
 */

import type { StageName } from '@tickline/runtime';
import type { InstrumentSpec } from '@tickline/wire';
import type { ExchangeStats } from '@tickline/exchange';
import type { Tape } from './tape.js';

export interface RunSetup {
  /** The stage's config section for this run. */
  readonly config: unknown;
  /** The embedded exchange's counters (stages benchmarked against it). */
  readonly exchange?: () => Promise<ExchangeStats>;
  close(): Promise<void>;
}

export interface StagePlan {
  readonly stage: StageName;
  readonly registry: readonly InstrumentSpec[];
  /** The recorded input; null for a source stage (ingest), which its venue feeds. */
  readonly tape: Tape | null;
  /** Worker run: records of the tape's body played unpaced (throughput), then paced. */
  readonly burst: number;
  readonly paced: number;
  /** Worker run: rate of the paced phase (records/s), where the queueing delay is measured. */
  readonly pacedRate: number;
  /** Source stages: seconds of the measured window (after `warmupS`). */
  readonly windowS?: number;
  readonly warmupS?: number;
  /** Source stages: the venue has everything subscribed (judged from the exchange's counters). */
  ready?(exchange: ExchangeStats): boolean;
  /** A note on the input for the report. */
  readonly note?: string;
  /** What describes the input (instruments, levels, dialect...). */
  readonly params: Record<string, string | number>;
  /** A fresh config and its resources (exchange, journal directory) for one run. */
  open(): Promise<RunSetup>;
  /** The core is ready for its input (e.g. its venue gateway connected), from its counters. */
  coreReady?(core: Record<string, number>): boolean;
  /**
   * The work the tape started is complete (e.g. every order answered by the venue), judged from
   * the core's counters; the run waits for it and reports `extras` over that time.
   */
  settled?(core: Record<string, number>): boolean;
  /** Figures beyond records/s and latency, from the core's counters at start and end of a measure. */
  extras?(before: Record<string, number>, after: Record<string, number>, seconds: number): Record<string, number>;
}

/** How much of a stage's input a run plays. */
export interface StageSizes {
  /** Body records the worker run plays unpaced, then paced at `pacedRate`; direct plays all. */
  readonly burst: number;
  readonly paced: number;
  readonly pacedRate: number;
}

/** Pipeline stage modules: each stage's real worker module. */
export const stageModule = (s: StageName): string => import.meta.resolve(`@tickline/${s}/worker`);

/** A source stage's venue once it has everything subscribed and the warm-up has passed. */
export async function warmVenue(plan: StagePlan, setup: RunSetup): Promise<() => Promise<ExchangeStats>> {
  const exchange = setup.exchange;
  if (exchange === undefined) throw new Error(`bench stage ${plan.stage}: a source stage needs its exchange`);
  const ready = plan.ready;
  if (ready !== undefined) await until('the venue subscriptions', async () => ready(await exchange()), 60_000, 50);
  await new Promise((r) => setTimeout(r, (plan.warmupS ?? 1) * 1000));
  return exchange;
}

/** Polls `done` every `everyMs` until it holds; throws after `timeoutMs` naming `what`. */
export async function until(what: string, done: () => boolean | Promise<boolean>, timeoutMs = 60_000, everyMs = 5): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`bench stage: timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
