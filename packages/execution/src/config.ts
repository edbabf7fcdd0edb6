/**
 * Execution stage config: venue connection, journal, order timeouts, market-move policy and
 * exit rules. Validated up front: unknown keys rejected, every violation reported.
 */

import {
  bool,
  formatIssues,
  type Issue,
  int,
  deepFreeze,
  joinPath,
  nullable,
  num,
  obj,
  oneOf,
  parseConfig,
  refine,
  str,
} from '@tickline/runtime/config-schema';
import { VENUE_NAMES, type VenueName } from '@tickline/wire';
import type { ExitRules } from './core/exits.js';

export interface VenueConfig {
  /** WebSocket URL of the venue (the embedded exchange's ws://HOST:PORT/v1/stream); null = none. */
  readonly url: string | null;
  readonly account: string;
  readonly token: string | null;
  readonly reconnectMinMs: number;
  readonly reconnectMaxMs: number;
  /**
   * Registry venue of the instruments this connection trades: 'sim' (the embedded exchange); a
   * lockstep backtest's replay exchange lists the recorded venue's instruments under their symbols.
   */
  readonly instruments: VenueName;
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

const nullablePath = nullable(str(''));
const venueUrl = str('', /^wss?:\/\//, 'a ws:// or wss:// URL');

const SCHEMA = obj({
  venue: refine(
    obj({
      url: nullable(venueUrl),
      account: str('default', /^[A-Za-z0-9_.-]{1,64}$/, '1-64 characters of A-Z a-z 0-9 _ . -'),
      token: nullablePath,
      reconnectMinMs: int(1, 60_000, 100),
      reconnectMaxMs: int(1, 600_000, 5_000),
      instruments: oneOf(VENUE_NAMES, 'sim'),
    }),
    (v, path, issues, valid) => {
      if (valid('reconnectMinMs') && valid('reconnectMaxMs') && v.reconnectMinMs > v.reconnectMaxMs)
        issues.push({
          path: joinPath(path, 'reconnectMinMs'),
          message: `must be at most reconnectMaxMs (${v.reconnectMaxMs}), got ${v.reconnectMinMs}`,
        });
    },
  ),
  journal: obj({
    path: nullablePath,
    synchronous: oneOf(['full', 'normal'], 'full'),
    commit: oneOf(['group', 'record'], 'group'),
  }),
  maxIntentAgeMs: int(1, 3_600_000, 1_000),
  maxDataAgeMs: int(0, 3_600_000, 50),
  ackTimeoutMs: int(1, 3_600_000, 2_000),
  marketMove: obj({
    policy: oneOf(['reprice', 'cancel', 'none'], 'reprice'),
    awayBps: num(0, 100_000, 20),
    maxReprices: int(0, 1000, 3),
  }),
  orderTtlMs: int(0, 86_400_000, 60_000),
  exits: obj({
    enabled: bool(true),
    takeProfitBps: num(0, 100_000, 0),
    stopLossBps: num(0, 100_000, 0),
    trailingStopBps: num(0, 100_000, 0),
    maxHoldMs: int(0, 86_400_000 * 30, 0),
    slippageBps: num(0, 10_000, 10),
  }),
  cancelOnShutdown: bool(true),
  shutdownTimeoutMs: int(0, 600_000, 3_000),
  equityCurvePoints: int(10, 10_000_000, 10_000),
});

/** Every violation in `raw` (empty when valid), paths under `path`. */
export function validateExecutionConfig(raw: unknown, path = ''): Issue[] {
  return parseConfig(SCHEMA, raw, path).issues;
}

export class ExecutionConfigError extends Error {
  readonly code = 'TKL_EXECUTION_ERR_CONFIG';
  constructor(readonly issues: readonly Issue[]) {
    super(`invalid execution config:\n${formatIssues(issues)}`);
    this.name = 'ExecutionConfigError';
  }
}

/** Validates and fills defaults; throws ExecutionConfigError listing every violation. */
export function resolveExecutionConfig(raw: unknown): ExecutionConfig {
  const { value, issues } = parseConfig(SCHEMA, raw);
  if (issues.length > 0) throw new ExecutionConfigError(issues);
  return deepFreeze(value);
}

export const EXECUTION_DEFAULTS: ExecutionConfig = resolveExecutionConfig({});
