/**
 * `overload`: the real pipeline offered far more market data than this machine processes (the
 * exchange generates as fast as it can), for --seconds, measured by the overload benchmark's own
 * run (`tickline bench overload`, one implementation). It must shed, never fall over: no restart,
 * no venue disconnect, no order on stale data, every drop counted by reason, memory flat.
 */

import { overloadOnce } from '../bench/overload-bench.js';
import { type ChaosContext, type ChaosResult, Verdict } from './harness.js';

/** Offered events per second: beyond what the exchange can generate here, so it runs flat out. */
const OFFERED = 1_000_000;
/** RSS of the last 10 s against seconds 10-20 (measured from 30 s on). */
const MAX_RSS_GROWTH_PCT = 10;

export async function overload(ctx: ChaosContext): Promise<ChaosResult> {
  const v = new Verdict();
  const instruments = ctx.seconds >= 60 ? 5500 : 500;
  const f = await overloadOnce(ctx.fuse, { rate: OFFERED, seconds: ctx.seconds, instruments, ordersPerSec: 200 });
  const drops = Object.fromEntries(Object.entries(f).filter(([k]) => k.startsWith('ringDrops.')));
  const rss = Number.isFinite(f.rssGrowthPct) ? Math.round((f.rssGrowthPct as number) * 10) / 10 : null;
  v.set({
    seconds: ctx.seconds,
    instruments,
    offeredEventsPerSec: OFFERED,
    generatedEventsPerSec: Math.round(f.generatedEventsPerSec ?? 0),
    processedEventsPerSec: Math.round(f.processedEventsPerSec ?? 0),
    decisions: f.decisions,
    decisionAgeP99Ms: f.decisionAgeP99Ms,
    booksLiveMinPct: f.booksLiveMinPct,
    ordersOnStaleData: f.ordersOnStaleData,
    clientDisconnects: f.clientDisconnects,
    restarts: f.restarts,
    dropsByReason: {
      ...drops,
      shedFrames: f.shedFrames,
      shedInstruments: f.shedInstruments,
      staleSkipped: f.staleSkipped,
      staleRefused: f.staleRefused,
      slowConsumerDrops: f.slowConsumerDrops,
    },
    rssMaxMB: Math.round(f.rssMaxMB ?? 0),
    rssGrowthPct: rss,
  });
  v.check(f.restarts === 0, `${f.restarts} worker restarts`);
  v.check(f.clientDisconnects === 0, `${f.clientDisconnects} venue disconnects`);
  v.check(f.ordersOnStaleData === 0, `${f.ordersOnStaleData} orders left on stale data`);
  v.check(rss === null || rss <= MAX_RSS_GROWTH_PCT, `RSS grew ${rss}% (at most ${MAX_RSS_GROWTH_PCT}%)`);
  return v.result('overload');
}
