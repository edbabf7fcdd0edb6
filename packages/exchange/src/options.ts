import {
  bool,
  type Issue,
  int,
  issueLines,
  joinPath,
  map,
  num,
  obj,
  oneOf,
  parseConfig,
  refine,
  str,
} from '@tickline/runtime/config-schema';
import { type FaultPatch, faultPatchSchema } from './faults.js';
import type { Profile } from './market.js';

export interface ExchangeOptions {
  /** Interface to bind. */
  host: string;
  /** TCP port; 0 picks a free one. */
  port: number;
  /** Number of instruments in the universe. */
  instruments: number;
  /** Seed for instrument names and the market process. */
  seed: number;
  /** 'steady' runs at eventsPerSecond; 'open' runs at openEventsPerSecond for openWindowMs first. */
  profile: Profile;
  /** Market-data events (level changes + trades) per second across the universe. */
  eventsPerSecond: number;
  openEventsPerSecond: number;
  openWindowMs: number;
  /** Generation period: every tick the due events are generated and published. */
  tickMs: number;
  /** Levels kept per side of every simulated book. */
  minLevels: number;
  maxLevels: number;
  /** Start with the market paused (books still served; no events until resumed). */
  paused: boolean;
  /** Application heartbeat frame period; 0 disables. */
  heartbeatMs: number;
  /** WebSocket ping period; a connection that has not answered the previous ping is closed. 0 disables. */
  pingIntervalMs: number;
  /** Delay before an order request is processed. */
  latencyMs: number;
  makerFeeBps: number;
  takerFeeBps: number;
  /** New orders per account per second; 0 = unlimited. */
  orderRateLimit: number;
  /** Channels one connection may hold. */
  maxSubscriptions: number;
  /** Client frames above this many bytes get a frame_too_large error (connection kept). */
  maxFrameBytes: number;
  /** Client frames above this many bytes close the connection (1009). */
  maxPayloadBytes: number;
  /** A connection with more than this many bytes queued is closed as a slow consumer. */
  maxBufferedBytes: number;
  /** Account name -> token. Accounts listed here need their token; others connect freely. */
  tokens: Record<string, string>;
  /** Faults active from the start (same shape as POST /v1/control/faults, without actions). */
  faults: FaultPatch;
}

export const DEFAULT_OPTIONS: Readonly<ExchangeOptions> = Object.freeze({
  host: '127.0.0.1',
  port: 0,
  instruments: 5500,
  seed: 1,
  profile: 'steady',
  eventsPerSecond: 20_000,
  openEventsPerSecond: 80_000,
  openWindowMs: 30_000,
  tickMs: 2,
  minLevels: 10,
  maxLevels: 50,
  paused: false,
  heartbeatMs: 1000,
  pingIntervalMs: 15_000,
  latencyMs: 0,
  makerFeeBps: 1,
  takerFeeBps: 2,
  orderRateLimit: 1000,
  maxSubscriptions: 20_000,
  maxFrameBytes: 65_536,
  maxPayloadBytes: 1_048_576,
  maxBufferedBytes: 128 * 1_048_576,
  tokens: {},
  faults: {},
});

const ACCOUNT_RE = /^[A-Za-z0-9_.-]{1,64}$/;
const d = DEFAULT_OPTIONS;

const SCHEMA = refine(
  obj({
    host: str(d.host, /^[A-Za-z0-9.:-]{1,253}$/, 'a host name or IP address'),
    port: int(0, 65535, d.port),
    instruments: int(1, 100_000, d.instruments),
    seed: int(0, 2 ** 32 - 1, d.seed),
    profile: oneOf(['steady', 'open'], d.profile),
    eventsPerSecond: int(0, 5_000_000, d.eventsPerSecond),
    openEventsPerSecond: int(0, 5_000_000, d.openEventsPerSecond),
    openWindowMs: int(0, 86_400_000, d.openWindowMs),
    tickMs: int(1, 100, d.tickMs),
    minLevels: int(1, 1000, d.minLevels),
    maxLevels: int(1, 1000, d.maxLevels),
    paused: bool(d.paused),
    heartbeatMs: int(0, 3_600_000, d.heartbeatMs),
    pingIntervalMs: int(0, 3_600_000, d.pingIntervalMs),
    latencyMs: int(0, 60_000, d.latencyMs),
    makerFeeBps: num(-100, 1000, d.makerFeeBps),
    takerFeeBps: num(-100, 1000, d.takerFeeBps),
    orderRateLimit: int(0, 1_000_000, d.orderRateLimit),
    maxSubscriptions: int(1, 1_000_000, d.maxSubscriptions),
    maxFrameBytes: int(256, 64 * 1_048_576, d.maxFrameBytes),
    maxPayloadBytes: int(256, 256 * 1_048_576, d.maxPayloadBytes),
    maxBufferedBytes: int(65_536, 4096 * 1_048_576, d.maxBufferedBytes),
    tokens: map(str(''), { pattern: ACCOUNT_RE, allowed: `an account name matching ${ACCOUNT_RE}` }),
    faults: faultPatchSchema(false),
  }),
  (v, path, issues, valid) => {
    if (valid('minLevels') && valid('maxLevels') && v.minLevels > v.maxLevels)
      issues.push({ path: joinPath(path, 'minLevels'), message: `must be at most maxLevels (${v.maxLevels}), got ${v.minLevels}` });
    if (valid('maxFrameBytes') && valid('maxPayloadBytes') && v.maxFrameBytes > v.maxPayloadBytes)
      issues.push({
        path: joinPath(path, 'maxFrameBytes'),
        message: `must be at most maxPayloadBytes (${v.maxPayloadBytes}), got ${v.maxFrameBytes}`,
      });
  },
);

/**
 * Validates raw options (from a config file, CLI flags or code). Rejects unknown keys and reports
 * every violation at once as `exchange.<key>: <message>` with the allowed values. Missing keys take
 * their defaults.
 */
export function validateExchangeOptions(
  raw: unknown,
): { ok: true; value: ExchangeOptions } | { ok: false; errors: string[]; issues: Issue[] } {
  const { value, issues } = parseConfig(SCHEMA, raw, 'exchange');
  return issues.length > 0 ? { ok: false, errors: issueLines(issues), issues } : { ok: true, value };
}

export { ACCOUNT_RE };
