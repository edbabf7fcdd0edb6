import { Checker, isRecord } from './check.js';
import { type FaultPatch, validateFaultPatch } from './faults.js';
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

const KEYS = Object.keys(DEFAULT_OPTIONS) as Array<keyof ExchangeOptions>;
const ACCOUNT_RE = /^[A-Za-z0-9_.-]{1,64}$/;

/**
 * Validates raw options (from a config file, CLI flags or code). Rejects unknown keys and reports
 * every violation at once, each with its path (`exchange.<key>`) and the allowed values. Missing keys
 * take their defaults.
 */
export function validateExchangeOptions(raw: unknown): { ok: true; value: ExchangeOptions } | { ok: false; errors: string[] } {
  if (raw === undefined) raw = {};
  if (!isRecord(raw)) return { ok: false, errors: ['exchange must be an object'] };
  const c = new Checker('exchange');
  c.unknownKeys(raw, KEYS);
  const v: ExchangeOptions = { ...DEFAULT_OPTIONS, tokens: {}, faults: {} };
  const set = <K extends keyof ExchangeOptions>(k: K, val: ExchangeOptions[K] | undefined): void => {
    if (val !== undefined) v[k] = val;
  };
  set('host', c.str(raw, 'host', /^[A-Za-z0-9.:-]{1,253}$/, 'a host name or IP address'));
  set('port', c.int(raw, 'port', 0, 65535));
  set('instruments', c.int(raw, 'instruments', 1, 100_000));
  set('seed', c.int(raw, 'seed', 0, 2 ** 32 - 1));
  set('profile', c.oneOf(raw, 'profile', ['steady', 'open'] as const));
  set('eventsPerSecond', c.int(raw, 'eventsPerSecond', 0, 5_000_000));
  set('openEventsPerSecond', c.int(raw, 'openEventsPerSecond', 0, 5_000_000));
  set('openWindowMs', c.int(raw, 'openWindowMs', 0, 86_400_000));
  set('tickMs', c.int(raw, 'tickMs', 1, 100));
  set('minLevels', c.int(raw, 'minLevels', 1, 1000));
  set('maxLevels', c.int(raw, 'maxLevels', 1, 1000));
  set('paused', c.bool(raw, 'paused'));
  set('heartbeatMs', c.int(raw, 'heartbeatMs', 0, 3_600_000));
  set('pingIntervalMs', c.int(raw, 'pingIntervalMs', 0, 3_600_000));
  set('latencyMs', c.int(raw, 'latencyMs', 0, 60_000));
  set('makerFeeBps', c.num(raw, 'makerFeeBps', -100, 1000));
  set('takerFeeBps', c.num(raw, 'takerFeeBps', -100, 1000));
  set('orderRateLimit', c.int(raw, 'orderRateLimit', 0, 1_000_000));
  set('maxSubscriptions', c.int(raw, 'maxSubscriptions', 1, 1_000_000));
  set('maxFrameBytes', c.int(raw, 'maxFrameBytes', 256, 64 * 1_048_576));
  set('maxPayloadBytes', c.int(raw, 'maxPayloadBytes', 256, 256 * 1_048_576));
  set('maxBufferedBytes', c.int(raw, 'maxBufferedBytes', 65_536, 4096 * 1_048_576));
  if (v.minLevels > v.maxLevels) c.errors.push('exchange.minLevels must not exceed exchange.maxLevels');
  if (v.maxFrameBytes > v.maxPayloadBytes) c.errors.push('exchange.maxFrameBytes must not exceed exchange.maxPayloadBytes');
  const tokens = c.record(raw, 'tokens');
  if (tokens !== undefined) {
    for (const [name, tok] of Object.entries(tokens)) {
      if (!ACCOUNT_RE.test(name)) c.errors.push(`exchange.tokens key ${JSON.stringify(name)} must match ${ACCOUNT_RE}`);
      if (typeof tok !== 'string' || tok.length === 0) c.errors.push(`exchange.tokens.${name} must be a non-empty string`);
      else v.tokens[name] = tok;
    }
  }
  if (raw.faults !== undefined) {
    const f = validateFaultPatch(raw.faults, 'exchange.faults', false);
    if (f.ok) v.faults = f.value;
    else c.errors.push(...f.errors);
  }
  return c.errors.length > 0 ? { ok: false, errors: c.errors } : { ok: true, value: v };
}

export { ACCOUNT_RE };
