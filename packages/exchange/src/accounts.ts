import { formatBigUnits, formatUnits } from './decimal.js';
import type { Instrument } from './instruments.js';

export type OrderSide = 'buy' | 'sell';
export type OrderType = 'limit' | 'market';
export type TimeInForce = 'GTC' | 'IOC';
export type OrderStatus = 'open' | 'partially_filled' | 'filled' | 'canceled' | 'rejected';
export type Liquidity = 'maker' | 'taker';

/** Cash and fees are kept in units of 10^-8 of the quote currency. */
export const CASH_PRECISION = 8;

export interface Order {
  readonly orderId: string;
  readonly account: string;
  readonly clientOrderId: string;
  readonly inst: Instrument;
  readonly side: OrderSide;
  readonly type: OrderType;
  readonly timeInForce: TimeInForce;
  /** Limit price in ticks; undefined for market orders. */
  readonly priceTicks: number | undefined;
  readonly lots: number;
  /** Price and size as the client sent them (shown for rejected orders, which may not parse). */
  readonly priceText: string | null;
  readonly sizeText: string;
  filledLots: number;
  /** Sum of price x size over fills, in units of 10^-(pricePrecision + sizePrecision). */
  filledNotional: bigint;
  status: OrderStatus;
  readonly createdTs: number;
  updatedTs: number;
}

export interface Fill {
  readonly fillId: string;
  readonly order: Order;
  readonly priceTicks: number;
  readonly lots: number;
  readonly liquidity: Liquidity;
  /** Fee in 10^-8 quote units (negative = rebate). */
  readonly fee: bigint;
  /** Execution-report sequence number that carried this fill. */
  seq: number;
  readonly ts: number;
}

export interface Position {
  /** Net position in size units (10^-sizePrecision); positive = long. */
  units: number;
  /** Signed cash flow from this instrument's fills, fees included, in 10^-8 quote units. */
  cash: bigint;
}

/** One account's orders, fills and positions. */
export class Account {
  seq = 0;
  cash = 0n;
  feesPaid = 0n;
  readonly orders = new Map<string, Order>();
  readonly byClientId = new Map<string, Order>();
  readonly fills: Fill[] = [];
  readonly positions = new Map<string, Position>();
  rateWindowStart = 0;
  rateCount = 0;

  constructor(readonly name: string) {}

  /** Books a fill into cash, fees and the position. */
  applyFill(fill: Fill): void {
    const o = fill.order;
    const inst = o.inst;
    const notional8 = notionalCash(inst, fill.priceTicks, fill.lots);
    const signedUnits = fill.lots * inst.lotUnits * (o.side === 'buy' ? 1 : -1);
    const cashDelta = (o.side === 'buy' ? -notional8 : notional8) - fill.fee;
    this.cash += cashDelta;
    this.feesPaid += fill.fee;
    let pos = this.positions.get(inst.symbol);
    if (pos === undefined) {
      pos = { units: 0, cash: 0n };
      this.positions.set(inst.symbol, pos);
    }
    pos.units += signedUnits;
    pos.cash += cashDelta;
    this.fills.push(fill);
  }

  openOrders(): Order[] {
    const out: Order[] = [];
    for (const o of this.orders.values()) if (o.status === 'open' || o.status === 'partially_filled') out.push(o);
    return out;
  }
}

/** price x size of a fill in 10^-8 quote units, exactly. */
export function notionalCash(inst: Instrument, priceTicks: number, lots: number): bigint {
  const units = BigInt(priceTicks * inst.tickUnits) * BigInt(lots * inst.lotUnits);
  const shift = CASH_PRECISION - inst.pricePrecision - inst.sizePrecision;
  return shift >= 0 ? units * 10n ** BigInt(shift) : units / 10n ** BigInt(-shift);
}

/** Fee for a notional at a rate in basis points (2 decimals kept), rounded half away from zero. */
export function feeFor(notional8: bigint, bps: number): bigint {
  const centiBps = BigInt(Math.round(bps * 100));
  const num = notional8 * centiBps;
  const den = 1_000_000n;
  const q = num / den;
  const rem = num % den;
  const twice = (rem < 0n ? -rem : rem) * 2n;
  if (twice >= den) return num < 0n ? q - 1n : q + 1n;
  return q;
}

export interface OrderView {
  orderId: string;
  clientOrderId: string;
  instrument: string;
  side: OrderSide;
  type: OrderType;
  timeInForce: TimeInForce;
  price: string | null;
  size: string;
  filledSize: string;
  remainingSize: string;
  avgPrice: string | null;
  status: OrderStatus;
  createdTs: number;
  updatedTs: number;
}

export function orderView(o: Order): OrderView {
  const inst = o.inst;
  const sp = inst.sizePrecision;
  let avg: string | null = null;
  if (o.filledLots > 0) {
    // Average price rounded down to the price precision.
    const units = o.filledNotional / BigInt(o.filledLots * inst.lotUnits);
    avg = formatBigUnits(units, inst.pricePrecision);
  }
  return {
    orderId: o.orderId,
    clientOrderId: o.clientOrderId,
    instrument: inst.symbol,
    side: o.side,
    type: o.type,
    timeInForce: o.timeInForce,
    price: o.priceTicks === undefined ? o.priceText : formatUnits(o.priceTicks * inst.tickUnits, inst.pricePrecision),
    size: o.status === 'rejected' ? o.sizeText : formatUnits(o.lots * inst.lotUnits, sp),
    filledSize: formatUnits(o.filledLots * inst.lotUnits, sp),
    remainingSize: formatUnits((o.lots - o.filledLots) * inst.lotUnits, sp),
    avgPrice: avg,
    status: o.status,
    createdTs: o.createdTs,
    updatedTs: o.updatedTs,
  };
}

export interface FillView {
  fillId: string;
  seq: number;
  orderId: string;
  clientOrderId: string;
  instrument: string;
  side: OrderSide;
  price: string;
  size: string;
  liquidity: Liquidity;
  fee: string;
  ts: number;
}

export function fillView(f: Fill): FillView {
  const inst = f.order.inst;
  return {
    fillId: f.fillId,
    seq: f.seq,
    orderId: f.order.orderId,
    clientOrderId: f.order.clientOrderId,
    instrument: inst.symbol,
    side: f.order.side,
    price: formatUnits(f.priceTicks * inst.tickUnits, inst.pricePrecision),
    size: formatUnits(f.lots * inst.lotUnits, inst.sizePrecision),
    liquidity: f.liquidity,
    fee: formatBigUnits(f.fee, CASH_PRECISION),
    ts: f.ts,
  };
}

export interface AccountView {
  account: string;
  seq: number;
  cash: string;
  feesPaid: string;
  positions: Array<{ instrument: string; size: string; cash: string }>;
  openOrders: number;
  fills: number;
}

export function accountView(a: Account, bySymbol: ReadonlyMap<string, Instrument>): AccountView {
  const positions: AccountView['positions'] = [];
  for (const [symbol, p] of a.positions) {
    const inst = bySymbol.get(symbol) as Instrument;
    positions.push({
      instrument: symbol,
      size: formatUnits(p.units, inst.sizePrecision),
      cash: formatBigUnits(p.cash, CASH_PRECISION),
    });
  }
  return {
    account: a.name,
    seq: a.seq,
    cash: formatBigUnits(a.cash, CASH_PRECISION),
    feesPaid: formatBigUnits(a.feesPaid, CASH_PRECISION),
    positions,
    openOrders: a.openOrders().length,
    fills: a.fills.length,
  };
}
