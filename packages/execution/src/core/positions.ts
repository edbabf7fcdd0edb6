/**
 * Positions and P&L from fills (average-cost method), exact: per instrument the quantity (a
 * size mantissa), the cost of the open quantity, realized P&L and fees are integers at the
 * instrument's money scale (moneyScale: fine enough for every price x size and every fee), so
 * they equal the exact decimal sums of the fills. The one rounding is where average cost
 * divides: closing part of a position releases basis x closed / held, rounded half to even at
 * the money scale, and what the basis keeps carries the remainder, so at every moment
 * realized - fees = the fills' cash flow (sells - buys - fees) + the basis held (long) or
 * - the basis held (short), exactly; flat, realized - fees is the cash flow. Unrealized P&L
 * and average prices are quotients too, rounded the same way where they are shown.
 *
 * Per round trip (flat -> position -> flat): entry, exit, P&L, duration and reasons;
 * win/loss statistics and an equity curve. Figures leave as decimal strings (decimalString).
 */

import { bigPow10, decimalString, divRoundHalfEven, ExactSum, type InstrumentSpec, moneyScale } from '@tickline/wire';

/** Average prices are shown with this many digits beyond the instrument's price scale. */
export const AVG_PRICE_EXTRA_DIGITS = 4;

export class Position {
  readonly pxUnit: number;
  readonly szUnit: number;
  /** Scale of basis, realized, fees and every money figure of this position. */
  readonly moneyScale: number;
  /** 10^(moneyScale - priceScale - sizeScale): a price x size product to money units. */
  readonly toMoney: bigint;
  /** Signed mantissa at sizeScale. */
  qty = 0;
  /** Cost of the open quantity (>= 0), money mantissa. */
  basis = 0n;
  /** Realized P&L before fees, money mantissa. */
  realized = 0n;
  /** Fees paid (negative = rebates), money mantissa. */
  fees = 0n;
  /** Average entry price as a (fractional) mantissa at priceScale: basis / |qty|, for decisions. */
  avg = 0;
  /** Latest mark, a price mantissa (a mid may end in .5). */
  mark = 0;
  // current round trip
  openedMs = 0;
  entryReason = '';
  tripRealized = 0n;
  tripFees = 0n;
  tripMaxQty = 0;
  /** Basis and quantity after the last fill that added to the position (entry price). */
  tripEntryBasis = 0n;
  tripEntryQty = 0;
  /** Money and quantity of the closing fills (exit price). */
  exitNotional = 0n;
  exitQty = 0;
  /** Best price seen since entry (for trailing stops), mantissa. */
  best = 0;

  constructor(readonly spec: InstrumentSpec) {
    this.pxUnit = 1 / 10 ** spec.priceScale;
    this.szUnit = 1 / 10 ** spec.sizeScale;
    this.moneyScale = moneyScale(spec);
    this.toMoney = bigPow10(this.moneyScale - spec.priceScale - spec.sizeScale);
  }

  /** Unrealized P&L at the mark, money mantissa (rounded half to even). */
  unrealizedMoney(): bigint {
    if (this.qty === 0 || !(this.mark > 0)) return 0n;
    // twice the mark is whole for a trade price or a mid
    const twice = BigInt(this.qty) * BigInt(Math.round(this.mark * 2)) * this.toMoney;
    return divRoundHalfEven(twice - (this.qty > 0 ? 2n : -2n) * this.basis, 2n);
  }

  /** realized - fees + unrealized, money mantissa. */
  equityMoney(): bigint {
    return this.realized - this.fees + this.unrealizedMoney();
  }

  /** A money mantissa of this position as an edge string. */
  money(m: bigint): string {
    return decimalString(m, this.moneyScale);
  }

  /** The average price of `basis` over `qty` (a size mantissa), an edge string. */
  price(basis: bigint, qty: number): string {
    if (qty === 0) return '0';
    const digits = this.spec.priceScale + AVG_PRICE_EXTRA_DIGITS;
    // basis (money) / qty (size) = price at moneyScale - sizeScale; shown at `digits`
    const from = this.moneyScale - this.spec.sizeScale;
    const n = digits >= from ? basis * bigPow10(digits - from) : basis;
    const d = BigInt(Math.abs(qty)) * (digits >= from ? 1n : bigPow10(from - digits));
    return decimalString(divRoundHalfEven(n, d), digits);
  }

  get quantity(): string {
    return decimalString(this.qty, this.spec.sizeScale);
  }

  get avgPrice(): string {
    return this.price(this.basis, this.qty);
  }
}

export interface ClosedTrade {
  readonly instrument: number;
  readonly symbol: string;
  readonly direction: 'long' | 'short';
  /** Largest |quantity| held. */
  readonly quantity: string;
  readonly entryPrice: string;
  readonly exitPrice: string;
  /** Realized P&L of the round trip net of its fees, quote currency. */
  readonly pnl: string;
  readonly fees: string;
  readonly entryMs: number;
  readonly exitMs: number;
  readonly durationMs: number;
  readonly entryReason: string;
  readonly exitReason: string;
}

export interface TradeStats {
  trades: number;
  wins: number;
  losses: number;
  winRate: number;
  grossProfit: string;
  grossLoss: string;
  /** grossProfit / grossLoss (null when there is no loss and some profit: unbounded). */
  profitFactor: number | null;
  avgWin: string;
  avgLoss: string;
  netPnl: string;
}

export interface FillInput {
  readonly instrument: number;
  readonly side: number;
  readonly price: number;
  readonly size: number;
  /** Fee mantissa at feeScale (negative = rebate). */
  readonly fee: number;
  readonly feeScale: number;
  readonly tsMs: number;
  readonly reason: string;
}

export class PositionBook {
  readonly #positions = new Map<number, Position>();
  readonly trades: ClosedTrade[] = [];
  /** [time ms, equity] points; equity is an edge decimal string. */
  readonly equity: [number, string][] = [];
  readonly #maxPoints: number;
  readonly #maxTrades: number;
  readonly #profit = new ExactSum();
  readonly #loss = new ExactSum();
  #wins = 0;
  #losses = 0;

  constructor(opts: { maxEquityPoints?: number; maxTrades?: number } = {}) {
    this.#maxPoints = opts.maxEquityPoints ?? 10_000;
    this.#maxTrades = opts.maxTrades ?? 10_000;
  }

  get(spec: InstrumentSpec): Position {
    let p = this.#positions.get(spec.id);
    if (p === undefined) {
      p = new Position(spec);
      this.#positions.set(spec.id, p);
    }
    return p;
  }

  peek(instrument: number): Position | undefined {
    return this.#positions.get(instrument);
  }

  all(): IterableIterator<Position> {
    return this.#positions.values();
  }

  /** Applies a fill; returns the round trip it closed, if any. */
  apply(spec: InstrumentSpec, f: FillInput): ClosedTrade | null {
    const p = this.get(spec);
    const signed = f.side === 0 ? f.size : -f.size;
    const fee = feeMoney(p, f);
    let closed: ClosedTrade | null = null;
    p.fees += fee;
    if (p.qty === 0) open(p, f);
    p.tripFees += fee;
    const notional = BigInt(f.price) * BigInt(f.size) * p.toMoney;
    if (p.qty === 0 || Math.sign(p.qty) === Math.sign(signed)) {
      p.basis += notional;
      p.qty += signed;
      if (Math.abs(p.qty) > p.tripMaxQty) p.tripMaxQty = Math.abs(p.qty);
      p.tripEntryBasis = p.basis;
      p.tripEntryQty = p.qty;
    } else {
      const held = Math.abs(p.qty);
      const closing = Math.min(held, f.size);
      const released = closing === held ? p.basis : divRoundHalfEven(p.basis * BigInt(closing), BigInt(held));
      const proceeds = closing === f.size ? notional : BigInt(f.price) * BigInt(closing) * p.toMoney;
      const pnl = p.qty > 0 ? proceeds - released : released - proceeds;
      p.basis -= released;
      p.realized += pnl;
      p.tripRealized += pnl;
      p.exitNotional += proceeds;
      p.exitQty += closing;
      p.qty += Math.sign(signed) * closing;
      const rest = f.size - closing;
      if (p.qty === 0) {
        closed = this.#close(p, f);
        if (rest > 0) {
          open(p, f);
          p.qty = Math.sign(signed) * rest;
          p.basis = BigInt(f.price) * BigInt(rest) * p.toMoney;
          p.tripEntryBasis = p.basis;
          p.tripEntryQty = p.qty;
          p.tripMaxQty = rest;
        }
      }
    }
    p.avg = p.qty === 0 ? 0 : Number(p.basis) / Number(p.toMoney) / Math.abs(p.qty);
    p.mark = f.price;
    this.#point(f.tsMs);
    return closed;
  }

  #close(p: Position, f: FillInput): ClosedTrade {
    const pnl = p.tripRealized - p.tripFees;
    const t: ClosedTrade = {
      instrument: p.spec.id,
      symbol: p.spec.symbol,
      direction: f.side === 0 ? 'short' : 'long',
      quantity: decimalString(p.tripMaxQty, p.spec.sizeScale),
      entryPrice: p.price(p.tripEntryBasis, p.tripEntryQty),
      exitPrice: p.price(p.exitNotional, p.exitQty),
      pnl: p.money(pnl),
      fees: p.money(p.tripFees),
      entryMs: p.openedMs,
      exitMs: f.tsMs,
      durationMs: f.tsMs - p.openedMs,
      entryReason: p.entryReason,
      exitReason: f.reason,
    };
    this.trades.push(t);
    if (this.trades.length > this.#maxTrades) this.trades.shift();
    if (pnl > 0n) {
      this.#wins++;
      this.#profit.add(pnl, p.moneyScale);
    } else {
      this.#losses++;
      this.#loss.add(-pnl, p.moneyScale);
    }
    return t;
  }

  get stats(): TradeStats {
    const trades = this.#wins + this.#losses;
    const profit = this.#profit;
    const loss = this.#loss;
    const net = new ExactSum().add(profit.mantissa, profit.scale).add(-loss.mantissa, loss.scale);
    const gp = Number(profit.toString());
    const gl = Number(loss.toString());
    return {
      trades,
      wins: this.#wins,
      losses: this.#losses,
      winRate: trades > 0 ? this.#wins / trades : 0,
      grossProfit: profit.toString(),
      grossLoss: loss.toString(),
      profitFactor: gl > 0 ? gp / gl : gp > 0 ? null : 0,
      avgWin: mean(profit, this.#wins),
      avgLoss: mean(loss, this.#losses),
      netPnl: net.toString(),
    };
  }

  /** Total equity change: realized - fees + unrealized at the latest marks. */
  equityNow(): string {
    const e = new ExactSum();
    for (const p of this.#positions.values()) e.add(p.equityMoney(), p.moneyScale);
    return e.toString();
  }

  #point(tsMs: number): void {
    this.equity.push([tsMs, this.equityNow()]);
    if (this.equity.length > this.#maxPoints) {
      // keep every other point of the older half: bounded memory, whole-session shape
      const half = this.equity.splice(0, this.#maxPoints / 2);
      this.equity.unshift(...half.filter((_, i) => i % 2 === 0));
    }
  }

  /** Samples the curve at the latest marks (called periodically). */
  sample(tsMs: number): void {
    this.#point(tsMs);
  }
}

function open(p: Position, f: FillInput): void {
  p.openedMs = f.tsMs;
  p.entryReason = f.reason;
  p.tripRealized = 0n;
  p.tripFees = 0n;
  p.tripMaxQty = 0;
  p.tripEntryBasis = 0n;
  p.tripEntryQty = 0;
  p.exitNotional = 0n;
  p.exitQty = 0;
  p.best = f.price;
}

/** A fill's fee at the position's money scale (a fee finer than it is a broken invariant). */
function feeMoney(p: Position, f: FillInput): bigint {
  if (f.fee === 0) return 0n;
  if (!Number.isSafeInteger(f.fee)) throw new RangeError(`fill fee must be a safe integer mantissa, got ${f.fee}`);
  if (f.feeScale <= p.moneyScale) return BigInt(f.fee) * bigPow10(p.moneyScale - f.feeScale);
  const d = bigPow10(f.feeScale - p.moneyScale);
  const m = BigInt(f.fee);
  if (m % d !== 0n) throw new RangeError(`fill fee ${decimalString(f.fee, f.feeScale)} is finer than the money scale ${p.moneyScale}`);
  return m / d;
}

/** sum / n rounded half to even at the sum's scale. */
function mean(sum: ExactSum, n: number): string {
  return n > 0 ? decimalString(divRoundHalfEven(sum.mantissa, BigInt(n)), sum.scale) : '0';
}
