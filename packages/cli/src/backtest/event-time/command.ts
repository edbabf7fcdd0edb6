/** `tickline backtest` with the event-time engine (the default): run, report, exit code. */

import type { StrategyError } from '@tickline/signals';
import type { LoadedConfig } from '../../config.js';
import type { ReplayPlan } from '../../commands/replay-registry.js';
import type { ResolvedBacktest } from '../options.js';
import { finish } from '../output.js';
import { buildReport, type ExecReport } from '../report.js';
import { runEventTimeBacktest } from './run.js';
import type { VenueSettings } from './venue-adapter.js';

export async function runEventTimeCommand(
  loaded: LoadedConfig,
  r: ResolvedBacktest,
  plan: ReplayPlan,
  settings: VenueSettings,
  _usage: (m: string) => number,
): Promise<number> {
  const started = performance.now();
  let stopReason: string | null = null;
  const onSignal = (sig: NodeJS.Signals) => (stopReason = sig);
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const run = await runEventTimeBacktest(loaded.config, r, plan, settings, () => stopReason !== null);
    const { prepared, result, venue } = run;
    const exec = [result.control('execution', 'report') as ExecReport];
    // strategies that threw and were disabled (their times are recorded times already)
    const strategyErrors = (result.control('signals', 'strategy-errors') as { strategyErrors: StrategyError[] }).strategyErrors;
    await result.close();
    const bookCore = result.stages.book?.core ?? {};
    const gaps = Object.entries(bookCore)
      .filter(([k]) => /gap|checksum|resync/i.test(k))
      .reduce<Record<string, number>>((o, [k, v]) => {
        o[k] = v;
        return o;
      }, {});
    const names = (id: number) => {
      const s = plan.registry.get(id);
      return s === undefined ? String(id) : s.symbol;
    };
    const report = buildReport({
      meta: {
        file: plan.file,
        venue: plan.venue,
        format: plan.format,
        engine: 'event-time',
        strategy: r.strategy.module ?? r.strategy.type,
        params: r.strategy.params,
        instruments: r.instruments ?? 'all',
        frames: prepared.frames,
        framesInFile: prepared.frames,
        records: result.records,
        events: { total: run.events, ...prepared.store.events },
        recordedFrom: new Date(prepared.firstMs).toISOString(),
        recordedTo: new Date(prepared.lastMs).toISOString(),
        sampleMs: run.sampleMs,
        fillModel: venue.settings(),
        speed: {
          eventsPerSec: Math.round(run.eventsPerSec),
          endToEndEventsPerSec: Math.round(run.endToEndEventsPerSec),
          framesPerSec: Math.round(run.framesPerSec),
          prepareMs: Math.round(prepared.ms),
          replayMs: Math.round(result.ms),
        },
        fillRatios: venue.instrumentStats(),
        gaps,
        notLive: result.notLive.map((p) => ({
          instrument: names(p.instrument),
          from: new Date(p.fromMs).toISOString(),
          to: p.toMs === null ? null : new Date(p.toMs).toISOString(),
          ms: p.toMs === null ? null : Math.round(p.toMs - p.fromMs),
        })),
        strategyErrors,
        complete: result.complete,
        stopReason: stopReason ?? (result.error === null ? 'end of file' : 'error'),
        error: result.error,
        durationS: Math.round((performance.now() - started) / 10) / 100,
        market: {
          normalize: prepared.normalize,
          timeReversals: prepared.timeReversals,
          corruptBlocks: prepared.corruptBlocks,
          badLines: prepared.badLines,
        },
        stages: result.stages,
        venueMessages: result.venueMessages,
      },
      exec,
      account: venue.account(),
      feeBps: venue.feeBps(),
      curve: result.curve,
      gridPoints: Math.max(0, result.curve.length - 1),
      sampleMs: run.sampleMs,
    });
    return finish(r, report, result.error);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
