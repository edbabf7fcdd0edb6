/** The execution report (control 'report'): positions, P&L, round trips, stats, equity curve. */

import type { ExecutionCore } from './core/execution-core.js';
import { STATUS_NAMES } from './core/order-state.js';

export function executionReport(core: ExecutionCore, opts: { trades?: number; curvePoints?: number } = {}) {
  const positions = [...core.positions.all()].map((p) => ({
    instrument: `${p.spec.venue}:${p.spec.symbol}`,
    quantity: p.qty * p.szUnit,
    quantityMantissa: p.qty,
    avgPrice: p.avg * p.pxUnit,
    realizedPnl: p.realized,
    unrealizedPnl: p.unrealized(),
    fees: p.fees,
    openedMs: p.qty !== 0 ? p.openedMs : null,
  }));
  return {
    positions,
    equity: core.positions.equityNow(),
    stats: { ...core.positions.stats },
    trades: core.positions.trades.slice(-(opts.trades ?? 100)),
    equityCurve: core.positions.equity.slice(-(opts.curvePoints ?? 1000)),
    openOrders: core.openOrders().map((o) => ({
      clientOrderId: o.clientOrderId,
      instrument: o.instrument,
      side: o.side,
      price: o.price,
      size: o.size,
      filled: o.filled,
      status: STATUS_NAMES[o.status],
    })),
    counters: { ...core.counters },
    rejectReasons: { ...core.rejectReasons },
  };
}
