/**
 * The matching rules of the local venue, at one venue time each (the caller, LocalVenue, owns
 * time, latency and delivery):
 *
 * - A new order takes liquidity from the opposite side of the market's book, level by level,
 *   while its limit allows (market orders: any price). What it takes is removed from the book
 *   copy and stays removed until the feed next sets that level (or a snapshot replaces the book).
 *   A market or IOC remainder is canceled; a GTC remainder rests, joining the queue behind the
 *   displayed size at its price (`front`).
 * - A trade at a resting order's price consumes the queue ahead (the queue model), and whatever
 *   goes past the market size ahead, minus our own earlier orders at that price, fills the order
 *   (whole lots, rounded down). A trade through the price (a sell below a resting buy, a buy above
 *   a resting sell) fills the order at its own price: completely, whatever the trade's size
 *   (`throughTrades: 'full'`, as hftbacktest and the embedded exchange do), or up to the trade's
 *   size shared by our through orders in time priority (`'trade-size'`).
 * - A level of the opposite side set at or through a resting order's price (the market crossed
 *   it) fills the order completely at its own price (hftbacktest's best-bid/ask update rule).
 * - A level change at a resting order's price moves its queue position (the queue model).
 * - Our own orders never match each other.
 * - Fills of resting orders are maker fills; fills on arrival are taker fills.
 */

import type { VenueFill, VenueMessage } from '@tickline/execution';
import { moneyScale, type LevelsLike } from '@tickline/wire';
import { VENUE_CODES as C } from './errors.js';
import { fillFee } from './fees.js';
import { type QueueModel, THROUGH_TRADE_RULES, type ThroughTradeRule } from './queue-model.js';
import type { VenueInstrument, VenueOrder } from './venue-order.js';

export abstract class VenueMatching {
  readonly queue: QueueModel;
  readonly throughTrades: ThroughTradeRule;
  /** Every fill, in sequence order (answers `fills` queries). */
  readonly fillLog: VenueFill[] = [];
  /** Open orders (resting, or between arrival and rest), in arrival order. */
  protected readonly open = new Set<VenueOrder>();
  /** The last execution-report sequence number. */
  protected seq = 0;
  #nextFillId = 1;

  constructor(queue: QueueModel, throughTrades: ThroughTradeRule) {
    if (!THROUGH_TRADE_RULES.includes(throughTrades))
      throw new RangeError(`throughTrades must be one of ${THROUGH_TRADE_RULES.join(', ')}, got ${String(throughTrades)}`);
    this.queue = queue;
    this.throughTrades = throughTrades;
  }

  /** Queues a message for delivery (the caller stamps the time). */
  protected abstract emit(msg: VenueMessage): void;

  #report(o: VenueOrder, event: 'new' | 'trade' | 'canceled' | 'rejected', fill: VenueFill | null, reason: string, t: number): void {
    this.emit({ kind: 'report', seq: fill ? fill.seq : ++this.seq, event, order: o.state(), fill, reason, tsMs: t });
  }

  protected reject(s: VenueInstrument, o: VenueOrder, code: string, t: number): void {
    o.status = 'rejected';
    s.stats.rejected++;
    this.#report(o, 'rejected', null, code, t);
  }

  /** A well-formed order on a live book: ack, take, then rest or cancel the remainder. */
  protected accept(s: VenueInstrument, o: VenueOrder, t: number): void {
    s.stats.orders++;
    s.stats.placed += o.size;
    this.open.add(o);
    this.#report(o, 'new', null, '', t);
    this.#take(s, o, t);
    if (o.remaining <= 0) return;
    if (o.type === 0 && o.tif === 0) {
      o.restedAt = t;
      o.front = (o.side === 0 ? s.book.bids : s.book.asks).sizeAt(o.price);
      o.tradedSinceChange = 0;
      s.rest(o);
      return;
    }
    this.cancelOrder(s, o, o.type === 1 ? C.marketRemainder : C.iocRemainder, t);
  }

  protected cancelOrder(s: VenueInstrument, o: VenueOrder, reason: string, t: number): void {
    o.status = 'canceled';
    if (o.filled === 0) s.stats.canceledUnfilled++;
    if (!Number.isNaN(o.restedAt)) s.unrest(o);
    this.open.delete(o);
    this.#report(o, 'canceled', null, reason, t);
  }

  #take(s: VenueInstrument, o: VenueOrder, t: number): void {
    const opp = o.side === 0 ? 1 : 0;
    const book = opp === 0 ? s.book.bids : s.book.asks;
    while (o.remaining > 0 && book.length > 0) {
      const p = book.price(0);
      if (o.type === 0 && (o.side === 0 ? p > o.price : p < o.price)) break;
      const lvl = book.size(0);
      const q = Math.min(lvl, o.remaining);
      book.set(p, lvl - q);
      // Our resting orders at that level see the size go down like any other change.
      if (s.resting !== 0) this.levelChanged(s, opp, p, lvl, lvl - q, t);
      this.#fill(s, o, p, q, false, t);
    }
  }

  #fill(s: VenueInstrument, o: VenueOrder, price: number, qty: number, maker: boolean, t: number): void {
    o.filled += qty;
    o.status = o.filled >= o.size ? 'filled' : 'partially_filled';
    const fill: VenueFill = {
      fillId: String(this.#nextFillId++),
      seq: ++this.seq,
      clientOrderId: o.clientOrderId,
      venueOrderId: o.venueOrderId,
      instrument: o.instrument,
      side: o.side,
      price,
      size: qty,
      fee: fillFee(s.spec, price, qty, maker ? s.makerUnits : s.takerUnits),
      feeScale: moneyScale(s.spec),
      maker,
      tsMs: t,
    };
    this.fillLog.push(fill);
    const st = s.stats;
    st.filled += qty;
    if (maker) {
      st.makerFills++;
      if (Number.isNaN(o.firstMakerFillAt)) {
        o.firstMakerFillAt = t;
        st.queueWaits.push(t - o.restedAt);
      }
    } else st.takerFills++;
    if (o.status === 'filled') {
      this.open.delete(o);
      if (!Number.isNaN(o.restedAt)) s.unrest(o);
    }
    this.#report(o, 'trade', fill, '', t);
  }

  /** The level at `price` on `side` went from `prev` to `next` (resting orders exist, book live). */
  protected levelChanged(s: VenueInstrument, side: number, price: number, prev: number, next: number, t: number): void {
    const list = side === 0 ? s.buys : s.sells;
    for (let i = 0; i < list.length; i++) {
      const o = list[i] as VenueOrder;
      if (o.price === price) this.queue.depth(o, prev, next);
    }
    if (next > 0) {
      if (side === 1 && price <= s.maxBuy) this.#crossed(s, s.buys, price, t);
      else if (side === 0 && price >= s.minSell) this.#crossed(s, s.sells, price, t);
    }
  }

  /** The market's opposite side reached `price`: resting orders at or through it fill completely. */
  #crossed(s: VenueInstrument, list: VenueOrder[], price: number, t: number): void {
    for (let i = 0; i < list.length; ) {
      const o = list[i] as VenueOrder;
      if (o.side === 0 ? o.price >= price : o.price <= price) this.#fill(s, o, o.price, o.remaining, true, t);
      if (list[i] === o) i++;
    }
  }

  /** A market trade on an instrument with resting orders and a live book. */
  protected traded(s: VenueInstrument, price: number, size: number, aggressor: number, t: number): void {
    let agg = aggressor;
    if (agg !== 0 && agg !== 1) {
      // Unknown aggressor: a print at or below the best bid hit the bids, at or above the best ask lifted the asks.
      if (price <= s.book.bids.bestPrice()) agg = 1;
      else if (price >= s.book.asks.bestPrice()) agg = 0;
      else return;
    }
    if (agg === 1) {
      if (price <= s.maxBuy) this.#tradeFill(s, s.buys, price, size, t);
    } else if (price >= s.minSell) this.#tradeFill(s, s.sells, price, size, t);
  }

  #tradeFill(s: VenueInstrument, list: VenueOrder[], price: number, qty: number, t: number): void {
    const lot = s.spec.lotSize;
    const capped = this.throughTrades === 'trade-size';
    let ownAhead = 0;
    let budget = qty;
    for (let i = 0; i < list.length; ) {
      const o = list[i] as VenueOrder;
      if (o.side === 0 ? o.price > price : o.price < price) {
        // Through: the whole order, or (trade-size) what is left of the trade, orders in time priority.
        const q = capped ? Math.min(o.remaining, Math.floor(budget / lot) * lot) : o.remaining;
        budget -= q;
        if (q > 0) this.#fill(s, o, o.price, q, true, t);
      } else if (o.price === price) {
        const before = o.remaining;
        this.queue.trade(o, qty);
        const avail = -o.front - ownAhead;
        ownAhead += before;
        if (o.front < 0) o.front = 0;
        if (avail >= lot) this.#fill(s, o, o.price, Math.min(Math.floor(avail / lot) * lot, before), true, t);
      }
      if (list[i] === o) i++;
    }
  }

  /** A snapshot on an instrument with resting orders: queue positions see each level's change. */
  protected reseed(s: VenueInstrument, bids: LevelsLike, asks: LevelsLike, t: number): void {
    const prevBuy = s.buys.map((o) => s.book.bids.sizeAt(o.price));
    const prevSell = s.sells.map((o) => s.book.asks.sizeAt(o.price));
    s.book.bids.load(bids);
    s.book.asks.load(asks);
    s.live = true;
    for (const [i, o] of s.buys.entries()) this.queue.depth(o, prevBuy[i] as number, s.book.bids.sizeAt(o.price));
    for (const [i, o] of s.sells.entries()) this.queue.depth(o, prevSell[i] as number, s.book.asks.sizeAt(o.price));
    this.crossAll(s, t);
  }

  /** Resting orders the market's book now crosses fill completely (a re-seed, or the book back up). */
  protected crossAll(s: VenueInstrument, t: number): void {
    const bestAsk = s.book.asks.bestPrice();
    if (bestAsk <= s.maxBuy) this.#crossed(s, s.buys, bestAsk, t);
    const bestBid = s.book.bids.bestPrice();
    if (bestBid >= s.minSell) this.#crossed(s, s.sells, bestBid, t);
  }
}
