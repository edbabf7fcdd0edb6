/**
 * Positions and P&L from fills (average-cost method): per instrument quantity, average price,
 * realized and unrealized P&L and fees; per round trip (flat -> position -> flat) entry, exit,
 * P&L, duration and reasons; win/loss statistics and an equity curve.
 */

import { type InstrumentSpec, pow10 } from '@tickline/wire';

export class Position {
  readonly pxUnit: number;
  readonly szUnit: number;
  /** Signed mantissa at sizeScale. */
  qty = 0;
  /** Average entry price as a (fractional) mantissa at priceScale. */
  avg = 0;
  realized = 0;
  fees = 0;
  mark = 0;
  // current round trip
  openedMs = 0;
  entryReason = '';
  tripRealized = 0;
  tripFees = 0;
  tripMaxQty = 0;
  tripEntryAvg = 0;
  exitNotional = 0;
  exitQty = 0;
  /** Best price seen since entry (for trailing stops), mantissa. */
  best = 0;

  constructor(readonly spec: InstrumentSpec) {
    this.pxUnit = 1 / pow10(spec.priceScale);
    this.szUnit = 1 / pow10(spec.sizeScale);
  }

  unrealized(): number {
    if (this.qty === 0 || !(this.mark > 0)) return 0;
    return this.qty * this.szUnit * (this.mark - this.avg) * this.pxUnit;
  }
}

export interface ClosedTrade {
  readonly instrument: number;
  readonly symbol: string;
  readonly direction: 'long' | 'short';
  /** Largest |quantity| held, decimal. */
  readonly quantity: number;
  readonly entryPrice: number;
  readonly exitPrice: number;
  /** Realized P&L of the round trip net of its fees, quote currency. */
  readonly pnl: number;
  readonly fees: number;
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
  grossProfit: number;
  grossLoss: number;
  profitFactor: number;
  avgWin: number;
  avgLoss: number;
  netPnl: number;
}

export interface FillInput {
  readonly instrument: number;
  readonly side: number;
  readonly price: number;
  readonly size: number;
  readonly fee: number;
  readonly tsMs: number;
  readonly reason: string;
}

export class PositionBook {
  readonly #positions = new Map<number, Position>();
  readonly trades: ClosedTrade[] = [];
  readonly equity: [number, number][] = [];
  readonly #maxPoints: number;
  readonly #maxTrades: number;
  readonly stats: TradeStats = {
    trades: 0,
    wins: 0,
    losses: 0,
    winRate: 0,
    grossProfit: 0,
    grossLoss: 0,
    profitFactor: 0,
    avgWin: 0,
    avgLoss: 0,
    netPnl: 0,
  };

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
    let closed: ClosedTrade | null = null;
    p.fees += f.fee;
    if (p.qty === 0) this.#open(p, f);
    p.tripFees += f.fee;
    if (p.qty === 0 || Math.sign(p.qty) === Math.sign(signed)) {
      const q = Math.abs(p.qty);
      p.avg = (p.avg * q + f.price * f.size) / (q + f.size);
      p.qty += signed;
      if (Math.abs(p.qty) > p.tripMaxQty) p.tripMaxQty = Math.abs(p.qty);
      p.tripEntryAvg = p.avg;
    } else {
      const closing = Math.min(Math.abs(p.qty), f.size);
      const pnl = (f.price - p.avg) * Math.sign(p.qty) * closing * p.pxUnit * p.szUnit;
      p.realized += pnl;
      p.tripRealized += pnl;
      p.exitNotional += f.price * closing;
      p.exitQty += closing;
      p.qty += Math.sign(signed) * closing;
      const rest = f.size - closing;
      if (p.qty === 0) {
        closed = this.#close(p, f);
        if (rest > 0) {
          this.#open(p, f);
          p.qty = Math.sign(signed) * rest;
          p.avg = f.price;
          p.tripEntryAvg = f.price;
          p.tripMaxQty = rest;
        } else p.avg = 0;
      }
    }
    p.mark = f.price;
    this.#point(f.tsMs);
    return closed;
  }

  #open(p: Position, f: FillInput): void {
    p.openedMs = f.tsMs;
    p.entryReason = f.reason;
    p.tripRealized = 0;
    p.tripFees = 0;
    p.tripMaxQty = 0;
    p.tripEntryAvg = 0;
    p.exitNotional = 0;
    p.exitQty = 0;
    p.best = f.price;
  }

  #close(p: Position, f: FillInput): ClosedTrade {
    const direction = f.side === 0 ? 'short' : 'long';
    const pnl = p.tripRealized - p.tripFees;
    const t: ClosedTrade = {
      instrument: p.spec.id,
      symbol: p.spec.symbol,
      direction,
      quantity: p.tripMaxQty / pow10(p.spec.sizeScale),
      entryPrice: p.tripEntryAvg / pow10(p.spec.priceScale),
      exitPrice: p.exitQty > 0 ? p.exitNotional / p.exitQty / pow10(p.spec.priceScale) : 0,
      pnl,
      fees: p.tripFees,
      entryMs: p.openedMs,
      exitMs: f.tsMs,
      durationMs: f.tsMs - p.openedMs,
      entryReason: p.entryReason,
      exitReason: f.reason,
    };
    this.trades.push(t);
    if (this.trades.length > this.#maxTrades) this.trades.shift();
    const s = this.stats;
    s.trades++;
    if (pnl > 0) {
      s.wins++;
      s.grossProfit += pnl;
    } else {
      s.losses++;
      s.grossLoss += -pnl;
    }
    s.netPnl = s.grossProfit - s.grossLoss;
    s.winRate = s.wins / s.trades;
    s.avgWin = s.wins > 0 ? s.grossProfit / s.wins : 0;
    s.avgLoss = s.losses > 0 ? s.grossLoss / s.losses : 0;
    s.profitFactor = s.grossLoss > 0 ? s.grossProfit / s.grossLoss : s.grossProfit > 0 ? Number.POSITIVE_INFINITY : 0;
    return t;
  }

  /** Total equity change: realized - fees + unrealized at the latest marks. */
  equityNow(): number {
    let e = 0;
    for (const p of this.#positions.values()) e += p.realized - p.fees + p.unrealized();
    return e;
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
