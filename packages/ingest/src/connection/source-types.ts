/** The public types of an ingest source (see source.ts). */

import type { Emitter } from '@tickline/runtime';
import type { InstrumentRegistry, VenueName } from '@tickline/wire';
import type { Channel } from '../venues/types.js';
import type { Random } from './backoff.js';
import type { IngestConfig, IngestConfigInput } from './config.js';
import type { LogFn } from './connection.js';
import type { FetchLike } from './rest.js';
import type { Counters } from './stats.js';
import type { StreamState } from './subscriptions.js';

export interface IngestSourceOptions {
  readonly venue: VenueName;
  /** WebSocket URL; defaults to the venue's public market-data URL (required for `sim`). */
  readonly url?: string;
  /** REST base URL for snapshots; defaults to the venue's (for `sim`, derived from `url`). */
  readonly restUrl?: string;
  readonly registry: InstrumentRegistry;
  /** Venue codes to subscribe at start, exactly as the registry spells them. */
  readonly instruments: readonly string[];
  readonly channels?: readonly Channel[];
  /** A validated IngestConfig or any subset of one (validated here). */
  readonly config?: IngestConfig | IngestConfigInput;
  readonly log?: LogFn;
  /** Jitter source (default Math.random); seed it for reproducible runs. */
  readonly random?: Random;
  /** Extra headers of REST snapshot requests (an API key header where a venue takes one). Never logged. */
  readonly restHeaders?: Readonly<Record<string, string>>;
  /** fetch() replacement for REST snapshots (default: global fetch). */
  readonly fetch?: FetchLike;
  /** Observes every reconnect delay drawn. */
  readonly onBackoff?: (delayMs: number, attempt: number, hintMs: number) => void;
}

export interface SubscribeResult {
  /** Newly added to the set (or retried after a failure): requests were queued for these. */
  readonly added: string[];
  /** Already in the set: nothing was sent for these. */
  readonly already: string[];
  /** State when the call returned (acks arrived, or `ackTimeoutMs` passed). */
  readonly active: string[];
  readonly pending: string[];
  readonly failed: { readonly symbol: string; readonly reason: string }[];
}

export interface UnsubscribeResult {
  readonly removed: string[];
  readonly notSubscribed: string[];
}

export interface SubscriptionInfo {
  readonly symbol: string;
  readonly instrument: number;
  readonly state: StreamState;
  readonly reason: string;
  readonly connId: number;
}

/** Counters plus the subscription and connection gauges (a plain record of numbers). */
export type IngestStats = Readonly<
  Counters & {
    instruments: number;
    instrumentsActive: number;
    instrumentsPending: number;
    instrumentsFailed: number;
    shards: number;
    connectionsUp: number;
    restPending: number;
    /** Book seeds waiting in the pacer (start-up, restores, re-seeds). */
    seedsQueued: number;
    seedsReleased: number;
    /** Times seeds were held back because live data was behind. */
    seedsGated: number;
    /** Instruments shed right now (waiting for their re-seed). */
    shedNow: number;
    /**
     * Backlog at the governor's last check (ms): the age of the oldest frame the consumer has not
     * taken, or, with ingest fused to the next stage, the socket's lag (ping round trip above
     * the connection's fastest).
     */
    backlogMs: number;
    /** Lag probes (WebSocket pings) sent, where ingest has no queue after it; and given up unanswered. */
    lagProbes: number;
    lagProbesExpired: number;
    /** Checks that found the backlog over maxBacklogMs and shed instruments. */
    overloads: number;
    /** Re-seeds allowed per second now (falls at overloads, climbs back while keeping up). */
    seedRate: number;
    queuedRequests: number;
  }
>;

export interface IngestSource {
  start(emit: Emitter): Promise<void>;
  stop(): Promise<void>;
  subscribe(symbols: readonly string[]): Promise<SubscribeResult>;
  unsubscribe(symbols: readonly string[]): Promise<UnsubscribeResult>;
  /** The book stage asks for a fresh snapshot of an instrument (REST fetch or venue re-seed). */
  resync(instrumentId: number): void;
  stats(): IngestStats;
  /** Subscription state of one code, or undefined when it is not in the set. */
  subscription(symbol: string): SubscriptionInfo | undefined;
  /** Forces every connection to drop as a network loss would (tests, drills). */
  dropConnections(reason?: string): void;
}
