/**
 * `tickline bench backtest`: backtest speed on two inputs, a real capture (Binance spot BTCUSDT,
 * an hftbacktest collector file) and a synthetic recording of the embedded exchange (5,500
 * instruments), each under both engines, side by side in the same run:
 *
 * - `backtest:one-worker`: the event-time engine, every stage fused in one thread with the local
 *   venue. The file is normalized once (the prepare pass, timed on its own), then replayed `runs`
 *   times, each with fresh cores and venue, after two warm-up runs (left out: they are the JIT
 *   compiling the cores). eventsPerSec and framesPerSec are over the replay loop;
 *   endToEndEventsPerSec adds the prepare pass once.
 * - `backtest:default`: the lockstep engine under the config's default placement (one pool per
 *   stage) against the replay-driven embedded exchange, the whole command timed (one run: it is
 *   slow by design, each 10 ms of recorded time waits for the pipeline to drain).
 *
 * Events are level changes (snapshot and delta levels), trades and top-of-book quotes, counted by
 * the prepare pass. Same strategy on both: the random trader at 50 orders a second across the
 * file's instruments (at most one per instrument a second), so the venue matches, queues and fills.
 */

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import createBookStage from '@tickline/book/worker';
import createExecutionStage from '@tickline/execution/worker';
import createRiskStage from '@tickline/risk/worker';
import { type BenchReport, type BenchResult, report, summarize } from '@tickline/runtime';
import createSignalsStage from '@tickline/signals/worker';
import { runEventTime } from '../backtest/event-time/engine.js';
import { prepareEvents } from '../backtest/event-time/prepare.js';
import { tradingConfigs } from '../backtest/trading-configs.js';
import { eventTotal } from '../backtest/event-time/store.js';
import { createEngineVenue, venueSettingsOf } from '../backtest/event-time/venue-adapter.js';
import { resolveBacktestOptions } from '../backtest/options.js';
import { backtest } from '../commands/backtest.js';
import { record } from '../commands/record.js';
import { bookConfigFor, planReplay } from '../commands/replay-registry.js';
import { loadConfig } from '../config.js';

export interface BacktestBenchOptions {
  runs: number;
  quick: boolean;
  /** Recorded seconds of the synthetic input (default 10; quick 1). */
  seconds?: number;
  /** Instruments of the synthetic input (default 5,500; quick 500). */
  instruments?: number;
  /** Skip the lockstep rows (they take minutes). */
  skipDefault?: boolean;
}

const CAPTURE = new URL('../../../../test/fixtures/captures/binance-spot-btcusdt-20240809.ns.gz', import.meta.url).pathname;
const STRATEGY = 'random';
/** Runs of the event-time engine before the measured ones (left out). */
const WARMUP = 2;

/** The random trader's rate per instrument: 50 orders/s in all, at most 1/s per instrument. */
const paramsFor = (instruments: number) => JSON.stringify({ ratePerSecond: Math.min(1, 50 / Math.max(1, instruments)), seed: 1 });

/** Writes nothing to stdout while `f` runs (the commands print their summaries). */
async function silently<T>(f: () => Promise<T>): Promise<T> {
  const write = process.stdout.write;
  process.stdout.write = (() => true) as typeof process.stdout.write;
  try {
    return await f();
  } finally {
    process.stdout.write = write;
  }
}

export async function oneWorker(
  file: string,
  venue: string | undefined,
  runs: number,
): Promise<{ result: BenchResult; events: number; frames: number; instruments: number }> {
  const loaded = loadConfig({}, { 'log.level': 'silent' }, 'bench');
  const r = resolveBacktestOptions({
    file,
    strategy: STRATEGY,
    progress: 'none',
    ...(venue ? { venue } : {}),
    out: join(tmpdir(), 'unused'),
  });
  const plan = await planReplay(r.file, { ...(r.venue ? { venue: r.venue } : {}), format: r.format });
  const settings = venueSettingsOf(loaded.config, r, plan);
  const prepared = await prepareEvents(plan, loaded.config.normalize);
  const events = eventTotal(prepared.store.events);
  const trading = tradingConfigs(loaded.config, r, plan, { url: null }, { commit: 'record' });
  const per: Record<string, number>[] = [];
  let fills = 0;
  // the first runs compile the cores (JIT): they are run and left out, as a benchmark's warm-up
  for (let i = -WARMUP; i < runs; i++) {
    const v = createEngineVenue(plan.registry, plan.venue, settings, prepared.store);
    const res = await runEventTime({
      store: prepared.store,
      registry: plan.registry,
      factories: { book: createBookStage, signals: createSignalsStage, risk: createRiskStage, execution: createExecutionStage },
      configs: { book: bookConfigFor(loaded.config.book, plan), ...trading },
      maxDataAgeMs: loaded.config.freshness.maxDataAgeMs,
      venue: v,
      feedLatency: v.feedLatency,
      tickMs: loaded.config.runtime.tickMs,
      sampleMs: Math.max(10, (prepared.lastMs - prepared.firstMs) / 200),
    });
    await res.close();
    if (res.error !== null) throw new Error(`event-time backtest failed: ${res.error}`);
    fills = v.account().fills.length;
    if (i < 0) continue;
    const secs = res.ms / 1000;
    per.push({
      eventsPerSec: events / secs,
      framesPerSec: prepared.frames / secs,
      endToEndEventsPerSec: events / (secs + prepared.ms / 1000),
      replayMs: res.ms,
    });
  }
  const result = summarize('backtest:one-worker', per, {
    input: '',
    events,
    frames: prepared.frames,
    records: prepared.store.count,
    prepareMs: Math.round(prepared.ms),
    prepareEventsPerSec: Math.round(events / (prepared.ms / 1000)),
    fills,
    strategy: STRATEGY,
  });
  return { result, events, frames: prepared.frames, instruments: plan.registry.list().length };
}

async function lockstep(file: string, venue: string | undefined, events: number, instruments: number): Promise<BenchResult> {
  const loaded = loadConfig({}, { 'log.level': 'silent' }, 'bench');
  const out = mkdtempSync(join(tmpdir(), 'tkl-bench-bt-'));
  try {
    const t0 = performance.now();
    const code = await silently(() =>
      backtest(loaded, {
        file,
        strategy: STRATEGY,
        params: paramsFor(instruments),
        engine: 'lockstep',
        progress: 'none',
        out,
        ...(venue ? { venue } : {}),
      }),
    );
    const secs = (performance.now() - t0) / 1000;
    if (code !== 0) throw new Error(`lockstep backtest exited ${code}`);
    const rep = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as { meta: { frames: number }; fills: { count: number } };
    return summarize('backtest:default', [{ eventsPerSec: events / secs, framesPerSec: rep.meta.frames / secs, seconds: secs }], {
      input: '',
      events,
      frames: rep.meta.frames,
      fills: rep.fills.count,
      strategy: STRATEGY,
      placement: 'six-pools (lockstep)',
    });
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

export async function runBacktestBench(o: BacktestBenchOptions): Promise<BenchReport> {
  const seconds = o.seconds ?? (o.quick ? 1 : 10);
  const instruments = o.instruments ?? (o.quick ? 500 : 5500);
  const tmp = mkdtempSync(join(tmpdir(), 'tkl-bench-bt-rec-'));
  const synthetic = join(tmp, 'synthetic.tkr');
  const results: BenchResult[] = [];
  try {
    const rec = loadConfig({ exchange: { instruments, eventsPerSecond: 60_000 } }, { 'log.level': 'silent' }, 'bench');
    const code = await silently(() => record(rec, { out: synthetic, durationS: seconds, summary: 'json' }));
    if (code !== 0) throw new Error(`recording the synthetic input failed (exit ${code})`);
    const inputs: [string, string, string | undefined][] = [
      ['binance-spot-btcusdt-20240809', CAPTURE, 'binance-spot'],
      [`synthetic-${instruments}-instruments-${seconds}s`, synthetic, undefined],
    ];
    for (const [name, file, venue] of inputs) {
      const ow = await oneWorker(file, venue, o.runs);
      (ow.result.params as Record<string, string | number>).input = name;
      results.push(ow.result);
      if (!o.skipDefault) {
        const d = await lockstep(file, venue, ow.events, ow.instruments);
        (d.params as Record<string, string | number>).input = name;
        results.push(d);
      }
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return report('backtest', o.runs, results, [
    `one-worker: event-time engine, replay loop only (prepare pass in params), after ${WARMUP} warm-up runs; default: lockstep engine under one pool per stage, whole command, 1 run`,
    'strategy: random trader, 50 orders/s across the instruments (at most 1/s each), seed 1',
    'events = snapshot and delta levels + trades + top-of-book quotes',
  ]);
}
