/**
 * A live pipeline for the dashboard tests: the embedded exchange, a registry from its instrument
 * list, the shared market view, and a real `Pipeline` running the real ingest, normalize, book,
 * signals and risk stages (execution is the runtime's pass-through until its worker lands). Worker
 * events fan out to listeners the way `tickline run` hands them to the dashboard.
 */

import { startExchange } from '@tickline/exchange';
import { simInstruments } from '@tickline/normalize';
import {
  createLogger,
  type Issue,
  MarketViewTable,
  Pipeline,
  placementGroups,
  runtimeSchema,
  type StageName,
  type WorkerEvent,
} from '@tickline/runtime';
import { InstrumentRegistry } from '@tickline/wire';

const stage = (path: string) => new URL(`../packages/${path}`, import.meta.url).href;

export const LIVE_STAGES: Record<StageName, string> = {
  ingest: stage('ingest/src/worker.ts'),
  normalize: stage('normalize/src/worker.ts'),
  book: stage('book/src/worker.ts'),
  signals: stage('signals/src/worker.ts'),
  risk: stage('risk/src/worker.ts'),
  execution: stage('cli/src/bench/stages/pass.ts'),
};

export interface LivePipeline {
  pipeline: Pipeline;
  registry: InstrumentRegistry;
  marketView: MarketViewTable;
  events: { on(fn: (e: WorkerEvent) => void): () => void };
  stop(): Promise<void>;
}

export async function startLivePipeline(opts: { instruments: number; eventsPerSecond: number; fuse?: string[] }): Promise<LivePipeline> {
  const exchange = await startExchange({
    instruments: opts.instruments,
    eventsPerSecond: opts.eventsPerSecond,
    host: '127.0.0.1',
    port: 0,
  });
  const registry = new InstrumentRegistry();
  const res = await fetch(`${exchange.httpUrl}/v1/instruments`);
  for (const i of simInstruments(await res.json())) registry.add({ ...i, venue: 'sim' });
  const issues: Issue[] = [];
  // Two shared cores: three groups keep the test light while still crossing rings.
  const config = runtimeSchema.parse({ fuse: opts.fuse ?? ['ingest+normalize+book', 'signals+risk+execution'] }, '', issues);
  const groups = placementGroups(config, issues);
  if (issues.length > 0) throw new Error(`bad pipeline config: ${JSON.stringify(issues)}`);
  const marketView = new MarketViewTable(Math.max(...registry.list().map((i) => i.id)) + 1);
  const listeners = new Set<(e: WorkerEvent) => void>();
  let pipeline: Pipeline | null = null;
  pipeline = await Pipeline.start({
    config,
    groups,
    stageModules: LIVE_STAGES,
    stageConfigs: {
      ingest: {
        venue: 'sim',
        url: exchange.wsUrl,
        restUrl: exchange.httpUrl,
        symbols: registry.list().map((i) => i.symbol),
        channels: ['book', 'trades'],
      },
    },
    registry: registry.list(),
    marketView,
    logger: createLogger('silent'),
    onEvent: (e) => {
      if (e.event === 'resync') void pipeline?.command('ingest', 'resync', e.data).catch(() => {});
      for (const fn of listeners) fn(e);
    },
  });
  const p = pipeline;
  return {
    pipeline: p,
    registry,
    marketView,
    events: {
      on(fn) {
        listeners.add(fn);
        return () => listeners.delete(fn);
      },
    },
    async stop() {
      await p.stop(1500);
      await exchange.close();
    },
  };
}
