/**
 * The tickline config file: what it may hold, its defaults, how flags override it, and how it is
 * validated (unknown keys rejected; every violation reported at once with its path and the
 * allowed values; the CLI then exits with code 2).
 */

import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { extname } from 'node:path';
import { validateBookConfig } from '@tickline/book';
import { validateExchangeOptions } from '@tickline/exchange';
import { validateExecutionConfig } from '@tickline/execution';
import { validateRiskConfig } from '@tickline/risk';
import { validateSignalsConfig } from '@tickline/signals';
import {
  autoPlacement,
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

/** Wraps a package's own validator (which returns messages or issues) as a schema node. */
function external<T>(allowed: string, validate: (raw: unknown) => { value: T; errors: Issue[] }): Schema<T> {
  return {
    allowed,
    parse(v, _path, issues) {
      const r = validate(v);
      issues.push(...r.errors);
      return r.value;
    },
  };
}

const exchangeSection = external('embedded exchange options (docs/exchange-protocol.md)', (raw) => {
  const r = validateExchangeOptions(raw ?? {});
  if (r.ok) return { value: raw ?? {}, errors: [] };
  return { value: {}, errors: r.errors.map((e) => ({ path: 'exchange', message: e.replace(/^exchange\.?/, '') })) };
});

const bookSection = external('book stage options (docs/book.md)', (raw) => {
  const issues = validateBookConfig(raw);
  return { value: raw ?? {}, errors: issues.map((i) => ({ path: i.path ? `book.${i.path}` : 'book', message: i.message })) };
});

/** A stage's own validator (issues with paths relative to its section) as a schema node. */
function stageSection(
  stage: string,
  validate: (raw: unknown) => readonly { path: string; message: string }[],
  doc: string,
): Schema<unknown> {
  return external(`${stage} stage options (${doc})`, (raw) => {
    const issues = validate(raw ?? {});
    return { value: raw ?? {}, errors: issues.map((i) => ({ path: i.path ? `${stage}.${i.path}` : stage, message: i.message })) };
  });
}

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
  }),
  exchange: exchangeSection,
  ingest: optional(obj({})),
  normalize: obj({ maxFrameBytes: int(1024, 64 * 1024 * 1024, 4 * 1024 * 1024) }),
  book: bookSection,
  signals: stageSection('signals', validateSignalsConfig, 'docs/trading.md'),
  risk: stageSection('risk', validateRiskConfig, 'docs/trading.md'),
  execution: stageSection('execution', validateExecutionConfig, 'docs/trading.md'),
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
    super(`invalid configuration (${source}):\n${issues.map((i) => `  ${i.path || '(config)'}: ${i.message}`).join('\n')}`);
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

/** Numbers given as flags arrive as strings; the exchange validator wants numbers. */
function coerceNumbers(o: unknown): unknown {
  if (typeof o === 'string' && /^-?\d+(\.\d+)?$/.test(o)) return Number(o);
  if (Array.isArray(o)) return o;
  if (o && typeof o === 'object') return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, coerceNumbers(v)]));
  return o;
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
  if (merged.exchange !== undefined) merged.exchange = coerceNumbers(merged.exchange);
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
