/**
 * The fill model's configuration (the `fillModel` settings of a backtest or a paper run): queue
 * model, through-trade rule, latencies, seed and fee overrides. Validated with the config DSL:
 * every violation is reported at once with its path and the allowed values; a latency samples
 * file that cannot be used is reported at its `file` path with the file and line.
 *
 * A latency is given as a number of ms (`5`), a samples file path (`"./entry-ms.txt"`), or an
 * object: `{ "kind": "constant", "ms": 5 }`, `{ "kind": "samples", "file": "./entry-ms.txt" }`,
 * `{ "kind": "samples", "samples": [1.2, 1.5, 3] }`.
 */

import {
  deepFreeze,
  type Issue,
  isRecord,
  joinPath,
  map,
  num,
  obj,
  oneOf,
  optional,
  parseConfig,
  record,
  type Schema,
  int,
  violation,
} from '@tickline/runtime/config-schema';
import { type InstrumentRegistry, VENUE_NAMES } from '@tickline/wire';
import { FillModelConfigError, LatencyFileError } from './errors.js';
import { FEE_RATE_DECIMALS, type FeeOverrides, INSTRUMENT_CLASSES } from './fees.js';
import { createLatencyModel, type LatencySpec, loadLatencySamples, MAX_LATENCY_MS } from './latency.js';
import { LocalVenue } from './local-venue.js';
import {
  createQueueModel,
  QUEUE_MODELS,
  QUEUE_SAMPLING,
  type QueueModelName,
  type QueueSampling,
  THROUGH_TRADE_RULES,
  type ThroughTradeRule,
} from './queue-model.js';

export interface FillModelConfig {
  readonly queue: { readonly model: QueueModelName; readonly n: number; readonly sampling: QueueSampling };
  readonly throughTrades: ThroughTradeRule;
  readonly latency: { readonly feed: LatencySpec; readonly entry: LatencySpec; readonly response: LatencySpec };
  /** Seeds the latency draws and the queue draws (each its own stream). */
  readonly seed: number;
  readonly fees: FeeOverrides;
}

const LATENCY_ALLOWED = `a latency: a number of ms from 0 to ${MAX_LATENCY_MS}, a samples file path, or {"kind": "constant", "ms": N} / {"kind": "samples", "file": PATH} / {"kind": "samples", "samples": [N, ...]}`;

const ZERO: LatencySpec = Object.freeze({ kind: 'constant', ms: 0 });

function latencyMs(v: unknown, path: string, issues: Issue[]): number {
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isFinite(n) || n < 0 || n > MAX_LATENCY_MS)
    return violation(issues, path, `a number of ms from 0 to ${MAX_LATENCY_MS}`, v, 0);
  return n;
}

function samplesFrom(file: string, path: string, issues: Issue[]): LatencySpec {
  try {
    return { kind: 'samples', source: file, samples: loadLatencySamples(file) };
  } catch (err) {
    if (!(err instanceof LatencyFileError)) throw err;
    issues.push({ path, message: err.message });
    return ZERO;
  }
}

/** One latency (see the module comment for the forms). Files are read while parsing. */
export function latencySchema(): Schema<LatencySpec> {
  return {
    allowed: LATENCY_ALLOWED,
    parse(v, path, issues) {
      if (v === undefined) return ZERO;
      if (typeof v === 'number') return { kind: 'constant', ms: latencyMs(v, path, issues) };
      if (typeof v === 'string') {
        if (v.trim() === '') return violation(issues, path, LATENCY_ALLOWED, v, ZERO);
        return Number.isFinite(Number(v)) ? { kind: 'constant', ms: latencyMs(v, path, issues) } : samplesFrom(v, path, issues);
      }
      if (!isRecord(v)) return violation(issues, path, LATENCY_ALLOWED, v, ZERO);
      const keys = v.kind === 'samples' ? ['kind', 'file', 'samples'] : ['kind', 'ms'];
      for (const k of Object.keys(v))
        if (!keys.includes(k))
          issues.push({ path: joinPath(path, k), message: `is not a known setting (allowed here: ${keys.join(', ')})` });
      if (v.kind === 'constant') return { kind: 'constant', ms: latencyMs(v.ms, joinPath(path, 'ms'), issues) };
      if (v.kind !== 'samples') return violation(issues, joinPath(path, 'kind'), 'one of "constant", "samples"', v.kind, ZERO);
      const hasFile = v.file !== undefined;
      if (hasFile === (v.samples !== undefined)) {
        issues.push({ path, message: 'must give exactly one of file (a path) and samples (a list of ms)' });
        return ZERO;
      }
      if (hasFile) {
        if (typeof v.file !== 'string' || v.file === '') return violation(issues, joinPath(path, 'file'), 'a file path', v.file, ZERO);
        return samplesFrom(v.file, joinPath(path, 'file'), issues);
      }
      const list = v.samples;
      if (!Array.isArray(list) || list.length === 0)
        return violation(issues, joinPath(path, 'samples'), 'a non-empty list of ms', list, ZERO);
      const before = issues.length;
      const samples = list.map((x, i) => latencyMs(x, `${joinPath(path, 'samples')}[${i}]`, issues));
      return issues.length > before ? ZERO : { kind: 'samples', source: 'inline', samples };
    },
  };
}

/** A fee rate in bps (negative = rebate) with at most FEE_RATE_DECIMALS decimals. */
function bps(): Schema<number | undefined> {
  const inner = optional(num(-100, 1000, 0));
  const allowed = `a number of bps from -100 to 1000 with at most ${FEE_RATE_DECIMALS} decimals`;
  return {
    allowed,
    parse(v, path, issues) {
      const before = issues.length;
      const out = inner.parse(v, path, issues);
      if (out === undefined || issues.length > before) return out;
      const u = out * 10 ** FEE_RATE_DECIMALS;
      return Math.abs(u - Math.round(u)) > 1e-6 ? violation(issues, path, allowed, v, undefined) : out;
    },
  };
}

const RATES = obj({ makerBps: bps(), takerBps: bps() });

const SCHEMA = obj({
  queue: obj({ model: oneOf(QUEUE_MODELS, 'risk-averse'), n: num(0.01, 100, 3), sampling: oneOf(QUEUE_SAMPLING, 'expected') }),
  throughTrades: oneOf(THROUGH_TRADE_RULES, 'full'),
  latency: obj({ feed: latencySchema(), entry: latencySchema(), response: latencySchema() }),
  seed: int(0, 4_294_967_295, 1),
  fees: obj({
    venues: record(VENUE_NAMES, record(INSTRUMENT_CLASSES, RATES)),
    instruments: map(RATES, {
      pattern: new RegExp(`^(${VENUE_NAMES.join('|')}):.+$`),
      allowed: `'<venue>:<symbol>' with venue one of ${VENUE_NAMES.join(', ')}`,
    }),
  }),
});

/** Every violation in `input` (empty when valid), paths under `path`. Reads latency files. */
export function validateFillModelConfig(input: unknown, path = ''): Issue[] {
  return parseConfig(SCHEMA, input, path).issues;
}

/** Validates and fills defaults; throws FillModelConfigError listing every violation. */
export function resolveFillModelConfig(input?: unknown, path = ''): FillModelConfig {
  const { value, issues } = parseConfig(SCHEMA, input, path);
  if (issues.length > 0) throw new FillModelConfigError(issues);
  return deepFreeze(value) as FillModelConfig;
}

/** The seed of one latency stream: the config seed mixed with the stream's number. */
function streamSeed(seed: number, stream: number): number {
  return (Math.imul(seed ^ (stream * 0x9e3779b9), 0x85ebca6b) ^ stream) >>> 0;
}

/** A LocalVenue with the models a resolved config names. */
export function createLocalVenue(config: FillModelConfig, registry: InstrumentRegistry, clock: () => number): LocalVenue {
  return new LocalVenue({
    registry,
    clock,
    queue: createQueueModel(config.queue.model, config.queue.n, config.queue.sampling, streamSeed(config.seed, 4)),
    throughTrades: config.throughTrades,
    feedLatency: createLatencyModel(config.latency.feed, streamSeed(config.seed, 1)),
    entryLatency: createLatencyModel(config.latency.entry, streamSeed(config.seed, 2)),
    responseLatency: createLatencyModel(config.latency.response, streamSeed(config.seed, 3)),
    fees: config.fees,
  });
}
