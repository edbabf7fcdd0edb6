/**
 * The real pipeline against the embedded exchange, for benchmarks that measure it live
 * (`bench pipeline` with a rate, `bench overload`): the exchange runs in its own process (the
 * venue), the pipeline in this one with every real stage (ingest over WebSocket, normalize,
 * books, strategies, risk, execution with its gateway and a real SQLite journal). A random
 * trader places orders at a set rate, so decisions are made all the time; execution records, for
 * every order it hands to the gateway, the time since ingest received the frame behind it.
 *
 * `sample()` reads everything a window needs in one go; `between()` turns two samples into
 * window figures, histograms included (bucket counts are cumulative, so a window is a difference).
 */

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExchangeOptions, ExchangeStats } from '@tickline/exchange';
import { simInstruments } from '@tickline/normalize';
import {
  createLogger,
  type Group,
  type Issue,
  LatencyHistogram,
  Pipeline,
  type PipelineStats,
  placementGroups,
  type RuntimeConfig,
  runtimeSchema,
  STAGES,
  type StageName,
  type StageTotals,
  type WorkerEvent,
} from '@tickline/runtime';
import { InstrumentRegistry, type InstrumentSpec } from '@tickline/wire';
import { type ExchangeProcess, spawnExchange } from './exchange-process.js';
import { cpuFigures, processCpuSeconds } from './process-cpu.js';

const STAGE_MODULES = Object.fromEntries(STAGES.map((s) => [s, import.meta.resolve(`@tickline/${s}/worker`)])) as Record<StageName, string>;

export interface LiveOptions {
  /** Placement: `fuse` groups (empty = six pools). */
  readonly fuse: readonly string[];
  /** Market-data events per second the exchange is asked to generate. */
  readonly rate: number;
  readonly instruments: number;
  /** Orders per second the random trader aims for across the universe. */
  readonly ordersPerSec: number;
  /** Longest wait for every book to be live before measuring (ms). */
  readonly warmupTimeoutMs?: number;
  /** Exchange options over the benchmark's (chaos: heartbeats, pings, tokens). */
  readonly exchange?: Partial<ExchangeOptions>;
  /** Stage configs merged over the benchmark's, section by section (chaos: timeouts, journal). */
  readonly stageConfigs?: Partial<Record<StageName, Record<string, unknown>>>;
  /** Runtime config over the benchmark's (chaos: ring policies). */
  readonly runtime?: Record<string, unknown>;
  /** Every worker event (trading-state changes, logs, errors), after the run's own handling. */
  readonly onEvent?: (e: WorkerEvent) => void;
}

export interface Sample {
  /** performance.now() when taken. */
  readonly t: number;
  readonly stats: PipelineStats;
  readonly rssBytes: number;
  readonly exchange: ExchangeStats;
  /** CPU seconds used so far by each process of the run, by role (`exchange`, `pipeline`, ...). */
  readonly cpu?: Record<string, number>;
}

export class LiveRun {
  readonly pipeline: Pipeline;
  readonly exchange: ExchangeProcess;
  readonly groups: readonly Group[];
  readonly config: RuntimeConfig;
  readonly instruments: number;
  /** The instruments traded (ids as the pipeline has them). */
  readonly registry: readonly InstrumentSpec[];
  /** Directory of this run's journals (removed by stop()). */
  readonly dir: string;
  /** Time from start until every book was live (or the warm-up timed out), ms. */
  warmupMs = 0;

  private constructor(p: Pipeline, ex: ExchangeProcess, groups: Group[], config: RuntimeConfig, registry: InstrumentSpec[], dir: string) {
    this.pipeline = p;
    this.exchange = ex;
    this.groups = groups;
    this.config = config;
    this.instruments = registry.length;
    this.registry = registry;
    this.dir = dir;
  }

  /**
   * Starts a run, measures `runs` consecutive windows of `seconds` (each `figures(before, after)`)
   * and stops it. Also how long the run took to get every book live.
   */
  static async windows(
    o: LiveOptions,
    runs: number,
    seconds: number,
    figures: (a: Sample, b: Sample) => Record<string, number>,
  ): Promise<{ windows: Record<string, number>[]; warmupMs: number }> {
    const run = await LiveRun.start(o);
    const windows: Record<string, number>[] = [];
    try {
      let a = await run.sample();
      for (let r = 0; r < runs; r++) {
        await new Promise((res) => setTimeout(res, seconds * 1000));
        const b = await run.sample();
        windows.push(figures(a, b));
        a = b;
      }
    } finally {
      await run.stop();
    }
    return { windows, warmupMs: run.warmupMs };
  }

  static async start(o: LiveOptions): Promise<LiveRun> {
    const issues: Issue[] = [];
    const config = runtimeSchema.parse({ ...o.runtime, fuse: [...o.fuse] }, '', issues);
    const groups = placementGroups(config, issues);
    if (issues.length) throw new Error(issues.map((i) => `${i.path}: ${i.message}`).join('; '));
    const ex = await spawnExchange({
      instruments: o.instruments,
      eventsPerSecond: o.rate,
      orderRateLimit: 100_000,
      heartbeatMs: 1000,
      ...o.exchange,
    });
    const dir = mkdtempSync(join(tmpdir(), 'tickline-bench-'));
    try {
      const reg = new InstrumentRegistry();
      const list = await (await fetch(`${ex.httpUrl}/v1/instruments`)).json();
      for (const i of simInstruments(list)) reg.add({ ...i, venue: 'sim' });
      const symbols = reg.list().map((i) => i.symbol);
      const t0 = performance.now();
      let pipeline: Pipeline | null = null;
      const base: Partial<Record<StageName, Record<string, unknown>>> = {
        ingest: { venue: 'sim', url: ex.wsUrl, restUrl: ex.httpUrl, symbols, channels: ['book', 'trades'], logLevel: 'warn' },
        signals: {
          strategies: [{ id: 'random', type: 'random', params: { ratePerSecond: o.ordersPerSec / o.instruments, seed: 11 } }],
        },
        risk: { orderRate: { perSecond: 100_000, burst: 100_000 }, maxOpenOrders: 100_000, maxGrossExposure: 1e12, maxPosition: 1e12 },
        execution: { venue: { url: ex.wsUrl }, journal: { path: join(dir, 'journal-{partition}.sqlite') } },
      };
      for (const [stage, c] of Object.entries(o.stageConfigs ?? {})) base[stage as StageName] = { ...base[stage as StageName], ...c };
      pipeline = await Pipeline.start({
        config,
        groups,
        stageModules: STAGE_MODULES,
        stageConfigs: base,
        registry: reg.list(),
        logger: createLogger('warn'),
        onEvent: (e) => {
          if (e.event === 'resync') void pipeline?.command('ingest', 'resync', e.data).catch(() => {});
          o.onEvent?.(e);
        },
      });
      const run = new LiveRun(pipeline, ex, groups, config, reg.list(), dir);
      const deadline = t0 + (o.warmupTimeoutMs ?? 60_000);
      while (performance.now() < deadline) {
        const live = stageOf(await pipeline.stats(), 'book')?.core.live ?? 0;
        if (live >= run.instruments) break;
        await new Promise((r) => setTimeout(r, 200));
      }
      run.warmupMs = performance.now() - t0;
      return run;
    } catch (err) {
      await ex.close();
      rmSync(dir, { recursive: true, force: true });
      throw err;
    }
  }

  /**
   * Stats of every worker (a worker too busy to answer in time is left out of a reading, so
   * read again rather than compare readings over different sets of workers), RSS, exchange.
   */
  async sample(): Promise<Sample> {
    const workers = this.groups.reduce((n, g) => n + g.threads, 0);
    let stats = await this.pipeline.stats();
    for (let i = 0; stats.workers.length < workers && i < 20; i++) {
      await new Promise((r) => setTimeout(r, 100));
      stats = await this.pipeline.stats();
    }
    const [exchange] = await Promise.all([this.exchange.stats()]);
    const self = process.cpuUsage();
    const cpu = { exchange: processCpuSeconds(this.exchange.pid), pipeline: (self.user + self.system) / 1e6 };
    return { t: performance.now(), stats, rssBytes: process.memoryUsage().rss, exchange, cpu };
  }

  async stop(): Promise<void> {
    await this.pipeline.stop(2000).catch(() => {});
    await this.exchange.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export function stageOf(s: PipelineStats, stage: StageName): StageTotals | undefined {
  return s.stages.find((x) => x.stage === stage);
}

/** A core counter of a stage (summed over partitions), 0 when absent. */
export function counter(s: Sample, stage: StageName, key: string): number {
  return stageOf(s.stats, stage)?.core[key] ?? 0;
}

/** Every record dropped on any edge or output, by any reason, summed over stages. */
export function droppedRecords(s: Sample): number {
  let n = 0;
  for (const st of s.stats.stages) for (const v of Object.values(st.dropped)) n += v;
  return n;
}

/** One of execution's latency histograms (cumulative, ns): tickToDecision or tickToOrder. */
function histogram(s: Sample, name: string): LatencyHistogram {
  const h = new LatencyHistogram();
  const core = stageOf(s.stats, 'execution')?.core ?? {};
  const re = new RegExp(`^latencyNs\\.${name}\\.b(\\d+)$`);
  for (const [k, v] of Object.entries(core)) {
    const m = re.exec(k);
    if (m) h.counts[Number(m[1])] = v;
  }
  for (const c of h.counts) h.count += c;
  h.max = Number.POSITIVE_INFINITY;
  return h;
}

/**
 * A histogram of execution's between two samples: `tickToDecision` (frame received -> order
 * handed over) or `tickToOrder` (-> the order leaving, after its journal commit).
 */
export function decisionsBetween(a: Sample, b: Sample, name = 'tickToDecision'): LatencyHistogram {
  const h = histogram(b, name);
  const before = histogram(a, name);
  for (let i = 0; i < h.counts.length; i++) h.counts[i] = (h.counts[i] as number) - (before.counts[i] as number);
  h.count -= before.count;
  return h;
}

/** Events per second the exchange generated between two samples, by its own clock. */
export function generatedRate(a: Sample, b: Sample): number {
  const dt = (b.exchange.uptimeMs - a.exchange.uptimeMs) / 1000;
  return dt > 0 ? (b.exchange.eventsGenerated - a.exchange.eventsGenerated) / dt : Number.NaN;
}

/** Throughput, decision latency and CPU by process of the window between two samples. */
export function windowFigures(a: Sample, b: Sample): Record<string, number> {
  const dt = (b.t - a.t) / 1000;
  const book = (s: Sample) => stageOf(s.stats, 'book');
  const h = decisionsBetween(a, b);
  const o = decisionsBetween(a, b, 'tickToOrder');
  const q = (p: number, x = h) => (x.count > 0 ? x.quantile(p) / 1000 : Number.NaN);
  return {
    eventsPerSec: (counter(b, 'book', 'events') - counter(a, 'book', 'events')) / dt,
    ticksPerSec: ((book(b)?.processed ?? 0) - (book(a)?.processed ?? 0)) / dt,
    generatedEventsPerSec: generatedRate(a, b),
    decisions: h.count,
    p50Us: q(0.5),
    p99Us: q(0.99),
    p999Us: q(0.999),
    orderP50Us: q(0.5, o),
    orderP99Us: q(0.99, o),
    ...cpuFigures(a.cpu, b.cpu, dt),
  };
}
