/**
 * `tickline run`: starts the embedded exchange when no venue is configured (or, on a live venue,
 * fetches its instrument list and checks the symbols), builds the instrument registry, starts the
 * six-stage pipeline, and on SIGINT/SIGTERM (or after --duration) drains and stops it, printing
 * per-stage counts.
 */

import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type ClusterSource, type DashboardHandle, type LatencySummary, latencySummaries, startDashboard } from '@tickline/dashboard';
import { type ExchangeHandle, startExchange } from '@tickline/exchange';
import { krakenDepth, redactUrl } from '@tickline/ingest';
import { simInstruments } from '@tickline/normalize';
import {
  createLogger,
  MarketViewTable,
  Pipeline,
  type PipelineStats,
  type PipelineOptions,
  STAGES,
  type StageName,
  type WorkerEvent,
} from '@tickline/runtime';
import { InstrumentRegistry, type InstrumentSpec } from '@tickline/wire';
import type { LoadedConfig } from '../config.js';
import { placementNote } from '../placement-advice.js';
import { LiveVenueError, prepareLiveVenue } from './live-venue.js';
import { PAPER_MODULE, paperStageConfig, tradingMode } from './paper-mode.js';
import { type BookSummary, bookSummary, type TradingSummary, TradingStateLog, tradingLines, tradingSummary } from './run-summary.js';

export interface RunOptions {
  durationS?: number;
  summary?: 'json' | 'text';
  /** Paper trading on a live venue (the default there without an API key; see paper-mode.ts). */
  paper?: boolean;
}

/** What a cluster node adds to a run (cluster-node.ts); a single-process run has none. */
export interface RunHooks {
  /** The symbols this process's ingest subscribes (its shards), from the full registry. */
  selectSymbols?(registry: InstrumentRegistry, symbols: readonly string[]): string[];
  /** After the registry is built, before the pipeline starts (a node waits for its peers here). */
  beforePipeline?(registry: InstrumentRegistry, symbols: readonly string[]): Promise<void>;
  /** Once the pipeline and its dashboard run. */
  started?(pipeline: Pipeline, dashboard: DashboardHandle | null): void;
  /** At stop, before the pipeline drains. */
  stopping?(): Promise<void>;
  /** A cluster node's view of every node, for its dashboard and /metrics. */
  readonly cluster?: ClusterSource;
  /** NATS edges at the ends of the pipeline (a cluster node's: Pipeline `boundary`). */
  readonly boundary?: PipelineOptions['boundary'];
}

const STAGE_MODULES = Object.fromEntries(STAGES.map((s) => [s, import.meta.resolve(`@tickline/${s}/worker`)])) as Record<StageName, string>;

export interface RunSummary {
  /** What a trader reads first: orders, fills, P&L, fees, trading state and halts (run only). */
  trading?: TradingSummary;
  /** Book states before shutdown (stopping marks every feed down, which re-seeds every book; run only). */
  books?: BookSummary;
  durationS: number;
  venue: string;
  /** Paper trading: every order matched by the local engine, none sent to the venue. */
  paper?: boolean;
  instruments: number;
  placement: string[];
  restarts: number;
  stages: Record<
    string,
    { workers: number; processed: number; emitted: number; dropped: Record<string, number>; core: Record<string, number> }
  >;
  /** Time records waited in the rings, by edge, over the run: {count, p50Ms, p99Ms, p999Ms, maxMs}. */
  queueDelay: Record<string, LatencySummary>;
  /** Time each stage spent per record (exclusive of fused successors), by stage. */
  serviceTime: Record<string, LatencySummary>;
}

export function summarize(stats: PipelineStats, meta: Omit<RunSummary, 'restarts' | 'stages' | 'queueDelay' | 'serviceTime'>): RunSummary {
  const stages: RunSummary['stages'] = {};
  for (const s of stats.stages) {
    // histogram buckets (latencyNs.*) are for /metrics; the summary keeps the plain counters
    const core = Object.fromEntries(Object.entries(s.core).filter(([k]) => !k.startsWith('latencyNs.')));
    // the book states are those before shutdown, as in `books`
    if (s.stage === 'book' && meta.books) Object.assign(core, meta.books);
    stages[s.stage] = { workers: s.workers, processed: s.processed, emitted: s.emitted, dropped: s.dropped, core };
  }
  return {
    ...meta,
    restarts: stats.restarts,
    stages,
    queueDelay: latencySummaries(stats.queueDelay),
    serviceTime: latencySummaries(stats.serviceTime),
  };
}

/**
 * The text summary's lines: orders, fills, P&L, halts and books first, then counts per stage,
 * queueing delay per edge and service time per stage as `name p50/p99/p99.9 ms (n=count)`.
 */
export function summaryLines(summary: RunSummary): string[] {
  const stages = Object.entries(summary.stages).map(
    ([stage, s]) => `  ${stage.padEnd(10)} processed=${s.processed} emitted=${s.emitted} dropped=${JSON.stringify(s.dropped)}`,
  );
  const ms = (v: number | null) => (v === null ? '-' : v < 1 ? v.toFixed(3) : v.toFixed(1));
  const line = (title: string, by: Record<string, LatencySummary>) => {
    const parts = Object.entries(by)
      .filter(([, l]) => l.count > 0)
      .map(([k, l]) => `${k} ${ms(l.p50Ms)}/${ms(l.p99Ms)}/${ms(l.p999Ms)} (n=${l.count})`);
    return parts.length > 0 ? [`  ${title} p50/p99/p99.9 ms: ${parts.join(', ')}`] : [];
  };
  return [
    ...(summary.trading ? tradingLines(summary.trading, summary.books) : []),
    ...stages,
    ...line('queue delay', summary.queueDelay),
    ...line('service time', summary.serviceTime),
  ];
}

/** `p`, or a rejection after `ms`. */
function within<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

async function fetchJson(url: string): Promise<unknown> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`GET ${url} answered HTTP ${res.status}`);
  return res.json();
}

/**
 * The book stage's config: the case study's tick bars (every 50 trades) unless the config says
 * otherwise; on Kraken, the book kept at the depth subscribed (its checksum is defined on the book
 * truncated there, and levels leaving that window get no delete).
 */
function bookConfig(config: LoadedConfig['config']): Record<string, unknown> {
  const book = { bars: { tickTrades: 50 }, ...(config.book as object) } as Record<string, unknown>;
  const venue = config.venue.name;
  if (venue === 'kraken' || venue === 'kraken-v1') {
    const venues = { ...((book.venues as Record<string, Record<string, unknown>> | undefined) ?? {}) };
    const wsBookDepth = (config.ingest as { wsBookDepth?: unknown } | undefined)?.wsBookDepth;
    if (venues[venue]?.depth === undefined)
      venues[venue] = { ...venues[venue], depth: krakenDepth(typeof wsBookDepth === 'number' ? wsBookDepth : 100) };
    book.venues = venues;
  }
  return book;
}

/**
 * Built-in strategies that run when the config names none: the two signal strategies on every
 * instrument, plus a slow random trader on a few instruments so a demo run on the embedded
 * exchange always shows orders, fills and positions (risk's edge check rightly refuses most
 * imbalance and trend signals at the sim's spreads).
 */
export function defaultStrategies(symbols: readonly string[], venue: string): unknown[] {
  return [
    { id: 'imbalance', type: 'imbalance' },
    { id: 'trend', type: 'tick-trend' },
    {
      id: 'random',
      type: 'random',
      instruments: symbols.slice(0, 20).map((s) => `${venue}:${s}`),
      params: { ratePerSecond: 0.2, seed: 7 },
    },
  ];
}

/**
 * Stage configs of signals, risk and execution: the user's sections plus what only the run knows
 * (the venue's order-entry URL, where journals and snapshots live). With an in-process embedded
 * exchange, whose book and accounts end with the process, each run gets a fresh journal
 * directory; against an external venue the journal is stable, so a restart recovers from it.
 */
function tradingConfigs(
  config: LoadedConfig['config'],
  embedded: boolean,
  wsUrl: string,
  symbols: readonly string[],
  paper: { url: string; restUrl: string; book: Record<string, unknown> } | null,
): Record<string, unknown> {
  const live = config.venue.name !== 'sim';
  const signals = { ...(config.signals as object) } as Record<string, unknown>;
  // Live venues: market data only unless strategies are configured (no order gateway for them yet).
  if (signals.strategies === undefined) signals.strategies = live ? [] : defaultStrategies(symbols, config.venue.name);
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  // a paper venue's orders end with the process too: a fresh journal per run, like the embedded exchange's
  const dir = resolve(embedded ? join(config.stateDir, `sim-${stamp}`) : paper ? join(config.stateDir, `paper-${stamp}`) : config.stateDir);
  mkdirSync(dir, { recursive: true });
  if (signals.snapshot === undefined) signals.snapshot = { path: join(dir, 'signals-{partition}.snap') };
  const exec = { ...(config.execution as object) } as Record<string, unknown>;
  const venue = (exec.venue ?? {}) as Record<string, unknown>;
  // paper: no order-entry URL at all (the paper stage builds no gateway either)
  exec.venue = { ...venue, url: paper ? null : (venue.url ?? (live ? null : wsUrl)) };
  if (paper) exec.paper = paperStageConfig(config, paper, symbols, signals, paper.book);
  const journal = (exec.journal ?? {}) as Record<string, unknown>;
  exec.journal = { ...journal, path: journal.path ?? join(dir, 'journal-{partition}.sqlite') };
  return { signals, risk: config.risk, execution: exec };
}

export async function run({ config, groups }: LoadedConfig, opts: RunOptions, hooks: RunHooks = {}): Promise<number> {
  const mode = tradingMode(config, opts.paper === true);
  if ('error' in mode) {
    process.stderr.write(`tickline run: ${mode.error}\n`);
    return 2;
  }
  const paper = mode.mode === 'paper';
  const log = createLogger(config.log.level);
  const started = performance.now();
  // Signals are caught from the first moment: Ctrl-C during start-up stops cleanly once started.
  // --duration counts from the moment the pipeline runs (start-up on a busy machine takes seconds).
  let stop: (reason: string) => void = () => {};
  const stopRequested = new Promise<string>((resolve) => {
    stop = resolve;
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });

  let exchange: ExchangeHandle | null = null;
  let url = config.venue.url;
  let restUrl = config.venue.restUrl;
  let registry: InstrumentRegistry;
  let symbols: string[];
  if (config.venue.name === 'sim') {
    if (url === undefined) {
      exchange = await startExchange({ ...(config.exchange as object), host: '127.0.0.1', port: 0 });
      url = exchange.wsUrl;
      restUrl = exchange.httpUrl;
      log.info({ url, instruments: exchange.instruments.length }, 'embedded exchange started');
    }
    if (restUrl === undefined) {
      log.error({ venue: 'sim' }, 'venue.restUrl is required with venue.url for the sim venue');
      return 2;
    }
    registry = InstrumentRegistry.from([]);
    for (const input of simInstruments(await fetchJson(`${restUrl}/v1/instruments`))) registry.add({ ...input, venue: 'sim' });
    symbols = config.venue.symbols.length > 0 ? config.venue.symbols : registry.list().map((i) => i.symbol);
  } else {
    try {
      const live = await prepareLiveVenue(config, log);
      url = live.url;
      restUrl = live.restUrl;
      registry = live.registry;
      symbols = live.symbols;
    } catch (err) {
      if (!(err instanceof LiveVenueError)) throw err;
      process.stderr.write(`tickline: ${err.message}\n`);
      return err.exitCode;
    }
    log.info({ venue: config.venue.name, url: redactUrl(url), restUrl: redactUrl(restUrl), symbols: symbols.length }, 'live venue');
  }
  const specs: InstrumentSpec[] = registry.list();
  if (hooks.selectSymbols) symbols = hooks.selectSymbols(registry, symbols);
  if (hooks.beforePipeline) {
    try {
      await Promise.race([
        hooks.beforePipeline(registry, symbols),
        stopRequested.then((r) => Promise.reject(new Error(`stopped (${r}) before start`))),
      ]);
    } catch (err) {
      log.error({ err: err instanceof Error ? err.message : String(err) }, 'not started');
      await exchange?.close();
      return 1;
    }
  }

  const marketView = new MarketViewTable(Math.max(1, ...specs.map((s) => s.id + 1)));
  const listeners = new Set<(e: WorkerEvent) => void>();
  const events = {
    on(fn: (e: WorkerEvent) => void) {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
  };
  let pipeline: Pipeline | null = null;
  const states = new TradingStateLog(log);
  const onEvent = (e: WorkerEvent) => {
    states.onEvent(e);
    if (e.event === 'resync' && pipeline) {
      void pipeline.command('ingest', 'resync', e.data).catch((err) => log.warn({ err: String(err) }, 'resync request failed'));
    }
    for (const fn of listeners) fn(e);
  };
  const book = bookConfig(config);
  const trading = tradingConfigs(config, exchange !== null, url, symbols, paper ? { url, restUrl, book } : null);
  if (paper)
    log.info({ venue: config.venue.name, why: mode.why }, 'PAPER trading: orders match locally on live data; none is sent to the venue');
  pipeline = await Pipeline.start({
    config,
    groups,
    stageModules: paper ? { ...STAGE_MODULES, execution: PAPER_MODULE } : STAGE_MODULES,
    stageConfigs: {
      ingest: {
        venue: config.venue.name,
        url,
        restUrl,
        symbols,
        channels: config.venue.channels,
        config: config.ingest ?? {},
        logLevel: config.log.level,
      },
      normalize: config.normalize,
      // the case study's tick bars (every 50 trades) unless the config says otherwise
      book,
      ...trading,
    },
    registry: specs,
    marketView,
    logger: log,
    onEvent,
    ...(hooks.boundary ? { boundary: hooks.boundary } : {}),
  });
  let dashboard: DashboardHandle | null = null;
  try {
    const token = config.http.token ?? process.env.TICKLINE_TOKEN;
    dashboard = await startDashboard({
      host: config.http.host,
      port: config.http.port,
      ...(token !== undefined && token !== '' ? { token } : {}),
      pipeline,
      marketView,
      registry,
      events,
      log,
      venue: config.venue.name,
      ...(hooks.cluster ? { cluster: hooks.cluster } : {}),
      paper,
    });
  } catch (err) {
    // The pipeline is worth keeping without its web view (e.g. the port is taken): say so plainly.
    log.error(
      { err: err instanceof Error ? err.message : String(err), port: config.http.port },
      'dashboard did not start; the pipeline keeps running (set http.port or --http-port)',
    );
  }
  hooks.started?.(pipeline, dashboard);
  if (opts.durationS !== undefined) setTimeout(() => stop('duration'), opts.durationS * 1000).unref();
  const note = placementNote(config.placement, config.fuse, groups, config.stateDir);
  log[note.level](note.data, note.message);
  log.info(
    { venue: config.venue.name, instruments: symbols.length, placement: groups.map((g) => `${g.name}x${g.threads}`) },
    'tickline running; Ctrl-C to stop',
  );

  const reason = await stopRequested;
  // Hard bound on shutdown: whatever happens, exit within 5 s of the signal.
  const hard = setTimeout(() => {
    log.error('shutdown took longer than 5 s; exiting');
    process.exit(1);
  }, 4800);
  hard.unref();
  log.info({ reason }, 'stopping');
  await within(hooks.stopping?.() ?? Promise.resolve(), 750).catch(() => {});
  // Stopping halts trading and marks every feed down: neither is news, and the books are read now.
  states.freeze();
  // (bounded: the whole stop must fit in 5 s on a busy machine)
  const [preStop, risk] = await Promise.all([
    within(pipeline.stats(), 750).catch(() => null),
    within(pipeline.command('risk', 'report', {}), 750).catch(() => []),
  ]);
  await dashboard?.close().catch(() => {});
  let reports: unknown[] = [];
  const running = pipeline;
  const final = await running.stop(2500, async () => {
    reports = await within(running.command('execution', 'report', {}), 750).catch(() => []);
  });
  await exchange?.close();
  const summary = summarize(final, {
    trading: tradingSummary(reports, risk, states, final),
    ...(preStop !== null ? { books: bookSummary(preStop) } : {}),
    durationS: Math.round((performance.now() - started) / 10) / 100,
    venue: config.venue.name,
    ...(paper ? { paper } : {}),
    instruments: symbols.length,
    placement: groups.map((g) => `${g.name}x${g.threads}`),
  });
  if (opts.summary === 'json') process.stdout.write(`${JSON.stringify(summary)}\n`);
  else {
    const lines = summaryLines(summary);
    process.stdout.write(`tickline stopped after ${summary.durationS}s (${reason}); restarts=${summary.restarts}\n${lines.join('\n')}\n`);
  }
  clearTimeout(hard);
  return 0;
}
