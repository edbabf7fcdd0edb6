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

export interface ExecPosition {
  instrument: string;
  quantity: number;
  avgPrice: number;
  realizedPnl: number;
  unrealizedPnl: number;
  fees: number;
}

export interface ExecTrade {
  symbol: string;
  direction: 'long' | 'short';
  quantity: number;
  entryPrice: number;
  exitPrice: number;
  pnl: number;
  fees: number;
  entryMs: number;
  exitMs: number;
  durationMs: number;
  entryReason: string;
  exitReason: string;
}

export interface ExecReport {
  positions: ExecPosition[];
  equity: number;
  stats: { trades: number; wins: number; losses: number; grossProfit: number; grossLoss: number };
  trades: ExecTrade[];
  counters: Record<string, number>;
}

export interface InstrumentBreakdown {
  instrument: string;
  fills: number;
  volume: number;
  fees: number;
  realizedPnl: number;
  unrealizedPnl: number;
  netPnl: number;
  position: number;
  avgPrice: number;
  /** The exchange's signed cash flow for this instrument (fills, fees included). */
  exchangeCash: number;
  roundTrips: number;
  wins: number;
}

export interface BacktestReport {
  meta: Record<string, unknown>;
  pnl: { net: number; realized: number; unrealized: number; fees: number; closedTrades: number; open: number };
  trades: {
    count: number;
    wins: number;
    losses: number;
    winRate: number;
    profitFactor: number | null;
    avgWin: number;
    avgLoss: number;
    /** The most recent round trips (execution keeps the last 100 per partition). */
    list: ExecTrade[];
  };
  fills: {
    count: number;
    maker: number;
    taker: number;
    notional: number;
    fees: number;
    feeBps: { maker: number; taker: number };
    orders: number;
    list: ReplayAccountSummary['fills'];
  };
  risk: {
    maxDrawdown: number;
    maxDrawdownPct: number | null;
    sharpe: { perInterval: number | null; annualized: number | null; intervals: number; intervalMs: number };
  };
  equityCurve: [number, number][];
  instruments: InstrumentBreakdown[];
  /** Cross-checks between execution's accounting and the exchange's; all should hold. */
  checks: { name: string; ok: boolean; detail: string }[];
  counters: Record<string, number>;
}

const close = (a: number, b: number, tol = 1e-6) => Math.abs(a - b) <= tol * Math.max(1, Math.abs(a), Math.abs(b));

export function maxDrawdown(curve: readonly [number, number][]): { abs: number; pct: number | null } {
  let peak = Number.NEGATIVE_INFINITY;
  let worst = 0;
  let worstPeak = 0;
  for (const [, e] of curve) {
    if (e > peak) peak = e;
    if (peak - e > worst) {
      worst = peak - e;
      worstPeak = peak;
    }
  }
  return { abs: worst, pct: worstPeak > 0 ? worst / worstPeak : null };
}

export function sharpe(curve: readonly [number, number][], intervalMs: number): BacktestReport['risk']['sharpe'] {
  const d: number[] = [];
  for (let i = 1; i < curve.length; i++) d.push((curve[i] as [number, number])[1] - (curve[i - 1] as [number, number])[1]);
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
  const stats = { trades: 0, wins: 0, losses: 0, grossProfit: 0, grossLoss: 0 };
  const counters: Record<string, number> = {};
  for (const r of parts) {
    for (const k of Object.keys(stats) as (keyof typeof stats)[]) stats[k] += r.stats[k];
    for (const [k, v] of Object.entries(r.counters)) if (typeof v === 'number') counters[k] = (counters[k] ?? 0) + v;
  }
  return { positions, trades, stats, counters };
}

export function buildReport(input: {
  meta: Record<string, unknown>;
  exec: readonly ExecReport[];
  account: ReplayAccountSummary;
  feeBps: { maker: number; taker: number };
  curve: [number, number][];
  gridPoints: number;
  sampleMs: number;
}): BacktestReport {
  const { positions, trades, stats, counters } = mergeExec(input.exec);
  const realized = positions.reduce((a, p) => a + p.realizedPnl, 0);
  const unrealized = positions.reduce((a, p) => a + p.unrealizedPnl, 0);
  const fees = positions.reduce((a, p) => a + p.fees, 0);
  const net = realized - fees + unrealized;
  const closedTrades = stats.grossProfit - stats.grossLoss;
  const fills = input.account.fills;
  const exFees = fills.reduce((a, f) => a + Number(f.fee), 0);
  const bySymbol = new Map<string, InstrumentBreakdown>();
  const row = (symbol: string): InstrumentBreakdown => {
    let r = bySymbol.get(symbol);
    if (r === undefined) {
      r = {
        instrument: symbol,
        fills: 0,
        volume: 0,
        fees: 0,
        realizedPnl: 0,
        unrealizedPnl: 0,
        netPnl: 0,
        position: 0,
        avgPrice: 0,
        exchangeCash: 0,
        roundTrips: 0,
        wins: 0,
      };
      bySymbol.set(symbol, r);
    }
    return r;
  };
  for (const f of fills) {
    const r = row(f.instrument);
    r.fills++;
    r.volume += f.notional;
    r.exchangeCash += (f.side === 'buy' ? -f.notional : f.notional) - Number(f.fee);
  }
  for (const p of positions) {
    const r = row(p.instrument.slice(p.instrument.indexOf(':') + 1));
    r.fees = p.fees;
    r.realizedPnl = p.realizedPnl;
    r.unrealizedPnl = p.unrealizedPnl;
    r.netPnl = p.realizedPnl - p.fees + p.unrealizedPnl;
    r.position = Number(p.quantity.toPrecision(12)); // a sum of decimal fills: drop float noise
    r.avgPrice = p.avgPrice;
  }
  for (const t of trades) {
    const r = row(t.symbol);
    r.roundTrips++;
    if (t.pnl > 0) r.wins++;
  }
  const instruments = [...bySymbol.values()].sort((a, b) => b.volume - a.volume || a.instrument.localeCompare(b.instrument));

  // Every fill's fee is notional x bps / 10,000 (8 decimals, half away from zero) at its liquidity's rate.
  const badFees = fills.filter((f) => {
    const bps = f.liquidity === 'maker' ? input.feeBps.maker : input.feeBps.taker;
    return Math.abs(Number(f.fee) - (f.notional * bps) / 10_000) > 1e-8 + 1e-9 * f.notional;
  });
  // Average cost: realized - fees = exchange cash + quantity x average price, per instrument.
  const badCash = instruments.filter((r) => !close(r.realizedPnl - r.fees, r.exchangeCash + r.position * r.avgPrice, 1e-7));
  const checks = [
    {
      name: 'fees: execution = exchange',
      ok: close(fees, exFees, 1e-9),
      detail: `execution ${fees.toFixed(8)}, exchange ${input.account.feesPaid}`,
    },
    { name: 'fees at the configured bps', ok: badFees.length === 0, detail: `${badFees.length} of ${fills.length} fills off` },
    {
      name: 'realized - fees = exchange cash + position x avg price',
      ok: badCash.length === 0,
      detail: badCash.length === 0 ? `${instruments.length} instruments` : `off: ${badCash.map((r) => r.instrument).join(', ')}`,
    },
  ];
  const dd = maxDrawdown(input.curve);
  const grid = input.curve.slice(0, input.gridPoints);
  return {
    meta: input.meta,
    pnl: { net, realized, unrealized, fees, closedTrades, open: net - closedTrades },
    trades: {
      count: stats.trades,
      wins: stats.wins,
      losses: stats.losses,
      winRate: stats.trades > 0 ? stats.wins / stats.trades : 0,
      profitFactor: stats.grossLoss > 0 ? stats.grossProfit / stats.grossLoss : null,
      avgWin: stats.wins > 0 ? stats.grossProfit / stats.wins : 0,
      avgLoss: stats.losses > 0 ? stats.grossLoss / stats.losses : 0,
      list: trades,
    },
    fills: {
      count: fills.length,
      maker: fills.filter((f) => f.liquidity === 'maker').length,
      taker: fills.filter((f) => f.liquidity === 'taker').length,
      notional: fills.reduce((a, f) => a + f.notional, 0),
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
