/**
 * Signals stage config: which strategies run, on which instruments, with which parameters, and
 * where the market-view snapshot lives. Validated up front: unknown keys are rejected and every
 * violation is reported with its path and the allowed values.
 */

import {
  anyObject,
  formatIssues,
  type Issue,
  int,
  joinPath,
  list,
  nullable,
  obj,
  oneOf,
  optional,
  parseConfig,
  refine,
  required,
  str,
} from '@tickline/runtime/config-schema';
import type { StrategyType } from './core/strategy.js';
import { imbalanceStrategy } from './strategies/imbalance.js';
import { randomTraderStrategy } from './strategies/random-trader.js';
import { spreadReversionStrategy } from './strategies/spread-reversion.js';
import { tickTrendStrategy } from './strategies/tick-trend.js';

export const BUILTIN_STRATEGIES: Readonly<Record<string, StrategyType>> = Object.freeze({
  imbalance: imbalanceStrategy,
  'spread-reversion': spreadReversionStrategy,
  'tick-trend': tickTrendStrategy,
  random: randomTraderStrategy,
});

export const STRATEGY_TYPES = [...Object.keys(BUILTIN_STRATEGIES), 'module'] as const;

export interface StrategyConfig {
  /** Instance id: the intents' `strategy` field. Unique. */
  readonly id: string;
  readonly type: string;
  /** For type 'module': a file path (absolute, or relative to the process cwd) or file: URL. */
  readonly module?: string | undefined;
  /** Canonical instrument names (`<venue>:<symbol>`); absent = every instrument of the partition. */
  readonly instruments?: readonly string[] | undefined;
  readonly params: Readonly<Record<string, unknown>>;
}

export interface SignalsConfig {
  readonly strategies: readonly StrategyConfig[];
  /** Base seed for seeded strategies (each instance mixes in its index and the partition). */
  readonly seed: number;
  /** Cap on intents per instrument per second across strategies (a runaway-strategy guard). */
  readonly maxIntentsPerSecond: number;
  readonly snapshot: {
    /** File for the compressed market-view snapshot; `{partition}` is replaced. null = off. */
    readonly path: string | null;
    readonly intervalMs: number;
  };
  /** Completed bars kept per instrument in the market view. */
  readonly keepBars: number;
  /**
   * Strategies skip market data received longer ago than this (ms; 0 = no bound). Unset: the
   * run's `freshness.maxDataAgeMs`.
   */
  readonly maxDataAgeMs: number;
  /**
   * File for the intent log (intent-log.ts): one JSON line per order intent; `{partition}` is
   * replaced. null = off (the default).
   */
  readonly intentLog: string | null;
}

const STRATEGY = refine(
  obj({
    id: required(str('', /^[A-Za-z0-9_.-]{1,64}$/, '1-64 characters of A-Z a-z 0-9 _ . -')),
    // '' stands in for a missing or bad type: no checks by type then.
    type: required(oneOf<string>(STRATEGY_TYPES, '')),
    module: optional(str('')),
    instruments: optional(list(str('', /^[a-z0-9-]+:.+$/, "a canonical instrument name '<venue>:<symbol>'"), [], 100_000)),
    params: anyObject(),
  }),
  (s, path, issues) => {
    if (s.type === 'module') {
      if (s.module === undefined) issues.push({ path: joinPath(path, 'module'), message: "is required for type 'module' (a file path)" });
      return;
    }
    if (s.module !== undefined) issues.push({ path: joinPath(path, 'module'), message: "is only allowed with type 'module'" });
    const t = BUILTIN_STRATEGIES[s.type];
    if (t) issues.push(...t.validate(s.params, joinPath(path, 'params')));
  },
);

const SCHEMA = obj({
  strategies: refine(list(STRATEGY, [], 10_000), (list, path, issues) => {
    const seen = new Set<string>();
    list.forEach((s, i) => {
      if (s.id !== '' && seen.has(s.id))
        issues.push({ path: `${path}[${i}].id`, message: `must be unique, got duplicate ${JSON.stringify(s.id)}` });
      seen.add(s.id);
    });
  }),
  seed: int(0, 2 ** 32 - 1, 1),
  maxIntentsPerSecond: int(1, 1_000_000, 20),
  snapshot: obj({ path: nullable(str('')), intervalMs: int(100, 86_400_000, 60_000) }),
  keepBars: int(1, 100_000, 200),
  maxDataAgeMs: int(0, 3_600_000, 50),
  intentLog: nullable(str('', /\S/, 'a file path')),
});

/** Every violation in `raw` (empty when valid), paths under `path`. */
export function validateSignalsConfig(raw: unknown, path = ''): Issue[] {
  return parseConfig(SCHEMA, raw, path).issues;
}

export class SignalsConfigError extends Error {
  readonly code = 'TKL_SIGNALS_ERR_CONFIG';
  constructor(readonly issues: readonly Issue[]) {
    super(`invalid signals config:\n${formatIssues(issues)}`);
    this.name = 'SignalsConfigError';
  }
}

/** Validates and fills defaults; throws SignalsConfigError listing every violation. */
export function resolveSignalsConfig(raw: unknown): SignalsConfig {
  const { value, issues } = parseConfig(SCHEMA, raw);
  if (issues.length > 0) throw new SignalsConfigError(issues);
  // Parameters are the strategy's to read (a copy, frozen at its top level only).
  const strategies = value.strategies.map((s) => Object.freeze({ ...s, params: Object.freeze({ ...s.params }) }));
  return Object.freeze({ ...value, strategies: Object.freeze(strategies), snapshot: Object.freeze(value.snapshot) });
}

export const SIGNALS_DEFAULTS: SignalsConfig = resolveSignalsConfig({});
