/**
 * Exit logic per position (the case study's SELL loop): take profit, stop loss, trailing stop
 * and time limit, evaluated on every book update of an instrument with a position. Prices are
 * mantissas; returns the exit reason or null.
 */

import type { Position } from './positions.js';

export interface ExitRules {
  /** 0 = off. */
  readonly takeProfitBps: number;
  readonly stopLossBps: number;
  /** Exit when the price falls this far from the best price since entry (long; mirrored short). */
  readonly trailingStopBps: number;
  readonly maxHoldMs: number;
}

export type ExitReason = 'take_profit' | 'stop_loss' | 'trailing_stop' | 'time_limit';

/** `bid`/`ask`: current touch. Updates the position's best price as a side effect. */
export function evaluateExit(p: Position, bid: number, ask: number, nowMs: number, rules: ExitRules): ExitReason | null {
  if (p.qty === 0 || !(p.avg > 0) || bid <= 0 || ask <= 0) return null;
  const long = p.qty > 0;
  // The price we could exit at now: the bid for a long, the ask for a short.
  const px = long ? bid : ask;
  if (long ? px > p.best : px < p.best || p.best === 0) p.best = px;
  const pnlBps = ((long ? px - p.avg : p.avg - px) / p.avg) * 10_000;
  if (rules.takeProfitBps > 0 && pnlBps >= rules.takeProfitBps) return 'take_profit';
  if (rules.stopLossBps > 0 && pnlBps <= -rules.stopLossBps) return 'stop_loss';
  if (rules.trailingStopBps > 0 && p.best > 0) {
    const giveBack = ((long ? p.best - px : px - p.best) / p.best) * 10_000;
    // Only trails once the position has been in profit (otherwise the stop loss governs).
    const bestPnl = ((long ? p.best - p.avg : p.avg - p.best) / p.avg) * 10_000;
    if (bestPnl > 0 && giveBack >= rules.trailingStopBps) return 'trailing_stop';
  }
  if (rules.maxHoldMs > 0 && nowMs - p.openedMs >= rules.maxHoldMs) return 'time_limit';
  return null;
}
