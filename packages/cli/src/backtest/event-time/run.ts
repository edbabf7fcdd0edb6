/**
 * `tickline backtest` on the event-time engine: prepare (normalize the file once), replay through
 * book → signals → risk → execution fused in one thread against the local venue, report.
 */

import createBookStage from '@tickline/book/worker';
import createExecutionStage from '@tickline/execution/worker';
import createRiskStage from '@tickline/risk/worker';
import createSignalsStage from '@tickline/signals/worker';
import type { LoadedConfig } from '../../config.js';
import { bookConfigFor, type ReplayPlan } from '../../commands/replay-registry.js';
import type { ResolvedBacktest } from '../options.js';
import { tradingConfigs } from '../trading-configs.js';
import { createProgress } from '../progress.js';
import { type EngineResult, runEventTime } from './engine.js';
import { prepareEvents, type PreparedEvents } from './prepare.js';
import { eventTotal } from './store.js';
import { createEngineVenue, type EngineVenueHandle, type VenueSettings } from './venue-adapter.js';

export interface EventTimeRun {
  prepared: PreparedEvents;
  result: EngineResult;
  venue: EngineVenueHandle;
  events: number;
  /** Events and frames per second of the replay loop, and events per second of prepare + replay. */
  eventsPerSec: number;
  endToEndEventsPerSec: number;
  framesPerSec: number;
  sampleMs: number;
}

export async function runEventTimeBacktest(
  config: LoadedConfig['config'],
  r: ResolvedBacktest,
  plan: ReplayPlan,
  venueSettings: VenueSettings,
  stopped: () => boolean,
): Promise<EventTimeRun> {
  const prepProgress = createProgress(r.progress, 0, process.stderr, { unit: 'frames' });
  const prepared = await prepareEvents(plan, config.normalize, (n) => prepProgress.update(n), stopped);
  prepProgress.done(prepared.frames);
  const store = prepared.store;
  const events = eventTotal(store.events);
  const span = prepared.lastMs - prepared.firstMs;
  const sampleMs = r.sampleMs ?? Math.max(10, Math.round(span / 200));
  const venue = createEngineVenue(plan.registry, plan.venue, venueSettings, store, r.venueBooks);
  const progress = createProgress(r.progress, store.count, process.stderr, {
    unit: 'records',
    eventsPer: store.count > 0 ? events / store.count : 0,
  });
  // the local venue sends nothing over a wire: a request reaches it when the core makes it
  const trading = tradingConfigs(config, r, plan, { url: null }, { commit: 'record' });
  const result = await runEventTime({
    store,
    registry: plan.registry,
    factories: { book: createBookStage, signals: createSignalsStage, risk: createRiskStage, execution: createExecutionStage },
    configs: { book: bookConfigFor(config.book, plan), ...trading },
    maxDataAgeMs: config.freshness.maxDataAgeMs,
    venue,
    feedLatency: venue.feedLatency,
    tickMs: config.runtime.tickMs,
    sampleMs,
    onProgress: (n) => progress.update(n),
    stopped,
  });
  progress.done(result.records);
  const secs = Math.max(result.ms, 0.001) / 1000;
  // a run stopped early replayed part of the file (its share of records stands for its events)
  const share = store.count > 0 ? result.records / store.count : 1;
  return {
    prepared,
    result,
    venue,
    events,
    eventsPerSec: (events * share) / secs,
    endToEndEventsPerSec: (events * share) / ((result.ms + prepared.ms) / 1000),
    framesPerSec: (prepared.frames * share) / secs,
    sampleMs,
  };
}
