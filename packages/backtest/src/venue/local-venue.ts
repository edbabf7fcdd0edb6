/**
 * The local venue: an in-process exchange the execution core trades against in backtests and
 * paper trading (`VenuePort`), matching against the market's own replayed (or live) books with
 * queue-position fills, latency and fees. Synchronous and single-threaded; no wall clock, timers
 * or promises: every time is given by the driver.
 *
 * Time and causality (docs/backtest.md, "Fill model"):
 * - A request is stamped with `clock()` (strategy-side time, ms) when sent and **arrives** at the
 *   venue at send time + an order-entry latency draw. Its answers (ack, fills, cancels, rejects)
 *   are **delivered** at the venue time they happen + a response latency draw. Fills of resting
 *   orders happen at the venue time of the market event that fills them.
 * - One connection each way: arrivals are processed in send order and deliveries in the order
 *   the venue produced them (a draw that would overtake an earlier one waits for it).
 * - The driver interleaves: before applying a market event at venue time T it calls
 *   `runUntil(T)`, which processes every arrival and delivery at or before T in time order. So a
 *   request arriving at exactly T meets the book before the event at T. At equal times arrivals
 *   are processed before deliveries, and each kind in the order it was queued. Market input at T
 *   while anything at or before T is pending throws (VenueTimeError).
 */

import type { NewOrderRequest, VenueMessage, VenuePort } from '@tickline/execution';
import type { InstrumentRegistry, LevelsLike } from '@tickline/wire';
import { VENUE_CODES as C, VenueTimeError } from './errors.js';
import { type FeeOverrides, feeRatesFor, rateUnits } from './fees.js';
import { TimedFifo } from './fifo.js';
import { createLatencyModel, type LatencyModel } from './latency.js';
import { createQueueModel, type QueueModel, type ThroughTradeRule } from './queue-model.js';
import { type FillModelSettings, feeSettings, fillStats, type InstrumentFillStats } from './stats.js';
import type { VenueBook } from './venue-book.js';
import { VenueInstrument, VenueOrder } from './venue-order.js';
import { VenueMatching } from './venue-matching.js';

export interface LocalVenueOptions {
  readonly registry: InstrumentRegistry;
  /** Strategy-side time, ms: stamps every request when it is sent. */
  readonly clock: () => number;
  /** Default: risk-averse. */
  readonly queue?: QueueModel;
  /** Default: constant 0. */
  readonly entryLatency?: LatencyModel;
  readonly responseLatency?: LatencyModel;
  /** Not used by the venue: kept so the driver and the report take it from one place. Default 0. */
  readonly feedLatency?: LatencyModel;
  readonly fees?: FeeOverrides;
  /** A trade through a resting order's price fills it completely (`full`, default) or up to the trade's size (`trade-size`). */
  readonly throughTrades?: ThroughTradeRule;
}

type Arrival =
  | { at: number; readonly kind: 'new'; readonly req: NewOrderRequest }
  | { at: number; readonly kind: 'cancel'; readonly clientOrderId: string }
  | { at: number; readonly kind: 'cancel-all' }
  | { at: number; readonly kind: 'open-orders' }
  | { at: number; readonly kind: 'fills'; readonly sinceSeq: number };

interface Delivery {
  readonly at: number;
  readonly msg: VenueMessage;
}

/** Receives a message at its delivery time (strategy side), ms. */
export type Deliver = (m: VenueMessage, atMs: number) => void;

export class LocalVenue extends VenueMatching implements VenuePort {
  readonly connected = true;
  readonly entryLatency: LatencyModel;
  readonly responseLatency: LatencyModel;
  readonly feedLatency: LatencyModel;
  readonly #clock: () => number;
  readonly #registry: InstrumentRegistry;
  readonly #fees: FeeOverrides;
  readonly #insts: (VenueInstrument | undefined)[] = [];
  readonly #orders = new Map<string, VenueOrder>();
  readonly #arrivals = new TimedFifo<Arrival>();
  readonly #deliveries = new TimedFifo<Delivery>();
  /** Venue time processed up to. */
  #now = Number.NEGATIVE_INFINITY;
  #marketTime = Number.NEGATIVE_INFINITY;
  #lastArrival = Number.NEGATIVE_INFINITY;
  #lastDelivery = Number.NEGATIVE_INFINITY;
  #lastFeed = Number.NEGATIVE_INFINITY;
  /** Delivery time of the messages of the current venue action; NaN until the first one. */
  #respondAt = Number.NaN;
  #running = false;
  #nextOrderId = 1;
  readonly counters = {
    arrivals: 0,
    delivered: 0,
    /** Requests sent with a clock behind the venue's processed time: they arrive at that time instead. */
    lateSends: 0,
    rejectedNotLive: 0,
  };

  constructor(opts: LocalVenueOptions) {
    if (typeof opts?.clock !== 'function') throw new TypeError('options.clock must be a function returning ms');
    if (typeof opts.registry?.get !== 'function') throw new TypeError('options.registry must be an InstrumentRegistry');
    const zero = createLatencyModel({ kind: 'constant', ms: 0 }, 0);
    super(opts.queue ?? createQueueModel('risk-averse'), opts.throughTrades ?? 'full');
    this.#clock = opts.clock;
    this.#registry = opts.registry;
    this.#fees = opts.fees ?? {};
    this.entryLatency = opts.entryLatency ?? zero;
    this.responseLatency = opts.responseLatency ?? zero;
    this.feedLatency = opts.feedLatency ?? zero;
  }

  /** Venue time processed up to (the latest market input or runUntil bound). */
  get now(): number {
    return this.#now;
  }

  /** The venue's copy of an instrument's market book (undefined before its first market input). */
  book(instrument: number): VenueBook | undefined {
    return this.#insts[instrument]?.book;
  }

  /** Venue time of the latest market input. */
  get marketTime(): number {
    return this.#marketTime;
  }

  // ---------------------------------------------------------------- VenuePort (strategy side)

  newOrder(o: NewOrderRequest): boolean {
    this.#send({ at: 0, kind: 'new', req: { ...o } });
    return true;
  }

  cancel(clientOrderId: string): boolean {
    this.#send({ at: 0, kind: 'cancel', clientOrderId });
    return true;
  }

  cancelAll(): boolean {
    this.#send({ at: 0, kind: 'cancel-all' });
    return true;
  }

  openOrders(): boolean {
    this.#send({ at: 0, kind: 'open-orders' });
    return true;
  }

  fills(sinceSeq: number): boolean {
    this.#send({ at: 0, kind: 'fills', sinceSeq });
    return true;
  }

  #send(a: Arrival): void {
    const sent = this.#clock();
    if (!Number.isFinite(sent)) throw new RangeError(`options.clock must return a finite time in ms, got ${sent}`);
    let at = sent + this.entryLatency.sample();
    if (at < this.#now) {
      this.counters.lateSends++;
      at = this.#now;
    }
    if (at < this.#lastArrival) at = this.#lastArrival;
    a.at = at;
    this.#lastArrival = at;
    this.#arrivals.push(a);
  }

  // ---------------------------------------------------------------- driver: time

  /**
   * The strategy-side time at which market data of venue time `t` is seen: t + a feed latency
   * draw, never before the previous call's answer (one feed connection delivers in order). For
   * the driver; the venue itself does not use it.
   */
  feedTime(t: number): number {
    let at = t + this.feedLatency.sample();
    if (at < this.#lastFeed) at = this.#lastFeed;
    this.#lastFeed = at;
    return at;
  }

  /** Earliest pending arrival or delivery, ms; Infinity when none. */
  nextEventTime(): number {
    const a = this.#arrivals.nextAt;
    const d = this.#deliveries.nextAt;
    return Math.min(a, d);
  }

  /** Arrivals and deliveries not yet processed. */
  get pending(): number {
    return this.#arrivals.length + this.#deliveries.length;
  }

  /**
   * Processes every pending arrival and delivery with time <= t in time order (arrivals first at
   * equal times), handing deliveries to `deliver` with their time; requests sent from inside
   * `deliver` are queued and processed in the same call when they arrive by t.
   */
  runUntil(t: number, deliver: Deliver): void {
    if (this.#running) throw new VenueTimeError('runUntil called from inside its own deliver callback');
    if (Number.isNaN(t)) throw new RangeError('runUntil: t must be a time in ms, got NaN');
    this.#running = true;
    try {
      for (;;) {
        const a = this.#arrivals.nextAt;
        const d = this.#deliveries.nextAt;
        const next = Math.min(a, d);
        if (next > t || next === Number.POSITIVE_INFINITY) break;
        if (a <= d) {
          const item = this.#arrivals.shift() as Arrival;
          this.#now = item.at;
          this.#respondAt = Number.NaN;
          this.counters.arrivals++;
          this.#arrive(item);
        } else {
          const item = this.#deliveries.shift() as Delivery;
          if (item.at > this.#now) this.#now = item.at;
          this.counters.delivered++;
          deliver(item.msg, item.at);
        }
      }
    } finally {
      this.#running = false;
    }
    if (t > this.#now && t !== Number.POSITIVE_INFINITY) this.#now = t;
  }

  // ---------------------------------------------------------------- driver: market input

  #at(t: number, instrument: number): VenueInstrument {
    if (!(t >= this.#now) || this.#running) {
      if (this.#running) throw new VenueTimeError('market input from inside runUntil');
      throw new VenueTimeError(`market input at ${t} is before venue time ${this.#now} (times must not decrease)`);
    }
    // answers at exactly t that market input at t produced may wait (they are delivered after it)
    if (this.#arrivals.nextAt <= t || this.#deliveries.nextAt < t)
      throw new VenueTimeError(`market input at ${t} while events at ${this.nextEventTime()} are pending: call runUntil(${t}) first`);
    this.#now = t;
    this.#marketTime = t;
    this.#respondAt = Number.NaN;
    return this.#insts[instrument] ?? this.#create(instrument, true);
  }

  #create(instrument: number, strict: boolean): VenueInstrument {
    const spec = this.#registry.get(instrument);
    if (spec === undefined) {
      if (strict) throw new RangeError(`instrument ${instrument} is not in the venue's registry`);
      return undefined as never;
    }
    const rates = feeRatesFor(spec, this.#fees);
    const s = new VenueInstrument(spec, rateUnits(rates.makerBps, 'makerBps'), rateUnits(rates.takerBps, 'takerBps'));
    this.#insts[instrument] = s;
    return s;
  }

  /**
   * Loads an instrument's book outside the market timeline, for a driver that keeps no venue book
   * for an instrument until the strategy first sends it an order (it replays the instrument's
   * market data up to now into `bids`/`asks`). Only while the instrument has nothing resting.
   */
  seedBook(instrument: number, bids: LevelsLike, asks: LevelsLike, live: boolean): void {
    const s = this.#insts[instrument] ?? this.#create(instrument, true);
    if (s.resting !== 0) throw new VenueTimeError(`seedBook: instrument ${instrument} has resting orders`);
    s.book.bids.load(bids);
    s.book.asks.load(asks);
    s.live = live;
  }

  /** Replaces an instrument's book (levels in any order) and marks it live. */
  snapshot(t: number, instrument: number, bids: LevelsLike, asks: LevelsLike): void {
    const s = this.#at(t, instrument);
    if (s.resting === 0) {
      s.book.bids.load(bids);
      s.book.asks.load(asks);
      s.live = true;
      return;
    }
    this.reseed(s, bids, asks, t);
  }

  /** Sets the absolute size at a price on a side (0 = bid, 1 = ask); size 0 removes the level. */
  level(t: number, instrument: number, side: number, price: number, size: number): void {
    const s = this.#at(t, instrument);
    const prev = (side === 0 ? s.book.bids : s.book.asks).set(price, size);
    if (s.resting !== 0 && s.live) this.levelChanged(s, side, price, prev, size, t);
  }

  /** A market trade: aggressor 0 = buy, 1 = sell, anything else = unknown (inferred from the book). */
  trade(t: number, instrument: number, price: number, size: number, aggressor: number): void {
    const s = this.#at(t, instrument);
    if (s.resting !== 0 && s.live) this.traded(s, price, size, aggressor, t);
  }

  /** The instrument's book is not live (a gap): orders arriving are rejected, resting ones cannot fill. */
  bookDown(t: number, instrument: number): void {
    this.#at(t, instrument).live = false;
  }

  /** The instrument's book is live again (a snapshot does this by itself). */
  bookUp(t: number, instrument: number): void {
    const s = this.#at(t, instrument);
    s.live = true;
    if (s.resting !== 0) this.crossAll(s, t);
  }

  // ---------------------------------------------------------------- venue side

  protected override emit(msg: VenueMessage): void {
    let at = this.#respondAt;
    if (Number.isNaN(at)) {
      at = this.#now + this.responseLatency.sample();
      if (at < this.#lastDelivery) at = this.#lastDelivery;
      this.#respondAt = at;
      this.#lastDelivery = at;
    }
    this.#deliveries.push({ at, msg });
  }

  #arrive(a: Arrival): void {
    switch (a.kind) {
      case 'new':
        return this.#onNew(a.req, a.at);
      case 'cancel': {
        const o = this.#orders.get(a.clientOrderId);
        if (o === undefined || !o.open) {
          this.emit({ kind: 'cancel-error', clientOrderId: a.clientOrderId, code: C.unknownOrder });
          return;
        }
        this.cancelOrder(this.#insts[o.instrument] as VenueInstrument, o, C.canceledByUser, a.at);
        return;
      }
      case 'cancel-all':
        for (const o of [...this.open]) this.cancelOrder(this.#insts[o.instrument] as VenueInstrument, o, C.canceledByUser, a.at);
        this.emit({ kind: 'cancel-all-done' });
        return;
      case 'open-orders':
        this.emit({ kind: 'open-orders', seq: this.seq, orders: [...this.open].map((o) => o.state()) });
        return;
      case 'fills': {
        const since = a.sinceSeq;
        this.emit({ kind: 'fills', seq: this.seq, fills: this.fillLog.filter((f) => f.seq > since) });
        return;
      }
    }
  }

  #onNew(req: NewOrderRequest, t: number): void {
    const cid = req.clientOrderId;
    if (this.#orders.has(cid)) {
      this.emit({
        kind: 'order-error',
        clientOrderId: cid,
        code: C.duplicateClientOrderId,
        message: `clientOrderId '${cid}' was already used`,
      });
      return;
    }
    const s = this.#insts[req.instrument] ?? this.#create(req.instrument, false);
    if (s === undefined) {
      this.emit({ kind: 'order-error', clientOrderId: cid, code: C.unknownInstrument, message: `unknown instrument ${req.instrument}` });
      return;
    }
    const market = req.type === 1;
    const o = new VenueOrder(cid, String(this.#nextOrderId++), { ...req, price: market ? 0 : req.price });
    this.#orders.set(cid, o);
    const bad = this.#check(s, req);
    if (bad !== '') return this.reject(s, o, bad, t);
    if (!s.live) {
      this.counters.rejectedNotLive++;
      return this.reject(s, o, C.bookNotLive, t);
    }
    this.accept(s, o, t);
  }

  /** '' when the request is well formed, else the reject code. */
  #check(s: VenueInstrument, req: NewOrderRequest): string {
    if ((req.side !== 0 && req.side !== 1) || (req.type !== 0 && req.type !== 1) || (req.tif !== 0 && req.tif !== 1)) return C.badRequest;
    if (!Number.isSafeInteger(req.size) || req.size <= 0 || req.size % s.spec.lotSize !== 0) return C.badSize;
    if (req.type === 0 && (!Number.isSafeInteger(req.price) || req.price <= 0 || req.price % s.spec.tickSize !== 0)) return C.badPrice;
    return '';
  }

  // ---------------------------------------------------------------- reports

  /** Per instrument that saw orders (`<venue>:<symbol>`): the fill statistics. */
  stats(): Record<string, InstrumentFillStats> {
    return fillStats(this.#insts);
  }

  /** The fill model's settings as plain JSON (for reports). */
  settings(): FillModelSettings {
    return {
      queue:
        this.queue.name === 'risk-averse'
          ? { model: this.queue.name }
          : {
              model: this.queue.name,
              n: this.queue.n,
              sampling: this.queue.sampling,
              ...(this.queue.sampling === 'draw' ? { seed: this.queue.seed } : {}),
            },
      throughTrades: this.throughTrades,
      latency: { feed: this.feedLatency.describe(), entry: this.entryLatency.describe(), response: this.responseLatency.describe() },
      fees: feeSettings(this.#insts, this.#fees),
    };
  }
}
