/**
 * `tickline backtest FILE --strategy S`: replays a recording through the full pipeline (ingest's
 * replay source → normalize → book → signals running S → risk → execution) with the embedded
 * exchange as the fill model: its books are driven by the same recorded frames (replay-market),
 * in lockstep with what ingest has emitted, and execution trades against it over the normal
 * WebSocket order-entry protocol. Writes report.json and report.html to --out. See docs/backtest.md.
 */

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_OPTIONS, type ReplayExchangeHandle, startReplayExchange } from '@tickline/exchange';
import { createLogger, type Group, MarketViewTable, moduleUrl, Pipeline, STAGES, type StageName } from '@tickline/runtime';
import type { StrategyError } from '@tickline/signals';
import { sumDecimals } from '@tickline/wire';
import { runLockstep } from '../backtest/driver.js';
import { marketFeed, universeOf } from '../backtest/market-feed.js';
import { type BacktestOptions, BacktestUsageError, type ResolvedBacktest, resolveBacktestOptions } from '../backtest/options.js';
import { runEventTimeCommand } from '../backtest/event-time/command.js';
import { type VenueSettings, venueSettingsOf } from '../backtest/event-time/venue-adapter.js';
import { prepareRetimed } from '../backtest/prepare.js';
import { tradingConfigs } from '../backtest/trading-configs.js';
import { createProgress } from '../backtest/progress.js';
import { finish } from '../backtest/output.js';
import { buildReport, type ExecReport } from '../backtest/report.js';
import type { LoadedConfig } from '../config.js';
import { bookConfigFor, planReplay, type ReplayPlan, ReplayUsageError } from './replay-registry.js';

export type { BacktestOptions } from '../backtest/options.js';
export type { BacktestReport } from '../backtest/report.js';

const STAGE_MODULES = Object.fromEntries(STAGES.map((s) => [s, import.meta.resolve(`@tickline/${s}/worker`)])) as Record<StageName, string>;
const REPLAY_MODULE = moduleUrl('./recording/replay-worker.ts', import.meta.resolve('@tickline/ingest'));

function usage(message: string): number {
  process.stderr.write(`tickline backtest: ${message}\n`);
  return 2;
}

/** The embedded exchange listing the file's instruments, its books driven by the replay. */
async function startFillModel(
  config: LoadedConfig['config'],
  plan: ReplayPlan,
  r: ResolvedBacktest,
): Promise<{ exchange: ReplayExchangeHandle; feeBps: { maker: number; taker: number }; latencyMs: number }> {
  const base = { ...DEFAULT_OPTIONS, ...(config.exchange as object) } as typeof DEFAULT_OPTIONS;
  const opts = { ...(config.exchange as object), ...r.exchange, host: '127.0.0.1', port: 0 };
  const exchange = await startReplayExchange(opts, universeOf(plan.registry));
  return {
    exchange,
    feeBps: { maker: r.exchange.makerFeeBps ?? base.makerFeeBps, taker: r.exchange.takerFeeBps ?? base.takerFeeBps },
    latencyMs: r.exchange.latencyMs ?? base.latencyMs,
  };
}

export async function backtest(loaded: LoadedConfig, opts: BacktestOptions): Promise<number> {
  let r: ResolvedBacktest;
  let plan: ReplayPlan;
  try {
    r = resolveBacktestOptions(opts);
    plan = await planReplay(r.file, {
      ...(r.venue !== undefined ? { venue: r.venue } : {}),
      format: r.format,
      ...(r.instrumentList !== undefined ? { instrumentList: r.instrumentList } : {}),
    });
    if (r.instruments !== null) {
      const missing = r.instruments.filter((s) => plan.registry.lookup(plan.venue, s.slice(s.indexOf(':') + 1)) === undefined);
      if (missing.length > 0) throw new BacktestUsageError(`--instruments: not in the recording: ${missing.slice(0, 10).join(', ')}`);
    }
  } catch (err) {
    if (err instanceof BacktestUsageError || err instanceof ReplayUsageError) return usage(err.message);
    throw err;
  }
  if (r.engine === 'lockstep') return runBacktest(loaded, r, plan);
  let settings: VenueSettings;
  try {
    settings = venueSettingsOf(loaded.config, r, plan);
  } catch (err) {
    if (err instanceof BacktestUsageError) return usage(err.message);
    throw err;
  }
  return runEventTimeCommand(loaded, r, plan, settings, usage);
}

async function runBacktest({ config, groups }: LoadedConfig, r: ResolvedBacktest, plan: ReplayPlan): Promise<number> {
  const log = createLogger(config.log.level);
  const started = performance.now();
  const fill = await startFillModel(config, plan, r);
  const { exchange } = fill;
  const feed = marketFeed(plan.venue, plan.registry, exchange);
  const tmp = mkdtempSync(join(tmpdir(), 'tkl-backtest-'));
  let pipeline: Pipeline | null = null;
  let stopReason: string | null = null;
  const onSignal = (sig: NodeJS.Signals) => (stopReason = sig);
  try {
    const prepared = await prepareRetimed(plan, tmp);
    const span = prepared.lastMs - prepared.firstMs;
    const sampleMs = r.sampleMs ?? Math.max(10, Math.round(span / 200));
    const account = ((config.execution as { venue?: { account?: string } }).venue?.account ?? 'backtest') as string;
    const specs = plan.registry.list();
    // one ingest partition: the lockstep grants credit to a single source, frames in file order
    const placement: Group[] = groups.map((g) => (g.stages.includes('ingest') ? { ...g, threads: 1 } : g));
    pipeline = await Pipeline.start({
      // A backtest runs on recorded time, paced by the lockstep driver, not the wall clock: the
      // wall-clock freshness bound would judge the driver's pace, not the strategy's data.
      config: { ...config, freshness: { maxDataAgeMs: 0 } },
      groups: placement,
      stageModules: { ...STAGE_MODULES, ingest: REPLAY_MODULE },
      stageConfigs: {
        ingest: { venue: plan.venue, symbols: [], replay: { file: prepared.path, format: 'tickline', speed: 'max', flowControl: true } },
        normalize: config.normalize,
        book: bookConfigFor(config.book, plan),
        ...tradingConfigs(config, r, plan, { url: exchange.wsUrl, account, instruments: plan.venue }),
      },
      registry: specs,
      marketView: new MarketViewTable(Math.max(1, ...specs.map((s) => s.id + 1))),
      logger: log,
    });
    const p = pipeline;
    log.info({ file: plan.file, frames: prepared.frames, strategy: r.strategy.id, out: r.out }, 'tickline backtest running');
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    const execReports = async () => (await p.command('execution', 'report', {})) as ExecReport[];
    const result = await runLockstep({
      file: prepared.path,
      pipeline: p,
      exchange,
      apply: feed.apply,
      stepMs: r.stepMs,
      sampleMs,
      shiftMs: prepared.shiftMs,
      progress: createProgress(r.progress, prepared.frames),
      sampleEquity: async () => sumDecimals((await execReports()).map((x) => x.equity)),
      stopped: () => stopReason !== null,
    });
    const exec = await execReports();
    const strategyErrors = await strategyErrorsOf(p, prepared.shiftMs);
    const final = await p.stop(2500);
    pipeline = null;
    const stage = (s: string) => final.stages.find((x) => x.stage === s);
    const report = buildReport({
      meta: {
        file: plan.file,
        venue: plan.venue,
        format: plan.format,
        strategy: r.strategy.module ?? r.strategy.type,
        params: r.strategy.params,
        instruments: r.instruments ?? 'all',
        frames: result.frames,
        framesInFile: prepared.frames,
        recordedFrom: new Date(prepared.firstMs - prepared.shiftMs).toISOString(),
        recordedTo: new Date(prepared.lastMs - prepared.shiftMs).toISOString(),
        stepMs: r.stepMs,
        sampleMs,
        latencyMs: fill.latencyMs,
        steps: result.steps,
        complete: result.complete,
        stopReason: stopReason ?? (result.error === null ? 'end of file' : 'error'),
        error: result.error,
        // strategies that threw: each disabled from then on, the run went on (docs/trading.md)
        strategyErrors,
        durationS: Math.round((performance.now() - started) / 10) / 100,
        market: { ...exchange.marketStats(), ...feed.stats },
        stages: Object.fromEntries(
          ['ingest', 'normalize', 'book', 'signals', 'risk', 'execution'].map((s) => [
            s,
            {
              processed: stage(s)?.processed ?? 0,
              emitted: stage(s)?.emitted ?? 0,
              dropped: stage(s)?.dropped ?? {},
              core: stage(s)?.core ?? {},
            },
          ]),
        ),
        restarts: final.restarts,
      },
      exec,
      account: exchange.account(account),
      feeBps: fill.feeBps,
      curve: result.curve,
      gridPoints: result.gridPoints,
      sampleMs,
    });
    return finish(r, report, result.error);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    if (pipeline !== null) await pipeline.stop(2500).catch(() => {});
    await exchange.close();
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** What each signals partition kept of the strategies that threw (docs/trading.md), at recorded times. */
async function strategyErrorsOf(p: Pipeline, shiftMs: number): Promise<StrategyError[]> {
  const parts = (await p.command('signals', 'strategy-errors', {})) as { strategyErrors: StrategyError[] }[];
  return parts
    .flatMap((x) => x.strategyErrors)
    .sort((a, b) => a.atMs - b.atMs)
    .map((e) => {
      if (e.event.timeMs === undefined) return e;
      const ms = e.event.timeMs - shiftMs;
      return { ...e, event: { ...e.event, timeMs: ms, time: new Date(ms).toISOString() } };
    });
}
