import {
  Account,
  type Fill,
  feeFor,
  type Liquidity,
  notionalCash,
  type Order,
  type OrderSide,
  type OrderType,
  type TimeInForce,
} from './accounts.js';
import { parseUnits } from './decimal.js';
import { type ErrorCode, ExchangeError } from './errors.js';
import type { Instrument } from './instruments.js';
import type { SimBook } from './sim-book.js';

export interface NewOrder {
  clientOrderId: string;
  instrument: string;
  side: OrderSide;
  type: OrderType;
  timeInForce: TimeInForce;
  /** Decimal string; required for limit orders, absent for market orders. */
  price?: string | undefined;
  size: string;
}

export type ExecEvent = 'new' | 'trade' | 'canceled' | 'rejected';

/** Why an order ended without a full fill, or why it was refused. */
export type ExecReason = ErrorCode | 'canceled_by_user' | 'ioc_remainder' | 'market_remainder';

export interface ExecutionReport {
  account: string;
  seq: number;
  event: ExecEvent;
  order: Order;
  fill: Fill | undefined;
  reason: ExecReason | undefined;
  ts: number;
}

export interface MatchingConfig {
  makerFeeBps: number;
  takerFeeBps: number;
  /** New orders per account per second; 0 = unlimited. */
  orderRateLimit: number;
}

export type SubmitResult = { ok: true; order: Order } | { ok: false; error: ExchangeError; order: Order | undefined };

/**
 * Order entry against the simulated books. Pure and synchronous: callers pass `now`, reports go to
 * `onReport` in the order they happen. Marketable orders take liquidity level by level from the
 * SimBook (which the server then publishes as deltas and trades). Resting orders are private: they
 * are not shown in the public book, and they fill when the simulated market trades at or through
 * their price (see docs/exchange-protocol.md, "Matching rules").
 */
export class MatchingEngine {
  readonly accounts = new Map<string, Account>();
  /** Resting orders per instrument index, in time priority. */
  private readonly resting = new Map<number, Order[]>();
  private nextOrderId = 1;
  private nextFillId = 1;

  constructor(
    private readonly bySymbol: ReadonlyMap<string, Instrument>,
    private readonly books: readonly SimBook[],
    private readonly config: MatchingConfig,
    private readonly onReport: (r: ExecutionReport) => void,
  ) {}

  account(name: string): Account {
    let a = this.accounts.get(name);
    if (a === undefined) {
      a = new Account(name);
      this.accounts.set(name, a);
    }
    return a;
  }

  submit(accountName: string, req: NewOrder, now: number): SubmitResult {
    const account = this.account(accountName);
    const inst = this.bySymbol.get(req.instrument);
    const reject = (code: ErrorCode, message: string, field?: string): SubmitResult => {
      const error = new ExchangeError(code, message, field);
      if (inst === undefined || account.byClientId.has(req.clientOrderId)) return { ok: false, error, order: undefined };
      const order = this.makeOrder(account, req, inst, undefined, 0, now);
      order.status = 'rejected';
      account.byClientId.set(order.clientOrderId, order);
      account.orders.set(order.orderId, order);
      this.report(account, 'rejected', order, undefined, code, now);
      return { ok: false, error, order };
    };
    if (account.byClientId.has(req.clientOrderId)) {
      return reject('duplicate_client_order_id', `clientOrderId '${req.clientOrderId}' was already used`, 'clientOrderId');
    }
    if (inst === undefined) return reject('unknown_instrument', `unknown instrument '${req.instrument}'`, 'instrument');
    if (this.config.orderRateLimit > 0) {
      if (now - account.rateWindowStart >= 1000) {
        account.rateWindowStart = now;
        account.rateCount = 0;
      }
      if (account.rateCount >= this.config.orderRateLimit) {
        return reject('rate_limited', `more than ${this.config.orderRateLimit} orders per second`);
      }
      account.rateCount++;
    }
    if (req.type === 'market' && req.price !== undefined) return reject('bad_price', 'market orders take no price', 'price');
    if (req.type === 'market' && req.timeInForce !== 'IOC') {
      return reject('bad_request', 'market orders must be IOC', 'timeInForce');
    }
    let priceTicks: number | undefined;
    if (req.type === 'limit') {
      if (req.price === undefined) return reject('bad_price', 'limit orders need a price', 'price');
      const units = parseUnits(req.price, inst.pricePrecision);
      if (units === undefined || units <= 0) {
        return reject('bad_price', `price must be a positive decimal with at most ${inst.pricePrecision} decimals`, 'price');
      }
      if (units % inst.tickUnits !== 0) return reject('bad_price', `price is not a multiple of the tick size ${inst.tickSize}`, 'price');
      priceTicks = units / inst.tickUnits;
    }
    const sizeUnits = parseUnits(req.size, inst.sizePrecision);
    if (sizeUnits === undefined || sizeUnits <= 0) {
      return reject('bad_size', `size must be a positive decimal with at most ${inst.sizePrecision} decimals`, 'size');
    }
    if (sizeUnits % inst.lotUnits !== 0) return reject('bad_size', `size is not a multiple of the lot size ${inst.lotSize}`, 'size');
    const order = this.makeOrder(account, req, inst, priceTicks, sizeUnits / inst.lotUnits, now);
    account.orders.set(order.orderId, order);
    account.byClientId.set(order.clientOrderId, order);
    this.report(account, 'new', order, undefined, undefined, now);
    this.take(account, order, now);
    const remaining = order.lots - order.filledLots;
    if (remaining > 0) {
      if (order.timeInForce === 'GTC') {
        let list = this.resting.get(inst.index);
        if (list === undefined) {
          list = [];
          this.resting.set(inst.index, list);
        }
        list.push(order);
      } else {
        order.status = 'canceled';
        order.updatedTs = now;
        this.report(account, 'canceled', order, undefined, order.type === 'market' ? 'market_remainder' : 'ioc_remainder', now);
      }
    }
    return { ok: true, order };
  }

  /** Cancels one open order by orderId or clientOrderId. */
  cancel(accountName: string, ref: { orderId?: string | undefined; clientOrderId?: string | undefined }, now: number): Order {
    const account = this.account(accountName);
    const order = ref.orderId !== undefined ? account.orders.get(ref.orderId) : account.byClientId.get(ref.clientOrderId ?? '');
    if (order === undefined || (order.status !== 'open' && order.status !== 'partially_filled')) {
      const which = ref.orderId !== undefined ? `orderId '${ref.orderId}'` : `clientOrderId '${ref.clientOrderId}'`;
      throw new ExchangeError('unknown_order', `no open order with ${which}`, ref.orderId !== undefined ? 'orderId' : 'clientOrderId');
    }
    this.cancelOrder(account, order, now);
    return order;
  }

  /** Cancels every open order of the account (optionally of one instrument); returns them. */
  cancelAll(accountName: string, instrument: string | undefined, now: number): Order[] {
    const account = this.account(accountName);
    if (instrument !== undefined && !this.bySymbol.has(instrument)) {
      throw new ExchangeError('unknown_instrument', `unknown instrument '${instrument}'`, 'instrument');
    }
    const out: Order[] = [];
    for (const o of account.openOrders()) {
      if (instrument !== undefined && o.inst.symbol !== instrument) continue;
      this.cancelOrder(account, o, now);
      out.push(o);
    }
    return out;
  }

  /**
   * Called for every trade of the simulated market. Resting buys priced above a sell-aggressor trade
   * (sells priced below a buy-aggressor trade) were traded through and fill completely at their limit;
   * orders priced exactly at the trade share its size in time priority.
   */
  onMarketTrade(inst: Instrument, priceTicks: number, lots: number, aggressor: OrderSide, now: number): void {
    const list = this.resting.get(inst.index);
    if (list === undefined || list.length === 0) return;
    let atPrice = lots;
    const restingSide: OrderSide = aggressor === 'sell' ? 'buy' : 'sell';
    for (const o of list.slice()) {
      if (o.side !== restingSide || o.priceTicks === undefined) continue;
      const through = restingSide === 'buy' ? o.priceTicks > priceTicks : o.priceTicks < priceTicks;
      const remaining = o.lots - o.filledLots;
      let qty = 0;
      if (through) qty = remaining;
      else if (o.priceTicks === priceTicks && atPrice > 0) {
        qty = Math.min(remaining, atPrice);
        atPrice -= qty;
      }
      if (qty > 0) this.fill(this.account(o.account), o, o.priceTicks, qty, 'maker', now);
    }
  }

  /** Takes liquidity from the simulated book while the order is marketable. */
  private take(account: Account, order: Order, now: number): void {
    const book = this.books[order.inst.index] as SimBook;
    const side = book.side(order.side === 'buy' ? 'ask' : 'bid');
    const aggressor = order.side;
    while (order.filledLots < order.lots) {
      const price = side.prices[0];
      if (price === undefined) break;
      if (order.priceTicks !== undefined && (aggressor === 'buy' ? price > order.priceTicks : price < order.priceTicks)) break;
      const size = side.sizes[0] as number;
      const qty = Math.min(size, order.lots - order.filledLots);
      book.setLevel(aggressor === 'buy' ? 'ask' : 'bid', price, size - qty);
      book.recordTrade(price, qty, aggressor);
      this.fill(account, order, price, qty, 'taker', now);
      // Other clients' resting orders see this print like any market trade.
      this.onMarketTrade(order.inst, price, qty, aggressor, now);
    }
  }

  private fill(account: Account, order: Order, priceTicks: number, lots: number, liquidity: Liquidity, now: number): void {
    const notional8 = notionalCash(order.inst, priceTicks, lots);
    const fee = feeFor(notional8, liquidity === 'maker' ? this.config.makerFeeBps : this.config.takerFeeBps);
    const fill: Fill = { fillId: String(this.nextFillId++), order, priceTicks, lots, liquidity, fee, seq: 0, ts: now };
    order.filledLots += lots;
    order.filledNotional += BigInt(priceTicks * order.inst.tickUnits) * BigInt(lots * order.inst.lotUnits);
    order.status = order.filledLots === order.lots ? 'filled' : 'partially_filled';
    order.updatedTs = now;
    if (order.status === 'filled') this.unrest(order);
    fill.seq = account.seq + 1;
    account.applyFill(fill);
    this.report(account, 'trade', order, fill, undefined, now);
  }

  private cancelOrder(account: Account, order: Order, now: number): void {
    order.status = 'canceled';
    order.updatedTs = now;
    this.unrest(order);
    this.report(account, 'canceled', order, undefined, 'canceled_by_user', now);
  }

  private unrest(order: Order): void {
    const list = this.resting.get(order.inst.index);
    if (list === undefined) return;
    const i = list.indexOf(order);
    if (i >= 0) list.splice(i, 1);
  }

  private makeOrder(account: Account, req: NewOrder, inst: Instrument, priceTicks: number | undefined, lots: number, now: number): Order {
    return {
      orderId: String(this.nextOrderId++),
      account: account.name,
      clientOrderId: req.clientOrderId,
      inst,
      side: req.side,
      type: req.type,
      timeInForce: req.timeInForce,
      priceTicks,
      lots,
      priceText: req.price ?? null,
      sizeText: req.size,
      filledLots: 0,
      filledNotional: 0n,
      status: 'open',
      createdTs: now,
      updatedTs: now,
    };
  }

  private report(
    account: Account,
    event: ExecEvent,
    order: Order,
    fill: Fill | undefined,
    reason: ExecReason | undefined,
    now: number,
  ): number {
    const seq = ++account.seq;
    this.onReport({ account: account.name, seq, event, order, fill, reason, ts: now });
    return seq;
  }
}
