/**
 * The desired subscription set of a source: one entry per instrument, each with the state of its
 * streams (one per channel) as the venue's acks report them: pending -> active, or failed with the
 * venue's reason. Pure bookkeeping: no I/O, no timers besides the settle waiters' timeouts.
 */

import type { Channel, StreamRef } from '../venues/types.js';

export type StreamState = 'pending' | 'active' | 'failed';

export interface SubscriptionEntry {
  /** Canonical instrument id. */
  readonly id: number;
  /** The venue's code, as the registry spells it. */
  readonly symbol: string;
  /** The code as it appears in frames (Binance: lower case). */
  readonly frameSymbol: string;
  /** Index of the connection (shard) that owns it. */
  readonly conn: number;
  readonly streams: readonly StreamRef[];
  readonly states: Map<Channel, StreamState>;
  /** Why a stream failed (the venue's reason), else ''. */
  reason: string;
  /** Monotonic ms of the last market-data frame (or of activation, or of its last stale mark). */
  lastUpdateMs: number;
  /** Monotonic ms of its last stale mark (NaN: none): a mark with no data since is a repeat. */
  staleMarkMs: number;
  /** Shed under load: its frames are not queued until its re-seed is released. */
  shed: boolean;
  /** Shed and its book stream unsubscribed at the venue (`shedAtVenue`) until its re-seed. */
  parked: boolean;
  /** Market-data frames received, the count at the load governor's last tick, and the rate then. */
  frames: number;
  framesAtTick: number;
  rate: number;
}

export const streamKey = (ref: StreamRef): string => `${ref.channel}|${ref.symbol}`;

export function entryState(e: SubscriptionEntry): StreamState {
  let pending = false;
  for (const s of e.states.values()) {
    if (s === 'failed') return 'failed';
    if (s === 'pending') pending = true;
  }
  return pending ? 'pending' : 'active';
}

interface Waiter {
  readonly remaining: Set<SubscriptionEntry>;
  readonly done: () => void;
}

export class SubscriptionTable {
  readonly #byId = new Map<number, SubscriptionEntry>();
  readonly #bySymbol = new Map<string, SubscriptionEntry>();
  readonly #byFrame = new Map<string, SubscriptionEntry>();
  readonly #perConn: number[] = [];
  readonly #waiters = new Set<Waiter>();

  get size(): number {
    return this.#byId.size;
  }

  add(id: number, symbol: string, frameSymbol: string, conn: number, channels: readonly Channel[], nowMs: number): SubscriptionEntry {
    const e: SubscriptionEntry = {
      id,
      symbol,
      frameSymbol,
      conn,
      streams: channels.map((channel) => ({ symbol, channel })),
      states: new Map(channels.map((c) => [c, 'pending'] as const)),
      reason: '',
      lastUpdateMs: nowMs,
      staleMarkMs: Number.NaN,
      shed: false,
      parked: false,
      frames: 0,
      framesAtTick: 0,
      rate: 0,
    };
    this.#byId.set(id, e);
    this.#bySymbol.set(symbol, e);
    this.#byFrame.set(frameSymbol, e);
    this.#perConn[conn] = (this.#perConn[conn] ?? 0) + 1;
    return e;
  }

  remove(e: SubscriptionEntry): void {
    if (this.#byId.get(e.id) !== e) return;
    this.#byId.delete(e.id);
    this.#bySymbol.delete(e.symbol);
    this.#byFrame.delete(e.frameSymbol);
    this.#perConn[e.conn] = (this.#perConn[e.conn] ?? 1) - 1;
    this.#settled(e);
  }

  get(id: number): SubscriptionEntry | undefined {
    return this.#byId.get(id);
  }

  bySymbol(symbol: string): SubscriptionEntry | undefined {
    return this.#bySymbol.get(symbol);
  }

  /** Hot path: the entry of a data frame's symbol. */
  byFrameSymbol(frameSymbol: string): SubscriptionEntry | undefined {
    return this.#byFrame.get(frameSymbol);
  }

  /** Instruments owned by connection `conn`. */
  countOn(conn: number): number {
    return this.#perConn[conn] ?? 0;
  }

  entries(): IterableIterator<SubscriptionEntry> {
    return this.#byId.values();
  }

  *entriesOn(conn: number): Generator<SubscriptionEntry> {
    for (const e of this.#byId.values()) if (e.conn === conn) yield e;
  }

  /** Sets a stream's state; settles waiters when the entry has no pending stream left. */
  setState(e: SubscriptionEntry, channel: Channel, state: StreamState, reason = ''): void {
    if (!e.states.has(channel)) return;
    e.states.set(channel, state);
    if (state === 'failed') e.reason = reason;
    else if (entryState(e) !== 'failed') e.reason = '';
    if (state !== 'pending' && entryState(e) !== 'pending') this.#settled(e);
  }

  /** Resolves once none of `entries` is pending, or after `timeoutMs`. */
  waitSettled(entries: Iterable<SubscriptionEntry>, timeoutMs: number): Promise<void> {
    const remaining = new Set<SubscriptionEntry>();
    for (const e of entries) if (entryState(e) === 'pending' && this.#byId.get(e.id) === e) remaining.add(e);
    if (remaining.size === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => finish(), timeoutMs);
      const finish = (): void => {
        clearTimeout(timer);
        this.#waiters.delete(waiter);
        resolve();
      };
      const waiter: Waiter = { remaining, done: finish };
      this.#waiters.add(waiter);
    });
  }

  counts(): { active: number; pending: number; failed: number } {
    let active = 0;
    let pending = 0;
    let failed = 0;
    for (const e of this.#byId.values()) {
      const s = entryState(e);
      if (s === 'active') active++;
      else if (s === 'pending') pending++;
      else failed++;
    }
    return { active, pending, failed };
  }

  #settled(e: SubscriptionEntry): void {
    for (const w of this.#waiters) {
      if (w.remaining.delete(e) && w.remaining.size === 0) w.done();
    }
  }
}
