/**
 * What `tickline run` prints when it stops, trader's figures first: orders, fills, P&L, fees,
 * halts and their reasons, and the books as they were before shutdown (stopping marks every feed
 * down, so books read after it are all re-seeding). The per-stage counters follow (run.ts).
 *
 * P&L and fees are read from the execution stage's `report` and shown through `figure()`, the one
 * place that decides how an amount is written.
 */

import type { Logger, PipelineStats, WorkerEvent } from '@tickline/runtime';
import { addDecimals, subDecimals, sumDecimals } from '@tickline/wire';

/** An amount (P&L, fees): an exact decimal string, as the execution report gives it. */
export type Amount = string;

const PLAIN_DECIMAL = /^[+-]?\d+(?:\.\d*)?$/;

/** How an amount is written in the text summary: the exact decimal, as the report has it. */
export function figure(v: Amount): string {
  return v;
}

/**
 * The exact sum of the amounts a report field holds. Decimal strings are added exactly; a
 * number (a report from before exact decimals) counts at 8 decimals; anything else counts as 0.
 */
export function sumAmounts(values: readonly unknown[]): Amount {
  const parts: string[] = [];
  for (const v of values) {
    if (typeof v === 'string' && PLAIN_DECIMAL.test(v)) parts.push(v);
    else if (typeof v === 'number' && Number.isFinite(v) && Math.abs(v) < 1e15) parts.push(v.toFixed(8));
  }
  return sumDecimals(parts);
}

export interface HaltCount {
  reason: string;
  /** The reason in words. */
  text: string;
  count: number;
}

export interface TradingSummary {
  /** Orders sent to the venue and fills booked (execution's counters at the end). */
  orders: number;
  fills: number;
  openOrders: number;
  /** Instruments with a non-zero position at the end. */
  positions: number;
  /** P&L and fees: null when the execution stage did not answer for its report in time. */
  realizedPnl: Amount | null;
  unrealizedPnl: Amount | null;
  fees: Amount | null;
  /** realized - fees + unrealized. */
  netPnl: Amount | null;
  /** The trading state before shutdown (stopping halts trading on purpose; that halt is not counted). */
  state: string;
  /** Halts while running, by reason. */
  halts: HaltCount[];
}

/** Book states before shutdown, summed over the book workers. */
export interface BookSummary {
  instruments: number;
  live: number;
  syncing: number;
  reseeding: number;
}

const HALT_TEXT: Record<string, string> = {
  daily_loss: 'daily loss limit reached',
  drawdown: 'drawdown limit reached',
  kill_switch: 'kill switch',
  manual: 'halted by the operator',
  initial: 'configured to start halted',
};

/** A halt reason in words: `feed_down:sim` -> `feed down on sim`. */
export function haltText(reason: string): string {
  if (reason.startsWith('feed_down:')) return `feed down on ${reason.slice('feed_down:'.length)}`;
  return HALT_TEXT[reason] ?? reason;
}

/** Loss limits halt at `error` (money was lost past a limit); feed loss, kill switch and operator halts at `warn`. */
export function haltLevel(reason: string): 'warn' | 'error' {
  return reason === 'daily_loss' || reason === 'drawdown' ? 'error' : 'warn';
}

/**
 * Trading-state changes from the risk stage: one readable log line per change (risk partitions
 * report the same change each; it is logged once), and the halts counted by reason until
 * `freeze()` (called when stopping, whose own feed-down halt is no news).
 */
export class TradingStateLog {
  readonly #log: Logger;
  readonly #halts = new Map<string, number>();
  #last = '';
  #frozen = false;
  state = 'active';

  constructor(log: Logger) {
    this.#log = log;
  }

  onEvent(e: WorkerEvent): void {
    if (e.event !== 'trading-state' || this.#frozen) return;
    const d = (e.data ?? {}) as { state?: unknown; reason?: unknown };
    const state = String(d.state ?? 'unknown');
    const reason = String(d.reason ?? '');
    const key = `${state}|${reason}`;
    if (key === this.#last) return;
    this.#last = key;
    this.state = state;
    if (state === 'halted') {
      this.#halts.set(reason, (this.#halts.get(reason) ?? 0) + 1);
      this.#log[haltLevel(reason)]({ state, reason }, `trading HALTED: ${haltText(reason)}`);
    } else this.#log.info({ state, reason }, `trading ${state.toUpperCase()}${reason ? ` (${reason})` : ''}`);
  }

  freeze(): void {
    this.#frozen = true;
  }

  halts(): HaltCount[] {
    return [...this.#halts].map(([reason, count]) => ({ reason, text: haltText(reason), count }));
  }
}

/** Book states summed over the book workers of `stats` (take it before stopping). */
export function bookSummary(stats: PipelineStats): BookSummary {
  const core = stats.stages.find((s) => s.stage === 'book')?.core ?? {};
  return { instruments: core.instruments ?? 0, live: core.live ?? 0, syncing: core.syncing ?? 0, reseeding: core.reseeding ?? 0 };
}

const obj = (v: unknown): Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

const STATE_RANK: Record<string, number> = { active: 0, reducing: 1, halted: 2 };

/**
 * The trading summary from the execution partitions' `report` answers (after draining: every fill
 * booked), the risk partitions' `report` answers (before stopping: the trading state then) and
 * the state log (halts while running). Orders and fills are execution's counters in `final` (the
 * stats at stop; the same as the reports', and there when a report is not), else the reports'.
 */
export function tradingSummary(
  reports: readonly unknown[],
  riskReports: readonly unknown[],
  states: TradingStateLog,
  final?: PipelineStats,
): TradingSummary {
  const parts = reports.map(obj);
  const counters = final?.stages.find((s) => s.stage === 'execution')?.core;
  let state = '';
  for (const r of riskReports.map(obj))
    if (typeof r.state === 'string' && (STATE_RANK[r.state] ?? -1) > (STATE_RANK[state] ?? -1)) state = r.state;
  const positions = parts.flatMap((r) => list(r.positions).map(obj));
  const counter = (k: string) => counters?.[k] ?? parts.reduce((n, r) => n + Number(obj(r.counters)[k] ?? 0), 0);
  const read = parts.length > 0;
  const realizedPnl = read ? sumAmounts(positions.map((p) => p.realizedPnl)) : null;
  const unrealizedPnl = read ? sumAmounts(positions.map((p) => p.unrealizedPnl)) : null;
  const fees = read ? sumAmounts(positions.map((p) => p.fees)) : null;
  return {
    orders: counter('ordersSent'),
    fills: counter('fills'),
    openOrders: parts.reduce((n, r) => n + list(r.openOrders).length, 0),
    positions: positions.filter((p) => sumAmounts([p.quantity]) !== '0').length,
    realizedPnl,
    unrealizedPnl,
    fees,
    netPnl:
      realizedPnl !== null && unrealizedPnl !== null && fees !== null ? subDecimals(addDecimals(realizedPnl, unrealizedPnl), fees) : null,
    state: state || states.state,
    halts: states.halts(),
  };
}

/** The summary's first lines: what a trader reads first. */
export function tradingLines(t: TradingSummary, books: BookSummary | undefined): string[] {
  const halts = t.halts.length === 0 ? 'none' : t.halts.map((h) => `${h.text}${h.count > 1 ? ` x${h.count}` : ''}`).join(', ');
  return [
    `  orders     ${t.orders} sent, ${t.fills} fills, ${t.openOrders} open at stop; ${t.positions} open position(s)`,
    t.realizedPnl === null || t.unrealizedPnl === null || t.fees === null || t.netPnl === null
      ? '  P&L        not read (the execution stage did not answer in time)'
      : `  P&L        realized ${figure(t.realizedPnl)}, unrealized ${figure(t.unrealizedPnl)}, fees ${figure(t.fees)}, net ${figure(t.netPnl)}`,
    `  trading    ${t.state.toUpperCase()} before stop; halts: ${halts}`,
    books
      ? `  books      ${books.live} live, ${books.syncing} syncing, ${books.reseeding} re-seeding of ${books.instruments} (before stop)`
      : '  books      not read before stop (the book workers did not answer in time)',
  ];
}
