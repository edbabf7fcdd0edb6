/**
 * Signals stage config: which strategies run, on which instruments, with which parameters, and
 * where the market-view snapshot lives. Validated up front: unknown keys are rejected and every
 * violation is reported with its path and the allowed values.
 */

import { arr, check, type ConfigIssue, formatIssues, int, isRecord, obj, oneOf, str } from '@tickline/runtime/config-rules';
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
  readonly module?: string;
  /** Canonical instrument names (`<venue>:<symbol>`); absent = every instrument of the partition. */
  readonly instruments?: readonly string[];
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
}

export const SIGNALS_DEFAULTS: SignalsConfig = Object.freeze({
  strategies: [],
  seed: 1,
  maxIntentsPerSecond: 20,
  snapshot: Object.freeze({ path: null, intervalMs: 60_000 }),
  keepBars: 200,
  maxDataAgeMs: 50,
});

const STRATEGY = obj(
  {
    id: str(/^[A-Za-z0-9_.-]{1,64}$/, '1-64 characters of A-Z a-z 0-9 _ . -'),
    type: oneOf(STRATEGY_TYPES),
    module: str(),
    instruments: arr(str(/^[a-z0-9-]+:.+$/, "a canonical instrument name '<venue>:<symbol>'")),
    params: { kind: 'any' },
  },
  ['id', 'type'],
);

const TOP = obj({
  strategies: arr(STRATEGY),
  seed: int(0, 2 ** 32 - 1),
  maxIntentsPerSecond: int(1, 1_000_000),
  snapshot: obj({ path: { kind: 'any' }, intervalMs: int(100, 86_400_000) }),
  keepBars: int(1, 100_000),
  maxDataAgeMs: int(0, 3_600_000),
});

/** Every violation in `raw` (empty when valid). */
export function validateSignalsConfig(raw: unknown): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  if (raw === undefined) return issues;
  check(raw, TOP, '', issues);
  if (!isRecord(raw)) return issues;
  const snap = raw.snapshot;
  if (isRecord(snap) && snap.path !== undefined && snap.path !== null && (typeof snap.path !== 'string' || snap.path === ''))
    issues.push({ path: 'snapshot.path', message: `must be a file path or null, got ${JSON.stringify(snap.path)}` });
  if (!Array.isArray(raw.strategies)) return issues;
  const seen = new Set<string>();
  raw.strategies.forEach((s, i) => {
    if (!isRecord(s)) return;
    const path = `strategies[${i}]`;
    if (typeof s.id === 'string') {
      if (seen.has(s.id)) issues.push({ path: `${path}.id`, message: `duplicate strategy id '${s.id}'` });
      seen.add(s.id);
    }
    if (s.params !== undefined && !isRecord(s.params)) issues.push({ path: `${path}.params`, message: 'must be an object' });
    if (s.type === 'module') {
      if (typeof s.module !== 'string') issues.push({ path: `${path}.module`, message: "is required for type 'module' (a file path)" });
    } else if (typeof s.type === 'string') {
      if (s.module !== undefined) issues.push({ path: `${path}.module`, message: "only allowed with type 'module'" });
      const t = BUILTIN_STRATEGIES[s.type];
      if (t && (s.params === undefined || isRecord(s.params))) issues.push(...t.validate(s.params ?? {}, `${path}.params`));
    }
  });
  return issues;
}

export class SignalsConfigError extends Error {
  readonly code = 'TKL_SIGNALS_ERR_CONFIG';
  constructor(readonly issues: readonly ConfigIssue[]) {
    super(`invalid signals config:\n${formatIssues(issues)}`);
    this.name = 'SignalsConfigError';
  }
}

/** Validates and fills defaults; throws SignalsConfigError listing every violation. */
export function resolveSignalsConfig(raw: unknown): SignalsConfig {
  const issues = validateSignalsConfig(raw);
  if (issues.length > 0) throw new SignalsConfigError(issues);
  const r = (raw ?? {}) as Partial<SignalsConfig> & {
    snapshot?: Partial<SignalsConfig['snapshot']>;
    strategies?: Partial<StrategyConfig>[];
  };
  return Object.freeze({
    strategies: (r.strategies ?? []).map((s) => Object.freeze({ ...s, params: Object.freeze({ ...(s.params ?? {}) }) }) as StrategyConfig),
    seed: r.seed ?? SIGNALS_DEFAULTS.seed,
    maxIntentsPerSecond: r.maxIntentsPerSecond ?? SIGNALS_DEFAULTS.maxIntentsPerSecond,
    snapshot: Object.freeze({ path: r.snapshot?.path ?? null, intervalMs: r.snapshot?.intervalMs ?? SIGNALS_DEFAULTS.snapshot.intervalMs }),
    keepBars: r.keepBars ?? SIGNALS_DEFAULTS.keepBars,
    maxDataAgeMs: r.maxDataAgeMs ?? SIGNALS_DEFAULTS.maxDataAgeMs,
  });
}
