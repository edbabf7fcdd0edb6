/**
 * The tickline config file: what it may hold, its defaults, how flags override it, and how it is
 * validated (unknown keys rejected; every violation reported at once with its path and the
 * allowed values; the CLI then exits with code 2).
 */

import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { extname } from 'node:path';
import { validateFillModelConfig } from '@tickline/backtest';
import { validateBookConfig } from '@tickline/book';
import { validateExchangeOptions } from '@tickline/exchange';
import { validateExecutionConfig } from '@tickline/execution';
import { validateIngestConfig } from '@tickline/ingest';
import { validatePaperConfig } from '@tickline/paper';
import { validateRiskConfig } from '@tickline/risk';
import { validateSignalsConfig } from '@tickline/signals';
import {
  autoPlacement,
  formatIssues,
  type Group,
  type Issue,
  int,
  LOG_FORMATS,
  LOG_LEVELS,
  list,
  obj,
  oneOf,
  optional,
  placementGroups,
  runtimeShape,
  STAGES,
  type Schema,
  str,
} from '@tickline/runtime';
import { VENUE_NAMES, type VenueName } from '@tickline/wire';
import { parse as parseYaml } from 'yaml';

/**
 * A stage's section, checked by the stage's own schema (paths under the section) and passed on as
 * given: the stage fills its defaults itself, some of them from run-wide settings (freshness).
 */
function section(allowed: string, validate: (raw: unknown, path: string) => readonly Issue[]): Schema<unknown> {
  return {
    allowed,
    parse(v, path, issues) {
      issues.push(...validate(v, path));
      return v ?? {};
    },
  };
}

/** The embedded exchange's options, with its defaults filled in (none depends on the run). */
const exchangeSection: Schema<unknown> = {
  allowed: 'embedded exchange options (docs/exchange-protocol.md)',
  parse(v, _path, issues) {
    const r = validateExchangeOptions(v ?? {});
    if (r.ok) return r.value;
    issues.push(...r.issues);
    return {};
  },
};

const bookSection = section('book stage options (docs/book.md)', validateBookConfig);

const ingestSection = section('ingest connection options (docs/ingest.md)', (raw, path) => {
  const r = validateIngestConfig(raw, path);
  return r.ok ? [] : r.issues;
});

export const configSchema = obj({
  ...runtimeShape,
  venue: obj({
    name: oneOf(VENUE_NAMES, 'sim'),
    /** WebSocket URL; omit for the embedded exchange (started in-process). */
    url: optional(str('', /^wss?:\/\//, 'a ws:// or wss:// URL')),
    /** REST base URL for instrument lists and snapshots. */
    restUrl: optional(str('', /^https?:\/\//, 'an http:// or https:// URL')),
    /** Symbols to subscribe, as the venue spells them; empty = every instrument the venue lists. */
    symbols: list(str('', /^\S{1,64}$/, 'a venue symbol'), [], 100_000),
    channels: list(oneOf(['book', 'trades'] as const, 'book'), ['book', 'trades'], 2),
    /**
     * The venue's trading API key (env TICKLINE_API_KEY also works). tickline has no live order
     * entry: without a key a live venue runs in paper mode; with one, `run` needs --paper.
     */
    apiKey: optional(str('', /^[\x21-\x7e]{1,512}$/, 'printable characters without spaces')),
  }),
  exchange: exchangeSection,
  ingest: ingestSection,
  normalize: obj({ maxFrameBytes: int(1024, 64 * 1024 * 1024, 4 * 1024 * 1024) }),
  book: bookSection,
  signals: section('signals stage options (docs/trading.md)', validateSignalsConfig),
  risk: section('risk stage options (docs/trading.md)', validateRiskConfig),
  execution: section('execution stage options (docs/trading.md)', validateExecutionConfig),
  /** The backtest's local venue: queue model, latencies, fees (docs/backtest.md, Fill model). */
  backtest: section('backtest fill model options (docs/backtest.md)', (v, path) =>
    v === undefined ? [] : validateFillModelConfig(v, path),
  ),
  /** Paper trading's fill model: queue model, latencies, fees (docs/backtest.md, Paper trading). */
  paper: section('paper trading options (docs/backtest.md)', validatePaperConfig),
  /** Where the journal and state snapshots live. */
  stateDir: str('.tickline', /^\S+$/, 'a directory path'),
  http: obj({
    host: str('127.0.0.1', /^[A-Za-z0-9.:-]{1,253}$/, 'a host name or IP address'),
    port: int(0, 65_535, 8080),
    /** Bearer token of the control API; generated at start and printed once when absent (env TICKLINE_TOKEN also works). */
    token: optional(str('', /^[\x21-\x7e]{16,256}$/, 'at least 16 printable characters')),
  }),
  /** Log level, and how lines look: auto = readable on a terminal, JSON otherwise (docs/operator.md, Logs). */
  log: obj({ level: oneOf(LOG_LEVELS, 'info'), format: oneOf(LOG_FORMATS, 'auto') }),
});

export type TicklineConfig = ReturnType<typeof configSchema.parse> & { venue: { name: VenueName } };

export class ConfigError extends Error {
  readonly code = 'TKL_ERR_CONFIG';
  readonly issues: readonly Issue[];
  constructor(source: string, issues: readonly Issue[]) {
    super(`invalid configuration (${source}):\n${formatIssues(issues)}`);
    this.name = 'ConfigError';
    this.issues = issues;
  }
}

/** Reads a JSON or YAML config file into a plain object (not yet validated). */
export function readConfigFile(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(path, [{ path: '--config', message: `cannot be read: ${(err as Error).message}` }]);
  }
  try {
    return extname(path) === '.json' ? JSON.parse(text) : parseYaml(text);
  } catch (err) {
    throw new ConfigError(path, [
      { path: '--config', message: `is not valid ${extname(path) === '.json' ? 'JSON' : 'YAML'}: ${(err as Error).message}` },
    ]);
  }
}

/** Sets `value` at a dotted path in a plain object, creating objects on the way. */
export function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let o = target;
  for (const k of keys.slice(0, -1)) {
    const next = o[k];
    if (next === null || typeof next !== 'object' || Array.isArray(next)) o[k] = {};
    o = o[k] as Record<string, unknown>;
  }
  o[keys[keys.length - 1] as string] = value;
}

export interface LoadedConfig {
  config: TicklineConfig;
  groups: Group[];
}

/**
 * Validates a raw config with flag overrides applied (`overrides` maps dotted paths to values).
 * Throws ConfigError listing every problem.
 */
export function loadConfig(raw: unknown, overrides: Record<string, unknown>, source: string): LoadedConfig {
  const base = raw === undefined || raw === null ? {} : raw;
  if (typeof base !== 'object' || Array.isArray(base))
    throw new ConfigError(source, [{ path: '(config)', message: 'must be an object (a mapping of settings)' }]);
  const merged = structuredClone(base) as Record<string, unknown>;
  for (const [path, value] of Object.entries(overrides)) setPath(merged, path, value);
  const issues: Issue[] = [];
  let config = configSchema.parse(merged, '', issues) as TicklineConfig;
  if (config.placement === 'auto') {
    // one thread per group; the named placement replaces fuse
    const a = autoPlacement(availableParallelism());
    config = { ...config, fuse: [...a.fuse], threads: Object.fromEntries(STAGES.map((st) => [st, 1])) as TicklineConfig['threads'] };
  }
  const groups = placementGroups(config, issues);
  if (issues.length > 0) throw new ConfigError(source, issues);
  return { config, groups };
}
