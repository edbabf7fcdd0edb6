/**
 * A venue dialect: everything the connection layer must know about one venue's WebSocket protocol
 * to keep subscriptions alive, and nothing about its market data (normalize owns that).
 */

import type { VenueName } from '@tickline/wire';
import type { RateWindow } from '../connection/rate-limit.js';

export type Channel = 'book' | 'trades';
export const CHANNELS: readonly Channel[] = ['book', 'trades'];

/** One stream of one instrument, named with the venue's own symbol (registry spelling). */
export interface StreamRef {
  readonly symbol: string;
  readonly channel: Channel;
}

export type RequestOp = 'subscribe' | 'unsubscribe' | 'snapshot' | 'open';

/** One message to send. `id` is what the venue echoes in its answer (null: answered in order). */
export interface OutgoingRequest {
  readonly op: RequestOp;
  readonly id: number | null;
  readonly text: string;
  readonly items: readonly StreamRef[];
  /** false for requests that get no answer at all (nothing is awaited). */
  readonly answered: boolean;
}

/** What a frame is, from a cheap look at its first bytes (`Peek.kind`). */
export const PeekKind = {
  /** Market data of `Peek.symbol` (frame spelling, see VenueDialect.frameSymbol). */
  Data: 0,
  /** An answer, error or notice: worth parsing (low rate). */
  Control: 1,
  /** A heartbeat or pong: proves liveness, nothing to parse. */
  Liveness: 2,
  /** Anything else (order channels, status). */
  Other: 3,
} as const;
export type PeekKindCode = (typeof PeekKind)[keyof typeof PeekKind];

/** Reused for every frame (no allocation besides the symbol text). */
export interface Peek {
  kind: PeekKindCode;
  symbol: string;
}

/** A parsed control frame. `items: null` means "the whole request" (correlated by id or order). */
export type ControlEvent =
  | { readonly type: 'ack'; readonly id: number | null; readonly items: readonly StreamRef[] | null; readonly duplicates: number }
  | {
      readonly type: 'error';
      readonly id: number | null;
      readonly items: readonly StreamRef[] | null;
      readonly reason: string;
      /** The venue says "too many requests": retry after the hint instead of failing. */
      readonly rateLimited: boolean;
      readonly retryAfterMs: number;
    }
  | { readonly type: 'pong' }
  | { readonly type: 'info' };

export interface DialectOptions {
  /** Book depth for venues that take one in the subscription (Kraken). */
  readonly wsBookDepth: number;
  /** Whether subscribe-seeded venues should send a snapshot (false when seeding by REST). */
  readonly snapshotOnSubscribe: boolean;
}

export interface VenueDialect {
  readonly venue: VenueName;
  /** Default public market-data WebSocket URL ('' when it must be given, e.g. the embedded exchange). */
  readonly url: string;
  /**
   * The venue's public REST base URL: instrument lists, and book snapshots where the venue seeds
   * by REST. null when it must be given (the embedded exchange: derived from the WebSocket URL).
   */
  readonly restUrl: string | null;
  /** How books are seeded by default. */
  readonly seeding: 'rest' | 'subscribe';
  /** Seeding modes this venue supports. */
  readonly seedingModes: readonly ('rest' | 'subscribe')[];
  /** Documented request limits (subscribe, unsubscribe, app pings). */
  readonly requestLimits: readonly RateWindow[];
  /** Whether app-level pings and WebSocket ping frames count against requestLimits. */
  readonly pingsCountAsRequests: boolean;
  /** Whether WebSocket ping frames count (default: as pingsCountAsRequests). */
  readonly pingFramesCount?: boolean;
  /** Whether requestLimits count per connection or per IP (then shared by a source's connections). */
  readonly requestLimitScope: 'connection' | 'ip';
  /** The venue closes a connection after this long (Binance: 24 h); 0 = no documented limit. */
  readonly maxConnectionMs: number;
  /** Documented connection-attempt limits (per IP at the venue; applied per source here). */
  readonly connectLimits: readonly RateWindow[];
  /** Streams (instrument x channel) one connection may hold. */
  readonly maxStreamsPerConnection: number;
  /** Where the numbers above come from. */
  readonly docs: readonly string[];

  /** Builds the REST base URL from a WebSocket URL when restUrl is not configured (embedded exchange). */
  restUrlFor(wsUrl: string): string | null;
  /** The symbol as it appears in frames (Binance stream names are lower case). */
  frameSymbol(symbol: string): string;
  /** Requests for `op` over `items`, split to the venue's per-request limits. Never empty requests. */
  requests(op: 'subscribe' | 'unsubscribe', items: readonly StreamRef[], nextId: () => number, opts: DialectOptions): OutgoingRequest[];
  /** A fresh book snapshot on a live subscription, where the venue has such a request; else null. */
  snapshotRequests(items: readonly StreamRef[], nextId: () => number): OutgoingRequest[] | null;
  /** Messages sent first on every new socket (Coinbase's heartbeats channel). */
  openRequests(nextId: () => number): OutgoingRequest[];
  /** An application-level ping, or null to use WebSocket ping frames. */
  ping(nextId: () => number): string | null;
  /** REST snapshot path + query for a symbol, or null. */
  restPath(symbol: string, depth: number): string | null;
  /** Classifies a received frame by its first bytes (see PeekKind); fills `out`. */
  peek(bytes: Buffer, out: Peek): void;
  /** Parses a frame the peek called Control. Never throws; null when it is nothing we track. */
  control(text: string): ControlEvent | null;
}
