/**
 * `tickline bench overload --rate R --seconds S [--placements ...]`: the real pipeline at an
 * offered rate, usually beyond what it can process, for S seconds after warm-up. What it must
 * show (docs/architecture.md, "Freshness"): fewer, fresh decisions, never late ones; no venue
 * disconnect; books mostly live; memory flat. One result per placement, `overload:<placement>`.
 */

import { type BenchReport, type BenchResult, report, summarize } from '@tickline/runtime';
import { counter, decisionsBetween, droppedRecords, generatedRate, LiveRun, type Sample, stageOf } from './live/live-pipeline.js';

export interface OverloadOptions {
  runs: number;
  rate: number;
  seconds: number;
  instruments: number;
  ordersPerSec: number;
  placements: Record<string, string[]>;
}

const mean = (xs: readonly number[]) => (xs.length === 0 ? Number.NaN : xs.reduce((a, b) => a + b, 0) / xs.length);

/** Records dropped in the rings so far, by reason (shared memory: also counts a worker that restarted). */
function ringDropsByReason(run: LiveRun): Record<string, number> {
  const by: Record<string, number> = {};
  for (const r of run.pipeline.ringStats()) for (const [reason, n] of Object.entries(r.dropped)) by[reason] = (by[reason] ?? 0) + n;
  return by;
}

/** One overload run of one placement: its figures (also what `tickline chaos`'s overload fault reports). */
export async function overloadOnce(
  fuse: readonly string[],
  o: Omit<OverloadOptions, 'runs' | 'placements'>,
): Promise<Record<string, number>> {
  // Warm-up ends when every book is live, or after 30 s (at overload that may never happen).
  const run = await LiveRun.start({
    fuse: [...fuse],
    rate: o.rate,
    instruments: o.instruments,
    ordersPerSec: o.ordersPerSec,
    warmupTimeoutMs: 30_000,
  });
  const samples: Sample[] = [];
  let drops0: Record<string, number> = {};
  let drops1: Record<string, number> = {};
  let restarts = 0;
  try {
    drops0 = ringDropsByReason(run);
    samples.push(await run.sample());
    const t0 = performance.now();
    for (let i = 1; i <= o.seconds; i++) {
      await new Promise((r) => setTimeout(r, Math.max(0, t0 + i * 1000 - performance.now())));
      samples.push(await run.sample());
    }
    drops1 = ringDropsByReason(run);
    restarts = (samples[samples.length - 1] as Sample).stats.restarts;
  } finally {
    await run.stop();
  }
  const first = samples[0] as Sample;
  const last = samples[samples.length - 1] as Sample;
  const dt = (last.t - first.t) / 1000;
  const h = decisionsBetween(first, last);
  const sent = decisionsBetween(first, last, 'tickToOrder');
  const q = (p: number, x = h) => (x.count > 0 ? x.quantile(p) / 1e6 : Number.NaN);
  const live = samples.filter((_, i) => i % 5 === 0).map((s) => ((stageOf(s.stats, 'book')?.core.live ?? 0) / run.instruments) * 100);
  const rss = samples.map((s) => s.rssBytes / 2 ** 20);
  const early = rss.slice(10, 21);
  const late = rss.slice(-10);
  const delta = (key: string, stage: Parameters<typeof counter>[1]) => counter(last, stage, key) - counter(first, stage, key);
  return {
    offeredEventsPerSec: o.rate,
    generatedEventsPerSec: generatedRate(first, last),
    // what reached the socket (the exchange's own clock) and what ingest read from it
    deliveredFramesPerSec:
      (last.exchange.framesSent - first.exchange.framesSent) / ((last.exchange.uptimeMs - first.exchange.uptimeMs) / 1000),
    receivedFramesPerSec: delta('frames', 'ingest') / dt,
    processedEventsPerSec: delta('events', 'book') / dt,
    decisions: h.count,
    decisionAgeP50Ms: q(0.5),
    decisionAgeP99Ms: q(0.99),
    orderAgeP99Ms: q(0.99, sent),
    booksLiveMinPct: Math.min(...live),
    ordersOnStaleData: delta('groupCommit.sentOnStaleData', 'execution'),
    clientDisconnects: delta('disconnects', 'ingest'),
    slowConsumerDrops: last.exchange.slowConsumerDrops - first.exchange.slowConsumerDrops,
    droppedRecords: droppedRecords(last) - droppedRecords(first),
    shedFrames: delta('shedFrames', 'ingest'),
    shedInstruments: delta('shedInstruments', 'ingest'),
    staleSkipped: delta('skippedStale', 'signals'),
    staleRefused: delta('rejected.stale_data', 'risk') + delta('staleData', 'execution'),
    // drops by reason: in the rings (shared memory), shed by ingest, and refused by the venue
    ...Object.fromEntries(Object.keys(drops1).map((k) => [`ringDrops.${k}`, (drops1[k] ?? 0) - (drops0[k] ?? 0)])),
    restarts,
    rssMaxMB: Math.max(...rss),
    rssGrowthPct: early.length > 0 && late.length > 0 ? ((mean(late) - mean(early)) / mean(early)) * 100 : Number.NaN,
    warmupMs: run.warmupMs,
  };
}

export async function runOverloadBench(o: OverloadOptions): Promise<BenchReport> {
  const results: BenchResult[] = [];
  for (const [name, fuse] of Object.entries(o.placements)) {
    const runs: Record<string, number>[] = [];
    for (let r = 0; r < o.runs; r++) runs.push(await overloadOnce(fuse, o));
    results.push(
      summarize(`overload:${name}`, runs, {
        fuse: fuse.join(' ') || '(none)',
        rate: o.rate,
        seconds: o.seconds,
        instruments: o.instruments,
      }),
    );
  }
  return report('overload', o.runs, results, [
    'the embedded exchange in its own process offers `rate` market-data events/s; generatedEventsPerSec is what it managed on this machine',
    'decision age: frame received by ingest -> order handed to the venue gateway by execution; order age: -> the order leaving for the venue (after its journal commit); ordersOnStaleData: orders that left on data older than freshness.maxDataAgeMs (counted by execution as each leaves)',
    'booksLiveMinPct: lowest share of live books in 5 s samples after warm-up; rssGrowthPct: mean RSS of the last 10 s against seconds 10-20',
  ]);
}
