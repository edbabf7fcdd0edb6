/**
 * Execution stage config: venue connection, journal, order timeouts, market-move policy and
 * exit rules. Validated up front: unknown keys rejected, every violation reported.
 */

import { bool, check, type ConfigIssue, formatIssues, int, isRecord, num, obj, oneOf, str } from '@tickline/runtime/config-rules';
import type { ExitRules } from './core/exits.js';

export interface VenueConfig {
  /** WebSocket URL of the venue (the embedded exchange's ws://HOST:PORT/v1/stream); null = none. */
  readonly url: string | null;
  readonly account: string;
  readonly token: string | null;
  readonly reconnectMinMs: number;
  readonly reconnectMaxMs: number;
}

export interface ExecutionConfig {
  readonly venue: VenueConfig;
  readonly journal: {
    /** SQLite file; `{partition}` is replaced. null = in-memory (no durability). */
    readonly path: string | null;
    /** 'full' fsyncs every commit (survives power loss); 'normal' survives process crashes. */
    readonly synchronous: 'full' | 'normal';
    /**
     * 'group': the rows of a unit of work (an input batch, a turn of venue messages, a tick, a
     * control command) commit in one transaction, and the unit's venue requests and downstream
     * records wait for it. 'record': one transaction per order state change or fill.
     */
    readonly commit: 'group' | 'record';
  };
  /** An intent older than this is dropped, never sent. */
  readonly maxIntentAgeMs: number;
  /**
   * An intent made on market data received longer ago than this is never sent (ms; 0 = no
   * bound). Unset: the run's `freshness.maxDataAgeMs`.
   */
  readonly maxDataAgeMs: number;
  /** No ack within this: query the venue; still nothing after as long again: cancel. */
  readonly ackTimeoutMs: number;
  readonly marketMove: {
    readonly policy: 'reprice' | 'cancel' | 'none';
    /** A resting order this far behind the touch (bps of mid) has been left by the market. */
    readonly awayBps: number;
    readonly maxReprices: number;
  };
  /** Resting orders older than this are cancelled; 0 = never. */
  readonly orderTtlMs: number;
  readonly exits: ExitRules & {
    readonly enabled: boolean;
    /** Exit orders are IOC limits this far through the touch. */
    readonly slippageBps: number;
  };
  readonly cancelOnShutdown: boolean;
  readonly shutdownTimeoutMs: number;
  readonly equityCurvePoints: number;
}

export const EXECUTION_DEFAULTS: ExecutionConfig = Object.freeze({
  venue: Object.freeze({ url: null, account: 'default', token: null, reconnectMinMs: 100, reconnectMaxMs: 5_000 }),
  journal: Object.freeze({ path: null, synchronous: 'full' as const, commit: 'group' as const }),
  maxIntentAgeMs: 1_000,
  maxDataAgeMs: 50,
  ackTimeoutMs: 2_000,
  marketMove: Object.freeze({ policy: 'reprice' as const, awayBps: 20, maxReprices: 3 }),
  orderTtlMs: 60_000,
  exits: Object.freeze({ enabled: true, takeProfitBps: 0, stopLossBps: 0, trailingStopBps: 0, maxHoldMs: 0, slippageBps: 10 }),
  cancelOnShutdown: true,
  shutdownTimeoutMs: 3_000,
  equityCurvePoints: 10_000,
});

const nullableString = {
  kind: 'custom',
  check: (v: unknown, path: string, issues: ConfigIssue[]) => {
    if (v !== null && (typeof v !== 'string' || v === ''))
      issues.push({ path, message: `must be a non-empty string or null, got ${JSON.stringify(v)}` });
  },
} as const;

const TOP = obj({
  venue: obj({
    url: nullableString,
    account: str(/^[A-Za-z0-9_.-]{1,64}$/, '1-64 characters of A-Z a-z 0-9 _ . -'),
    token: nullableString,
    reconnectMinMs: int(1, 60_000),
    reconnectMaxMs: int(1, 600_000),
  }),
  journal: obj({ path: nullableString, synchronous: oneOf(['full', 'normal']), commit: oneOf(['group', 'record']) }),
  maxIntentAgeMs: int(1, 3_600_000),
  maxDataAgeMs: int(0, 3_600_000),
  ackTimeoutMs: int(1, 3_600_000),
  marketMove: obj({ policy: oneOf(['reprice', 'cancel', 'none']), awayBps: num(0, 100_000), maxReprices: int(0, 1000) }),
  orderTtlMs: int(0, 86_400_000),
  exits: obj({
    enabled: bool,
    takeProfitBps: num(0, 100_000),
    stopLossBps: num(0, 100_000),
    trailingStopBps: num(0, 100_000),
    maxHoldMs: int(0, 86_400_000 * 30),
    slippageBps: num(0, 10_000),
  }),
  cancelOnShutdown: bool,
  shutdownTimeoutMs: int(0, 600_000),
  equityCurvePoints: int(10, 10_000_000),
});

export function validateExecutionConfig(raw: unknown): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  if (raw === undefined) return issues;
  check(raw, TOP, '', issues);
  if (isRecord(raw) && isRecord(raw.venue)) {
    const v = raw.venue;
    if (typeof v.url === 'string' && !/^wss?:\/\//.test(v.url))
      issues.push({ path: 'venue.url', message: `must start with ws:// or wss://, got '${v.url}'` });
    const min = typeof v.reconnectMinMs === 'number' ? v.reconnectMinMs : EXECUTION_DEFAULTS.venue.reconnectMinMs;
    const max = typeof v.reconnectMaxMs === 'number' ? v.reconnectMaxMs : EXECUTION_DEFAULTS.venue.reconnectMaxMs;
    if (min > max) issues.push({ path: 'venue.reconnectMinMs', message: `must be <= reconnectMaxMs (${max}), got ${min}` });
  }
  return issues;
}

export class ExecutionConfigError extends Error {
  readonly code = 'TKL_EXECUTION_ERR_CONFIG';
  constructor(readonly issues: readonly ConfigIssue[]) {
    super(`invalid execution config:\n${formatIssues(issues)}`);
    this.name = 'ExecutionConfigError';
  }
}

export function resolveExecutionConfig(raw: unknown): ExecutionConfig {
  const issues = validateExecutionConfig(raw);
  if (issues.length > 0) throw new ExecutionConfigError(issues);
  const r = (raw ?? {}) as Record<string, Record<string, unknown> | unknown>;
  const sub = <T extends object>(k: string, d: T): T => Object.freeze({ ...d, ...((isRecord(r[k]) ? r[k] : {}) as Partial<T>) });
  return Object.freeze({
    ...EXECUTION_DEFAULTS,
    ...(r as object),
    venue: sub('venue', EXECUTION_DEFAULTS.venue),
    journal: sub('journal', EXECUTION_DEFAULTS.journal),
    marketMove: sub('marketMove', EXECUTION_DEFAULTS.marketMove),
    exits: sub('exits', EXECUTION_DEFAULTS.exits),
  }) as ExecutionConfig;
}
