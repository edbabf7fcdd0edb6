/**
 * IngestConfig: the connection layer's settings, validated up front. Unknown keys are rejected and
 * every violation is reported at once, each with its path and the allowed values.
 */

import {
  bool,
  formatIssues,
  type Issue,
  int,
  joinPath,
  num,
  obj,
  oneOf,
  optional,
  parseConfig,
  refine,
} from '@tickline/runtime/config-schema';
import { IngestError } from './errors.js';

const backoffSchema = obj({
  /** Ceiling of the first retry's window. */
  baseMs: int(1, 600_000, 250),
  /** Growth of the ceiling per failed attempt. */
  factor: num(1, 16, 2),
  /** Largest ceiling. */
  capMs: int(1, 3_600_000, 30_000),
  /** Smallest delay ever drawn (so a storm never turns into a tight loop). At most baseMs. */
  floorMs: int(0, 600_000, 100),
  /** A connection that stays up this long resets the attempt counter. */
  resetAfterMs: int(0, 3_600_000, 30_000),
});

const limitsSchema = obj({
  /** Requests (subscribe, unsubscribe, app-level ping) allowed per window per connection. */
  messages: int(1, 100_000, 5),
  windowMs: int(1, 3_600_000, 1000),
});

const fields = obj({
  /** Instruments one connection may own before another connection is opened (shard). */
  maxInstrumentsPerConnection: int(1, 1_000_000, 100_000),
  /** Quiet time after which a ping is sent (app-level where the venue has one, else a WS ping). */
  heartbeatIntervalMs: int(50, 600_000, 5000),
  /** No frame and no pong for this long: the connection is declared dead and closed. */
  heartbeatTimeoutMs: int(100, 3_600_000, 15_000),
  /** Upper bound on the WebSocket opening handshake. */
  connectTimeoutMs: int(100, 600_000, 10_000),
  /** How long subscribe()/unsubscribe() wait for the venue's acks before returning what is pending. */
  ackTimeoutMs: int(10, 600_000, 10_000),
  backoff: backoffSchema,
  /** No update of an instrument for this long: resubscribe it and emit a stale mark. 0 = off. */
  staleAfterMs: int(0, 86_400_000, 30_000),
  /**
   * Load shedding: while the frames' consumer (normalize) is more than this far behind (age of
   * the oldest frame it has not taken, ms), the busiest instruments are shed whole (a resync
   * mark goes downstream at once; their frames are dropped until their paced re-seed). 0 = never.
   */
  maxBacklogMs: int(0, 60_000, 100),
  /**
   * A shed instrument's book stream is unsubscribed at the venue until its re-seed subscribes it
   * again: shedding then lowers what the venue sends and ingest reads, not only what is queued
   * (off: frames of shed instruments keep arriving and are dropped here).
   */
  shedAtVenue: bool(true),
  /** Seeds (snapshots, re-seeds) are released only while that backlog is below this (ms). */
  seedBacklogMs: int(0, 60_000, 20),
  /** Frames handed downstream between two publishes within one socket read. */
  flushFrames: int(1, 100_000, 32),
  /** How often the backlog is checked for shedding (ms). */
  shedIntervalMs: int(5, 10_000, 50),
  /** After shedding, re-seeds wait at least this long (ms): no shed/re-seed churn. */
  seedCooldownMs: int(0, 600_000, 1000),
  /** Books seeded per second at most: start-up, reconnect restores, re-seeds after gaps. */
  seedsPerSecond: int(1, 1_000_000, 2000),
  /** Seeds that may leave at once after a quiet period. */
  seedBurst: int(1, 1_000_000, 200),
  /** Depth asked of REST snapshots (venue-clamped). */
  restSnapshotDepth: int(1, 5000, 1000),
  /** REST snapshot requests in flight at once per source. */
  restConcurrency: int(1, 64, 4),
  /** Attempts per REST snapshot on network errors and 5xx (429/418 wait and do not count). */
  restMaxAttempts: int(1, 100, 5),
  /** Book depth asked in WebSocket subscriptions where the venue takes one (Kraken). */
  wsBookDepth: int(1, 1000, 100),
  /** How books are seeded: the venue's way, or forced (the embedded exchange supports both). */
  seeding: oneOf(['venue', 'rest', 'subscribe'] as const, 'venue'),
  /** Overrides the venue's documented request rate limit (tests, private venues). */
  limits: optional(limitsSchema),
  /** Offer permessage-deflate on the upgrade (off: less CPU on the socket thread). */
  perMessageDeflate: bool(false),
  /**
   * Reconnect on purpose once a connection is this old, before the venue cuts it. 0 = the venue's
   * documented limit (Binance: 24 h) less a 5-15 minute jittered margin; no limit where none is
   * documented.
   */
  maxConnectionAgeMs: int(0, 7 * 86_400_000, 0),
  /** First connection id of this source; connections are numbered from it. */
  connIdBase: int(0, 0xffff_0000, 0),
});

/** Checks across fields, on the parsed values (defaults in place of bad ones). */
export const ingestConfigSchema = refine(fields, (value, path, issues, valid) => {
  const p = (k: string): string => joinPath(path, k);
  if (valid('heartbeatTimeoutMs') && valid('heartbeatIntervalMs') && value.heartbeatTimeoutMs <= value.heartbeatIntervalMs)
    issues.push({
      path: p('heartbeatTimeoutMs'),
      message: `must be greater than heartbeatIntervalMs (${value.heartbeatIntervalMs}), got ${value.heartbeatTimeoutMs}`,
    });
  if (valid('maxBacklogMs') && valid('seedBacklogMs') && value.maxBacklogMs > 0 && value.seedBacklogMs > value.maxBacklogMs)
    issues.push({ path: p('seedBacklogMs'), message: `must be at most maxBacklogMs (${value.maxBacklogMs}), got ${value.seedBacklogMs}` });
  const b = value.backoff;
  if (valid('backoff.floorMs') && valid('backoff.baseMs') && b.floorMs > b.baseMs)
    issues.push({ path: p('backoff.floorMs'), message: `must be at most backoff.baseMs (${b.baseMs}), got ${b.floorMs}` });
  if (valid('backoff.baseMs') && valid('backoff.capMs') && b.baseMs > b.capMs)
    issues.push({ path: p('backoff.baseMs'), message: `must be at most backoff.capMs (${b.capMs}), got ${b.baseMs}` });
});

type Parsed = ReturnType<typeof ingestConfigSchema.parse>;
export type IngestConfig = Parsed;
export type BackoffConfig = Parsed['backoff'];
/** What a caller may pass: any subset; the rest comes from the defaults. */
export type IngestConfigInput = {
  readonly [K in keyof Parsed]?: Parsed[K] extends object | undefined ? Partial<NonNullable<Parsed[K]>> : Parsed[K];
};

export type ValidationResult = { ok: true; value: IngestConfig } | { ok: false; issues: Issue[] };

/** Validates a config section (a plain object, as from JSON or flags), paths under `path`. Never throws. */
export function validateIngestConfig(input: unknown, path = ''): ValidationResult {
  const { value, issues } = parseConfig(ingestConfigSchema, input, path);
  return issues.length === 0 ? { ok: true, value } : { ok: false, issues };
}

/** Validates and returns the config, or throws ERR_INGEST_INVALID_CONFIG listing every issue. */
export function parseIngestConfig(input: unknown): IngestConfig {
  const r = validateIngestConfig(input);
  if (!r.ok) throw new IngestError('ERR_INGEST_INVALID_CONFIG', `\n${formatIssues(r.issues)}`, r.issues);
  return r.value;
}

export const DEFAULT_INGEST_CONFIG: IngestConfig = parseIngestConfig({});
