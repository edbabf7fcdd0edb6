/**
 * `tickline backtest` options: what the flags may hold and their validation. Every problem is a
 * BacktestUsageError naming the field and what is allowed (the command exits 2).
 */

import { existsSync, statSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { type ReplayFormat, REPLAY_FORMATS } from '@tickline/ingest';
import { BUILTIN_STRATEGIES, validateSignalsConfig } from '@tickline/signals';
import { isVenueName, VENUE_NAMES, type VenueName } from '@tickline/wire';

export interface BacktestOptions {
  /** The recording (or `.cap` capture / collector file) to replay. */
  file: string;
  /** A built-in strategy type (imbalance, spread-reversion, tick-trend, random) or a module path. */
  strategy: string;
  /** Strategy params as a JSON object (or an object). */
  params?: string | Record<string, unknown>;
  /** Canonical or venue symbols the strategy trades (default: every instrument of the file). */
  instruments?: string | readonly string[];
  venue?: string;
  format?: string;
  instrumentList?: string;
  /** Output directory (default `./backtest-<timestamp>/`). */
  out?: string;
  /** Recorded time the exchange's market advances per lockstep step (ms, default 10). */
  stepMs?: number | string;
  /** Equity sampling interval in recorded time (ms); default: the recording's span / 200, at least 10. */
  sampleMs?: number | string;
  /** Exchange order latency (ms, wall clock), maker and taker fees (bps); default: the config's `exchange`. */
  latencyMs?: number | string;
  makerFeeBps?: number | string;
  takerFeeBps?: number | string;
  /** 'event-time' (default: one thread, local venue, exact causality) or 'lockstep' (the configured placement against the embedded exchange; sim recordings). */
  engine?: string;
  /** Queue-position model of the local venue (event-time engine). */
  queueModel?: string;
  /** Latencies of the event-time engine: ms, or `file:PATH` of recorded samples (ms). */
  feedLatency?: number | string;
  entryLatency?: number | string;
  responseLatency?: number | string;
  /** Seed of the latency draws and the probabilistic queue models. */
  seed?: number | string;
  /** Which books the local venue keeps: 'traded' (default: those the strategy sent orders) or 'all'. */
  venueBooks?: string;
  /** Print the report JSON to stdout instead of the text summary. */
  json?: boolean;
  /** 'auto' (bar on a TTY, else log lines), 'bar', 'log' or 'none'. */
  progress?: string;
}

export class BacktestUsageError extends Error {}

export const ENGINES = ['event-time', 'lockstep'] as const;

/** A latency flag: a constant in ms, or a file of recorded samples. */
export type LatencyArg = { kind: 'constant'; ms: number } | { kind: 'file'; path: string };

function latencyArg(field: string, v: unknown): LatencyArg | undefined {
  if (v === undefined) return undefined;
  if (typeof v === 'string' && v.startsWith('file:')) {
    const path = resolve(v.slice(5));
    if (!existsSync(path)) throw new BacktestUsageError(`${field}: samples file ${JSON.stringify(v.slice(5))} does not exist`);
    return { kind: 'file', path };
  }
  const ms = num(field, v, 0, 60_000);
  if (ms === undefined) return undefined;
  return { kind: 'constant', ms };
}

export const PROGRESS_MODES = ['auto', 'bar', 'log', 'none'] as const;

export interface ResolvedBacktest {
  file: string;
  strategy: { id: string; type: string; module?: string; params: Record<string, unknown> };
  instruments: string[] | null;
  venue: VenueName | undefined;
  format: ReplayFormat | 'auto';
  instrumentList: string | undefined;
  out: string;
  stepMs: number;
  sampleMs: number | null;
  exchange: { latencyMs?: number; makerFeeBps?: number; takerFeeBps?: number };
  engine: (typeof ENGINES)[number];
  queueModel: string | undefined;
  latency: { feed: LatencyArg | undefined; entry: LatencyArg | undefined; response: LatencyArg | undefined };
  /** --seed; undefined: the config's `backtest.seed` (default 1). */
  seed: number | undefined;
  venueBooks: 'traded' | 'all';
  json: boolean;
  progress: (typeof PROGRESS_MODES)[number];
}

function num(field: string, v: unknown, min: number, max: number, integer = false): number | undefined {
  if (v === undefined) return undefined;
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : Number.NaN;
  if (!Number.isFinite(n) || n < min || n > max || (integer && !Number.isInteger(n)))
    throw new BacktestUsageError(`${field} must be ${integer ? 'an integer' : 'a number'} from ${min} to ${max}, got ${JSON.stringify(v)}`);
  return n;
}

const BUILTIN = Object.keys(BUILTIN_STRATEGIES);

function strategyOf(name: string, params: Record<string, unknown>): ResolvedBacktest['strategy'] {
  if (BUILTIN.includes(name)) return { id: name, type: name, params };
  const looksLikePath = /[/\\]/.test(name) || /\.(m?js|ts)$/.test(name) || name.startsWith('file:');
  if (!looksLikePath)
    throw new BacktestUsageError(
      `--strategy must be one of ${BUILTIN.join(', ')} or a module path (./my-strategy.js), got ${JSON.stringify(name)}`,
    );
  const path = name.startsWith('file:') ? new URL(name).pathname : resolve(name);
  if (!existsSync(path)) throw new BacktestUsageError(`--strategy: module ${JSON.stringify(name)} does not exist (${path})`);
  return { id: 'module', type: 'module', module: path, params };
}

/** Validates and resolves the options; throws BacktestUsageError naming the field. */
export function resolveBacktestOptions(o: BacktestOptions, now = new Date()): ResolvedBacktest {
  if (typeof o.file !== 'string' || o.file === '') throw new BacktestUsageError('FILE (the recording to replay) is required');
  const file = isAbsolute(o.file) ? o.file : resolve(o.file);
  if (!existsSync(file)) throw new BacktestUsageError(`FILE ${JSON.stringify(o.file)} does not exist`);
  if (!statSync(file).isFile()) throw new BacktestUsageError(`FILE ${JSON.stringify(o.file)} is not a file`);
  if (typeof o.strategy !== 'string' || o.strategy === '')
    throw new BacktestUsageError(`--strategy is required: one of ${BUILTIN.join(', ')} or a module path`);
  let params: Record<string, unknown> = {};
  if (typeof o.params === 'string') {
    try {
      params = JSON.parse(o.params) as Record<string, unknown>;
    } catch (err) {
      throw new BacktestUsageError(`--params must be a JSON object, e.g. '{"ratePerSecond":2}': ${(err as Error).message}`);
    }
  } else if (o.params !== undefined) params = o.params;
  if (params === null || typeof params !== 'object' || Array.isArray(params))
    throw new BacktestUsageError(`--params must be a JSON object, got ${JSON.stringify(o.params)}`);
  const strategy = strategyOf(o.strategy, params);
  if (strategy.type !== 'module') {
    const issues = validateSignalsConfig({ strategies: [{ id: strategy.id, type: strategy.type, params }] });
    if (issues.length > 0)
      throw new BacktestUsageError(
        `--params: ${issues.map((i) => `${i.path.replace(/^strategies\[0\]\.?/, '') || 'params'}: ${i.message}`).join('; ')}`,
      );
  }
  if (o.venue !== undefined && !isVenueName(o.venue))
    throw new BacktestUsageError(`--venue must be one of ${VENUE_NAMES.join(', ')}, got ${JSON.stringify(o.venue)}`);
  const formats = ['auto', ...REPLAY_FORMATS];
  if (o.format !== undefined && !formats.includes(o.format))
    throw new BacktestUsageError(`--format must be one of ${formats.join(', ')}, got ${JSON.stringify(o.format)}`);
  const progress = (o.progress ?? 'auto') as ResolvedBacktest['progress'];
  if (!PROGRESS_MODES.includes(progress))
    throw new BacktestUsageError(`--progress must be one of ${PROGRESS_MODES.join(', ')}, got ${JSON.stringify(o.progress)}`);
  const list = typeof o.instruments === 'string' ? o.instruments.split(',') : o.instruments;
  const instruments = list === undefined ? null : list.map((s) => s.trim()).filter((s) => s !== '');
  if (instruments !== null && instruments.length === 0)
    throw new BacktestUsageError('--instruments must name at least one symbol (comma-separated), or be left out for all');
  const exchange: ResolvedBacktest['exchange'] = {};
  const latencyMs = num('--latency-ms', o.latencyMs, 0, 60_000, true);
  const makerFeeBps = num('--maker-fee-bps', o.makerFeeBps, -100, 1000);
  const takerFeeBps = num('--taker-fee-bps', o.takerFeeBps, -100, 1000);
  if (latencyMs !== undefined) exchange.latencyMs = latencyMs;
  if (makerFeeBps !== undefined) exchange.makerFeeBps = makerFeeBps;
  if (takerFeeBps !== undefined) exchange.takerFeeBps = takerFeeBps;
  const engine = (o.engine ?? 'event-time') as ResolvedBacktest['engine'];
  if (!ENGINES.includes(engine))
    throw new BacktestUsageError(`--engine must be one of ${ENGINES.join(', ')}, got ${JSON.stringify(o.engine)}`);
  const latency = {
    feed: latencyArg('--feed-latency', o.feedLatency),
    entry: latencyArg('--entry-latency', o.entryLatency),
    response: latencyArg('--response-latency', o.responseLatency),
  };
  const seed = num('--seed', o.seed, 0, 2 ** 31 - 1, true);
  const venueBooks = (o.venueBooks ?? 'traded') as ResolvedBacktest['venueBooks'];
  if (venueBooks !== 'traded' && venueBooks !== 'all')
    throw new BacktestUsageError(`--venue-books must be one of traded, all, got ${JSON.stringify(o.venueBooks)}`);
  if (engine === 'lockstep' && (o.queueModel !== undefined || latency.feed || latency.entry || latency.response))
    throw new BacktestUsageError(
      '--queue-model and --feed/entry/response-latency take the event-time engine; --engine lockstep uses --latency-ms',
    );
  const stamp = now.toISOString().replace(/[:.]/g, '-');
  return {
    file,
    strategy,
    instruments,
    venue: o.venue as VenueName | undefined,
    format: (o.format ?? 'auto') as ReplayFormat | 'auto',
    instrumentList: o.instrumentList,
    out: resolve(o.out ?? `backtest-${stamp}`),
    stepMs: num('--step-ms', o.stepMs, 1, 60_000) ?? 10,
    sampleMs: num('--sample-ms', o.sampleMs, 1, 86_400_000) ?? null,
    exchange,
    engine,
    queueModel: o.queueModel,
    latency,
    seed,
    venueBooks,
    json: o.json === true,
    progress,
  };
}
