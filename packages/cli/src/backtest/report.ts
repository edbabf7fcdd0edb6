/**
 * The backtest report: execution's own `report` (positions, P&L, round trips, win/loss) merged over
 * partitions, the exchange's account (every fill with its fee: the fill model's truth), and the
 * equity curve the driver sampled on a fixed grid of recorded time. Drawdown and Sharpe come from
 * that curve.
 *
 * Sharpe = mean(ΔE) / stdev(ΔE) over the equity changes between consecutive grid samples (sample
 * standard deviation, n − 1), reported per interval and annualized × √(intervals per 365-day year).
 * P&L is in quote currency, not a return on capital, so this is the Sharpe of P&L increments.
 */

import type { ReplayAccountSummary } from '@tickline/exchange';
import {
  addDecimals,
  compareDecimals,
  decimalPlaces,
  decimalString,
  divRoundHalfEven,
  mulDecimals,
  parseBigDecimal,
  subDecimals,
  sumDecimals,
} from '@tickline/wire';

// Quantities, prices and money are exact decimal strings ("0.013", "-0.00007"), as execution
// reports them; sums here are exact. Ratios (win rate, profit factor, Sharpe) are numbers.

export interface ExecPosition {
  instrument: string;
  quantity: string;
  avgPrice: string;
  /** What the open quantity cost (average cost). */
  costBasis: string;
  realizedPnl: string;
  unrealizedPnl: string;
  fees: string;
}

export interface ExecTrade {
  symbol: string;
  direction: 'long' | 'short';
  quantity: string;
  entryPrice: string;
  exitPrice: string;
  pnl: string;
  fees: string;
  entryMs: number;
  exitMs: number;
  durationMs: number;
  entryReason: string;
  exitReason: string;
}

export interface ExecReport {
  positions: ExecPosition[];
  equity: string;
  stats: { trades: number; wins: number; losses: number; grossProfit: string; grossLoss: string };
  trades: ExecTrade[];
  counters: Record<string, number>;
}

export interface InstrumentBreakdown {
  instrument: string;
  fills: number;
  volume: string;
  fees: string;
  realizedPnl: string;
  unrealizedPnl: string;
  netPnl: string;
  position: string;
  avgPrice: string;
  costBasis: string;
  /** The exchange's signed cash flow for this instrument (fills, fees included), exact. */
  exchangeCash: string;
  roundTrips: number;
  wins: number;
}

/** The layout of report.json; `tickline backtest compare` reads only reports of this version. */
export const REPORT_SCHEMA_VERSION = 1;

export interface BacktestReport {
  schemaVersion: number;
  meta: Record<string, unknown>;
  pnl: { net: string; realized: string; unrealized: string; fees: string; closedTrades: string; open: string };
  trades: {
    count: number;
    wins: number;
    losses: number;
    winRate: number;
    profitFactor: number | null;
    avgWin: string;
    avgLoss: string;
    /** The most recent round trips (execution keeps the last 100 per partition). */
    list: ExecTrade[];
  };
  fills: {
    count: number;
    maker: number;
    taker: number;
    notional: string;
    fees: string;
    feeBps: { maker: number; taker: number };
    orders: number;
    list: ReplayAccountSummary['fills'];
  };
  risk: {
    maxDrawdown: string;
    maxDrawdownPct: number | null;
    sharpe: { perInterval: number | null; annualized: number | null; intervals: number; intervalMs: number };
  };
  /** [time ms, equity] on the sampling grid. */
  equityCurve: [number, string][];
  instruments: InstrumentBreakdown[];
  /** Cross-checks between execution's accounting and the exchange's; all should hold. */
  checks: { name: string; ok: boolean; detail: string }[];
  counters: Record<string, number>;
}

/** The largest fall from a peak of the curve, exact, and as a fraction of that peak (if positive). */
export function maxDrawdown(curve: readonly [number, string][]): { abs: string; pct: number | null } {
  let peak: string | null = null;
  let worst = '0';
  let worstPeak = '0';
  for (const [, e] of curve) {
    if (peak === null || compareDecimals(e, peak) > 0) peak = e;
    const fall = subDecimals(peak, e);
    if (compareDecimals(fall, worst) > 0) {
      worst = fall;
      worstPeak = peak;
    }
  }
  return { abs: worst, pct: compareDecimals(worstPeak, '0') > 0 ? Number(worst) / Number(worstPeak) : null };
}

export function sharpe(curve: readonly [number, string][], intervalMs: number): BacktestReport['risk']['sharpe'] {
  const d: number[] = [];
  // the ratio is a derived figure: exact differences, then doubles
  for (let i = 1; i < curve.length; i++)
    d.push(Number(subDecimals((curve[i] as [number, string])[1], (curve[i - 1] as [number, string])[1])));
  const n = d.length;
  if (n < 2) return { perInterval: null, annualized: null, intervals: n, intervalMs };
  const mean = d.reduce((a, b) => a + b, 0) / n;
  const variance = d.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1);
  const sd = Math.sqrt(variance);
  if (!(sd > 0)) return { perInterval: null, annualized: null, intervals: n, intervalMs };
  const per = mean / sd;
  return { perInterval: per, annualized: per * Math.sqrt((365 * 86_400_000) / intervalMs), intervals: n, intervalMs };
}

function mergeExec(parts: readonly ExecReport[]) {
  const positions = parts.flatMap((r) => r.positions);
  const trades = parts.flatMap((r) => r.trades).sort((a, b) => a.exitMs - b.exitMs);
  const stats = { trades: 0, wins: 0, losses: 0, grossProfit: '0', grossLoss: '0' };
  const counters: Record<string, number> = {};
  for (const r of parts) {
    stats.trades += r.stats.trades;
    stats.wins += r.stats.wins;
    stats.losses += r.stats.losses;
    stats.grossProfit = addDecimals(stats.grossProfit, r.stats.grossProfit);
    stats.grossLoss = addDecimals(stats.grossLoss, r.stats.grossLoss);
    for (const [k, v] of Object.entries(r.counters)) if (typeof v === 'number') counters[k] = (counters[k] ?? 0) + v;
  }
  return { positions, trades, stats, counters };
}

/** sum / n rounded half to even at the sum's scale, at least 10^-8 (avg win, avg loss). */
function mean(sum: string, n: number): string {
  if (n === 0) return '0';
  const scale = Math.max(8, decimalPlaces(sum));
  return decimalString(divRoundHalfEven(parseBigDecimal(sum, scale) as bigint, BigInt(n)), scale);
}

/** A fill's price x size, exact (the exchange's notional, trimmed). */
const notionalOf = (f: { price: string; size: string }) => mulDecimals(f.price, f.size);

export function buildReport(input: {
  meta: Record<string, unknown>;
  exec: readonly ExecReport[];
  account: ReplayAccountSummary;
  feeBps: { maker: number; taker: number };
  curve: [number, string][];
  gridPoints: number;
  sampleMs: number;
}): BacktestReport {
  const { positions, trades, stats, counters } = mergeExec(input.exec);
  const realized = sumDecimals(positions.map((p) => p.realizedPnl));
  const unrealized = sumDecimals(positions.map((p) => p.unrealizedPnl));
  const fees = sumDecimals(positions.map((p) => p.fees));
  const net = addDecimals(subDecimals(realized, fees), unrealized);
  const closedTrades = subDecimals(stats.grossProfit, stats.grossLoss);
  const fills = input.account.fills;
  const exFees = sumDecimals(fills.map((f) => f.fee));
  const bySymbol = new Map<string, InstrumentBreakdown>();
  const row = (symbol: string): InstrumentBreakdown => {
    let r = bySymbol.get(symbol);
    if (r === undefined) {
      r = {
        instrument: symbol,
        fills: 0,
        volume: '0',
        fees: '0',
        realizedPnl: '0',
        unrealizedPnl: '0',
        netPnl: '0',
        position: '0',
        avgPrice: '0',
        costBasis: '0',
        exchangeCash: '0',
        roundTrips: 0,
        wins: 0,
      };
      bySymbol.set(symbol, r);
    }
    return r;
  };
  for (const f of fills) {
    const r = row(f.instrument);
    const notional = notionalOf(f);
    r.fills++;
    r.volume = addDecimals(r.volume, notional);
    r.exchangeCash = subDecimals(f.side === 'buy' ? subDecimals(r.exchangeCash, notional) : addDecimals(r.exchangeCash, notional), f.fee);
  }
  for (const p of positions) {
    const r = row(p.instrument.slice(p.instrument.indexOf(':') + 1));
    r.fees = p.fees;
    r.realizedPnl = p.realizedPnl;
    r.unrealizedPnl = p.unrealizedPnl;
    r.netPnl = addDecimals(subDecimals(p.realizedPnl, p.fees), p.unrealizedPnl);
    r.position = p.quantity;
    r.avgPrice = p.avgPrice;
    r.costBasis = p.costBasis;
  }
  for (const t of trades) {
    const r = row(t.symbol);
    r.roundTrips++;
    if (compareDecimals(t.pnl, '0') > 0) r.wins++;
  }
  const instruments = [...bySymbol.values()].sort(
    (a, b) => compareDecimals(b.volume, a.volume) || a.instrument.localeCompare(b.instrument),
  );

  // Every fill's fee is notional x bps / 10,000 at 10^-8, half away from zero, at its liquidity's rate.
  const badFees = fills.filter((f) => {
    const bps = f.liquidity === 'maker' ? input.feeBps.maker : input.feeBps.taker;
    return Math.abs(Number(f.fee) - (Number(notionalOf(f)) * bps) / 10_000) > 1e-8 + 1e-9 * Number(notionalOf(f));
  });
  // Average cost, exactly: realized - fees = exchange cash + cost basis (long) or - cost basis (short).
  const badCash = instruments.filter((r) => {
    const held = compareDecimals(r.position, '0') < 0 ? subDecimals('0', r.costBasis) : r.costBasis;
    return compareDecimals(subDecimals(r.realizedPnl, r.fees), addDecimals(r.exchangeCash, held)) !== 0;
  });
  const checks = [
    {
      name: 'fees: execution = exchange',
      ok: compareDecimals(fees, exFees) === 0,
      detail: `execution ${fees}, exchange ${input.account.feesPaid}`,
    },
    { name: 'fees at the configured bps', ok: badFees.length === 0, detail: `${badFees.length} of ${fills.length} fills off` },
    {
      name: 'realized - fees = exchange cash ± cost basis (exact)',
      ok: badCash.length === 0,
      detail: badCash.length === 0 ? `${instruments.length} instruments` : `off: ${badCash.map((r) => r.instrument).join(', ')}`,
    },
  ];
  const dd = maxDrawdown(input.curve);
  const grid = input.curve.slice(0, input.gridPoints);
  const gp = Number(stats.grossProfit);
  const gl = Number(stats.grossLoss);
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    meta: input.meta,
    pnl: { net, realized, unrealized, fees, closedTrades, open: subDecimals(net, closedTrades) },
    trades: {
      count: stats.trades,
      wins: stats.wins,
      losses: stats.losses,
      winRate: stats.trades > 0 ? stats.wins / stats.trades : 0,
      profitFactor: gl > 0 ? gp / gl : null,
      avgWin: mean(stats.grossProfit, stats.wins),
      avgLoss: mean(stats.grossLoss, stats.losses),
      list: trades,
    },
    fills: {
      count: fills.length,
      maker: fills.filter((f) => f.liquidity === 'maker').length,
      taker: fills.filter((f) => f.liquidity === 'taker').length,
      notional: sumDecimals(fills.map(notionalOf)),
      fees: exFees,
      feeBps: input.feeBps,
      orders: input.account.orders,
      list: fills,
    },
    risk: { maxDrawdown: dd.abs, maxDrawdownPct: dd.pct, sharpe: sharpe(grid, input.sampleMs) },
    equityCurve: input.curve,
    instruments,
    checks,
    counters,
  };
}
