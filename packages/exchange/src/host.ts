/**
 * What the request, REST and upgrade handlers (requests.ts, http-api.ts, upgrade.ts) need of the
 * exchange server. ExchangeServer (server.ts) implements it; the handlers depend on this module
 * only, so the server imports them without an import cycle.
 */

import type { Duplex } from 'node:stream';
import type { WebSocket, WebSocketServer } from 'ws';
import type { Conn } from './conn.js';
import type { FaultPatch, Faults, WindowCounter } from './faults.js';
import type { Instrument } from './instruments.js';
import type { Market } from './market.js';
import type { MatchingEngine } from './matching.js';
import type { ExchangeOptions } from './options.js';
import type { Request } from './protocol.js';

export interface ExchangeStats {
  uptimeMs: number;
  connections: number;
  subscriptions: number;
  instruments: number;
  paused: boolean;
  steps: number;
  /** Steps dropped because the timer fell too far behind. */
  lagSteps: number;
  eventsGenerated: number;
  deltaFrames: number;
  tradeFrames: number;
  snapshotsSent: number;
  framesSent: number;
  requests: number;
  requestErrors: number;
  /** Market-data streams (book or trades of one instrument) clients unsubscribed from. */
  unsubscribed: number;
  ordersReceived: number;
  executionReports: number;
  faultsInjected: number;
  slowConsumerDrops: number;
  pingTimeouts: number;
}

/** Counters updated by the server and its request handlers. */
export interface Counters {
  deltaFrames: number;
  tradeFrames: number;
  snapshotsSent: number;
  requests: number;
  requestErrors: number;
  unsubscribed: number;
  ordersReceived: number;
  executionReports: number;
  slowConsumerDrops: number;
  pingTimeouts: number;
  lagSteps: number;
  framesSentClosed: number;
}

export type OrderRequest = Extract<Request, { action: 'new_order' | 'cancel_order' | 'cancel_all' }>;

export interface PendingOrder {
  dueAt: number;
  conn: Conn;
  req: OrderRequest;
}

export interface ExchangeHost {
  readonly options: ExchangeOptions;
  readonly instruments: readonly Instrument[];
  readonly bySymbol: ReadonlyMap<string, Instrument>;
  readonly market: Market;
  readonly engine: MatchingEngine;
  readonly faults: Faults;
  /** Per instrument index: connections subscribed to its book / trades channel. */
  readonly bookSubs: readonly Set<Conn>[];
  readonly tradeSubs: readonly Set<Conn>[];
  readonly counters: Counters;
  /** Orders waiting out the configured latency. */
  readonly orderQueue: PendingOrder[];
  readonly paused: boolean;
  readonly closing: boolean;
  readonly wss: WebSocketServer;
  readonly upgradeLimiter: WindowCounter;
  stats(): ExchangeStats;
  applyFaults(patch: FaultPatch): void;
  setPaused(paused: boolean): void;
  /** Publishes every book with unpublished changes (delta and trade frames) and flushes execution reports. */
  publish(ts: number): void;
  flushReports(): void;
  acceptConnection(ws: WebSocket, socket: Duplex, account: string): void;
}
