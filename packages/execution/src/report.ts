/**
 * The execution report (control 'report'): positions, P&L, round trips, stats, equity curve.
 * Every quantity, price and money figure is an exact decimal string (decimalString: "0.013",
 * "-0.00007"); average prices are rounded half to even AVG_PRICE_EXTRA_DIGITS beyond the
 * price scale, unrealized P&L at the money scale.
 */

import { decimalString } from '@tickline/wire';
import type { ExecutionCore } from './core/execution-core.js';
import { STATUS_NAMES } from './core/order-state.js';

export function executionReport(core: ExecutionCore, opts: { trades?: number; curvePoints?: number } = {}) {
  const positions = [...core.positions.all()].map((p) => ({
    instrument: `${p.spec.venue}:${p.spec.symbol}`,
    quantity: p.quantity,
    quantityMantissa: p.qty,
    avgPrice: p.avgPrice,
    /** What the open quantity cost (average cost): realized - fees = cash flow ± costBasis, exactly. */
    costBasis: p.money(p.basis),
    mark: p.mark > 0 ? decimalString(Math.round(p.mark * 2) * 5, p.spec.priceScale + 1) : null,
    realizedPnl: p.money(p.realized),
    unrealizedPnl: p.money(p.unrealizedMoney()),
    fees: p.money(p.fees),
    openedMs: p.qty !== 0 ? p.openedMs : null,
  }));
  return {
    positions,
    equity: core.positions.equityNow(),
    stats: core.positions.stats,
    trades: core.positions.trades.slice(-(opts.trades ?? 100)),
    equityCurve: core.positions.equity.slice(-(opts.curvePoints ?? 1000)),
    openOrders: core.openOrders().map((o) => {
      const spec = core.registry.get(o.instrument);
      return {
        clientOrderId: o.clientOrderId,
        instrument: o.instrument,
        side: o.side,
        price: spec ? decimalString(o.price, spec.priceScale) : String(o.price),
        size: spec ? decimalString(o.size, spec.sizeScale) : String(o.size),
        filled: spec ? decimalString(o.filled, spec.sizeScale) : String(o.filled),
        status: STATUS_NAMES[o.status],
      };
    }),
    counters: { ...core.counters },
    rejectReasons: { ...core.rejectReasons },
  };
}
