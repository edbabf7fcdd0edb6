/**
 * The execution stage's venue in paper mode: a LocalVenue (the local matching engine, queue
 * positions, latency, fees) in wall-clock mode, fed by the venue's live market data (PaperFeed).
 *
 * Nothing here can send an order anywhere: this link holds no order-entry connection, and the
 * paper execution stage (worker.ts) builds no other. Every request goes to the LocalVenue.
 *
 * Time is the wall clock (ms, never decreasing). A request is stamped when sent and arrives after
 * the entry latency; before each market event at time T the venue runs up to T (so it sees what
 * arrived by then first), and a timer runs it at the next pending arrival or delivery when no
 * market data comes. Answers go to execution through `onMessage`, as the WebSocket gateway's do.
 */

import { createLocalVenue, type FillModelConfig, type InstrumentFillStats, type LocalVenue } from '@tickline/backtest';
import type { NewOrderRequest, VenueMessage } from '@tickline/execution';
import type { VenueLink } from '@tickline/execution/worker';
import type { InstrumentRegistry, LevelsLike } from '@tickline/wire';
import type { PaperMarket } from './paper-feed.js';

export interface PaperVenueOptions {
  readonly registry: InstrumentRegistry;
  readonly fill: FillModelConfig;
  readonly onMessage: (m: VenueMessage) => void;
  /** Starts the market data (the feed) at connect, stops it at close. */
  readonly feed?: { start(): Promise<void>; stop(): Promise<void> };
  /** Wall clock, ms (tests pass their own). */
  readonly clock?: () => number;
  readonly log?: (msg: string, data: Record<string, unknown>) => void;
}

export class PaperVenue implements VenueLink, PaperMarket {
  readonly statsPrefix = 'paper';
  readonly #venue: LocalVenue;
  readonly #onMessage: (m: VenueMessage) => void;
  readonly #feed: PaperVenueOptions['feed'];
  readonly #wall: () => number;
  readonly #log: PaperVenueOptions['log'];
  #last = Number.NEGATIVE_INFINITY;
  #timer: NodeJS.Timeout | null = null;
  #timerAt = Number.POSITIVE_INFINITY;
  #open = false;
  #closed = false;
  readonly #deliver = (m: VenueMessage) => this.#onMessage(m);

  constructor(o: PaperVenueOptions) {
    this.#onMessage = o.onMessage;
    this.#feed = o.feed;
    this.#wall = o.clock ?? Date.now;
    this.#log = o.log;
    this.#venue = createLocalVenue(o.fill, o.registry, () => this.#now());
  }

  /** Wall-clock ms, never decreasing (the venue's times must not go back). */
  #now(): number {
    const t = this.#wall();
    if (t > this.#last) this.#last = t;
    return this.#last;
  }

  get connected(): boolean {
    return this.#open && !this.#closed;
  }

  /** The local venue (tests and the stage's report read its books and fill statistics). */
  get venue(): LocalVenue {
    return this.#venue;
  }

  get counters(): Record<string, number> {
    return { ...this.#venue.counters, pending: this.#venue.pending };
  }

  fillStats(): Record<string, InstrumentFillStats> {
    return this.#venue.stats();
  }

  // ------------------------------------------------------------ VenuePort: to the local venue only

  newOrder(o: NewOrderRequest): boolean {
    const req = { ...o };
    return this.#send(() => this.#venue.newOrder(req), o.clientOrderId);
  }
  cancel(clientOrderId: string): boolean {
    return this.#send(() => this.#venue.cancel(clientOrderId));
  }
  cancelAll(): boolean {
    return this.#send(() => this.#venue.cancelAll());
  }
  openOrders(): boolean {
    return this.#send(() => this.#venue.openOrders());
  }
  fills(sinceSeq: number): boolean {
    return this.#send(() => this.#venue.fills(sinceSeq));
  }

  /** Sends now, or (group commit) keeps the request until release(); answers as if sent. */
  #send(send: () => boolean, newOrderId: string | null = null): boolean {
    if (!this.connected) return false;
    if (this.#holding) {
      this.#held.push({ send, newOrderId });
      return true;
    }
    const ok = send();
    if (ok) this.#schedule();
    return ok;
  }

  // ------------------------------------------------------------ group commit (VenuePort hold/release)

  #holding = false;
  #held: { send: () => boolean; newOrderId: string | null }[] = [];

  hold(): void {
    this.#holding = true;
  }

  /** Sends the held requests in call order (their send time is now); returns how many. */
  release(): number {
    const held = this.#held;
    this.#held = [];
    for (const h of held) h.send();
    if (held.length > 0) this.#schedule();
    return held.length;
  }

  get held(): number {
    return this.#held.length;
  }

  discardHeld(clientOrderId: string): boolean {
    const i = this.#held.findIndex((h) => h.newOrderId === clientOrderId);
    if (i < 0) return false;
    this.#held.splice(i, 1);
    return true;
  }

  isHeld(clientOrderId: string): boolean {
    return this.#held.some((h) => h.newOrderId === clientOrderId);
  }

  discardAllHeld(): void {
    this.#held = [];
  }

  connect(): void {
    if (this.#open || this.#closed) return;
    this.#open = true;
    // as a gateway does once its socket is up: execution reconciles (open orders, fills)
    queueMicrotask(() => {
      if (!this.#closed) this.#onMessage({ kind: 'connected' });
    });
    this.#feed?.start().catch((err: unknown) => this.#log?.('paper feed failed to start', { err: String(err) }));
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    void this.#feed?.stop().catch(() => {});
  }

  // ------------------------------------------------------------ time

  /** Runs the venue up to now: arrivals meet the book, answers are delivered. */
  readonly #run = () => {
    this.#timer = null;
    this.#timerAt = Number.POSITIVE_INFINITY;
    if (this.#closed) return;
    this.#venue.runUntil(this.#now(), this.#deliver);
    this.#schedule();
  };

  /** A timer at the venue's next pending arrival or delivery (earlier than the one set, if any). */
  #schedule(): void {
    if (this.#closed) return;
    const next = this.#venue.nextEventTime();
    if (!Number.isFinite(next) || next >= this.#timerAt) return;
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timerAt = next;
    this.#timer = setTimeout(this.#run, Math.max(0, next - this.#wall()));
  }

  /** Market input at now: the venue first runs up to now, so what arrived before meets the old book. */
  #market(): number {
    const t = this.#now();
    this.#venue.runUntil(t, this.#deliver);
    return t;
  }

  // ------------------------------------------------------------ PaperMarket: from the feed

  snapshot(instrument: number, bids: LevelsLike, asks: LevelsLike): void {
    this.#venue.snapshot(this.#market(), instrument, bids, asks);
    this.#schedule();
  }
  level(instrument: number, side: number, price: number, size: number): void {
    this.#venue.level(this.#market(), instrument, side, price, size);
    this.#schedule();
  }
  trade(instrument: number, price: number, size: number, aggressor: number): void {
    this.#venue.trade(this.#market(), instrument, price, size, aggressor);
    this.#schedule();
  }
  bookDown(instrument: number): void {
    this.#venue.bookDown(this.#market(), instrument);
  }
}
