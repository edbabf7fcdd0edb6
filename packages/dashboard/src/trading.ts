/**
 * Positions, P&L and trades for the dashboard, read over the control plane from the execution
 * stage (`report`) and the risk stage (`report`: trading state, halt reasons, equity). Each
 * partition answers for its own instruments; the answers are merged here. Field names follow
 * packages/execution (ClosedTrade, TradeStats, equity points) but the reader is tolerant: a
 * missing stage or field leaves that part empty instead of failing the page. Quantities, prices,
 * P&L and fees are exact decimal strings (decimals.ts); sums over partitions are exact.
 */

import type { InstrumentRegistry } from '@tickline/wire';
import { addDec, dec, signDec, unrealizedDec } from './decimals.js';
import type { PipelineLike } from './options.js';

export interface PositionView {
  instrument: string;
  id: number | null;
  quantity: string;
  avgPrice: string;
  mark: string | null;
  unrealizedPnl: string | null;
  realizedPnl: string | null;
  fees: string | null;
}

export interface TradeView {
  instrument: string;
  id: number | null;
  direction: string;
  quantity: string;
  entryPrice: string;
  exitPrice: string | null;
  entryMs: number;
  exitMs: number | null;
  pnl: string | null;
  fees: string | null;
  strategy: string;
  entryReason: string;
  exitReason: string;
  inputs: unknown;
}

export interface TradingView {
  source: string;
  state: string;
  haltReasons: string[];
  equity: string | null;
  dayPnl: string | null;
  positions: PositionView[];
  trades: TradeView[];
  stats: { closed: number; open: number; wins: number; losses: number; winRate: number | null; netPnl: string };
  /** [time ms, equity] */
  equityCurve: [number, string][];
  updatedMs: number;
}

const obj = (v: unknown): Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const pick = (o: Record<string, unknown>, ...keys: string[]): unknown => {
  for (const k of keys) if (o[k] !== undefined) return o[k];
  return undefined;
};
const STATE_RANK: Record<string, number> = { active: 0, reducing: 1, halted: 2 };

/** "imbalance: ratio 0.71 > 0.6" -> "imbalance"; a trade's strategy is the reason's first word. */
function strategyOf(t: Record<string, unknown>, reason: string): string {
  const s = pick(t, 'strategy');
  if (typeof s === 'string') return s;
  const m = /^([\w.-]+)[:\s]/.exec(reason);
  return m ? (m[1] as string) : '';
}

export class TradingMonitor {
  readonly #pipeline: PipelineLike;
  readonly #registry: InstrumentRegistry;
  readonly #unsupported = new Map<string, number>();
  readonly #curve: [number, string][] = [];
  readonly #states = new Map<number, string>();
  #last: TradingView | null = null;

  constructor(pipeline: PipelineLike, registry: InstrumentRegistry) {
    this.#pipeline = pipeline;
    this.#registry = registry;
  }

  get last(): TradingView | null {
    return this.#last;
  }

  /** Trading state from a risk partition (events and stats both feed this). */
  noteState(partition: number, state: string): void {
    this.#states.set(partition, state.toLowerCase());
  }

  /** Most restrictive state over the risk partitions, or 'unknown'. */
  state(): string {
    let best = 'unknown';
    for (const s of this.#states.values()) if ((STATE_RANK[s] ?? -1) > (STATE_RANK[best] ?? -1)) best = s;
    return best;
  }

  async #ask(stage: string, command: string): Promise<unknown[] | null> {
    const until = this.#unsupported.get(stage) ?? 0;
    if (Date.now() < until) return null;
    try {
      return await withTimeout(this.#pipeline.command(stage, command, {}), 2000);
    } catch {
      // No such stage or command yet (or the stage is restarting): ask again in 30 s.
      this.#unsupported.set(stage, Date.now() + 30_000);
      return null;
    }
  }

  async poll(mark: (id: number) => number | null): Promise<TradingView> {
    const [exec, risk] = await Promise.all([this.#ask('execution', 'report'), this.#ask('risk', 'report')]);
    const riskParts = (risk ?? []).map(obj);
    riskParts.forEach((r, i) => {
      if (typeof r.state === 'string') this.noteState(i, r.state);
    });
    const execParts = (exec ?? []).map(obj);
    const positions: PositionView[] = [];
    const trades: TradeView[] = [];
    let equity: string | null = null;
    let curve: [number, string][] = [];
    for (const e of execParts) {
      for (const p of Array.isArray(e.positions) ? e.positions : []) {
        const v = this.#position(obj(p), mark);
        if (v && signDec(v.quantity) !== 0) positions.push(v);
      }
      for (const t of Array.isArray(e.trades) ? e.trades : []) trades.push(this.#trade(obj(t)));
      equity = addDec(equity, dec(pick(e, 'equity', 'netPnl')) ?? dec(obj(e.pnl).equity));
      const pts = pick(e, 'equityCurve', 'equityPoints');
      if (Array.isArray(pts) && execParts.length === 1) curve = curvePoints(pts).slice(-2000);
    }
    if (execParts.length === 0)
      for (const r of riskParts)
        for (const p of Array.isArray(r.positions) ? r.positions : []) {
          const v = this.#position(obj(p), mark);
          if (v) positions.push(v);
        }
    let dayPnl: string | null = null;
    for (const r of riskParts) {
      if (execParts.length === 0) equity = addDec(equity, dec(r.equity));
      dayPnl = addDec(dayPnl, dec(r.dayPnl));
    }
    const now = Date.now();
    if (curve.length === 0 && equity !== null) {
      const prev = this.#curve[this.#curve.length - 1];
      if (!prev || prev[1] !== equity || now - prev[0] > 10_000) this.#curve.push([now, equity]);
      if (this.#curve.length > 2000) this.#curve.splice(0, this.#curve.length - 2000);
      curve = this.#curve;
    }
    trades.sort((a, b) => a.entryMs - b.entryMs);
    const closed = trades.filter((t) => t.exitMs !== null);
    const wins = closed.filter((t) => signDec(t.pnl) > 0).length;
    const view: TradingView = {
      source: execParts.length > 0 ? 'execution' : riskParts.length > 0 ? 'risk' : 'none',
      state: this.state(),
      haltReasons: [...new Set(riskParts.flatMap((r) => (Array.isArray(r.haltReasons) ? r.haltReasons.map(String) : [])))],
      equity,
      dayPnl,
      positions,
      trades: trades.slice(-500),
      stats: {
        closed: closed.length,
        open: positions.length,
        wins,
        losses: closed.length - wins,
        winRate: closed.length > 0 ? wins / closed.length : null,
        netPnl: closed.reduce((s, t) => addDec(s, t.pnl) as string, '0'),
      },
      equityCurve: curve,
      updatedMs: now,
    };
    this.#last = view;
    return view;
  }

  #idOf(v: unknown): { id: number | null; name: string } {
    if (typeof v === 'number') return { id: v, name: this.#registry.get(v)?.symbol ?? `#${v}` };
    const s = String(v ?? '?');
    const [venue, symbol] = s.includes(':') ? s.split(':', 2) : [null, s];
    const hit = this.#registry.list().find((i) => i.symbol === symbol && (venue === null || i.venue === venue));
    return { id: hit?.id ?? null, name: hit?.symbol ?? s };
  }

  #position(p: Record<string, unknown>, mark: (id: number) => number | null): PositionView | null {
    const { id, name } = this.#idOf(pick(p, 'instrument', 'symbol'));
    const quantity = dec(pick(p, 'quantity', 'qty', 'size'));
    const avg = dec(pick(p, 'avgPrice', 'averagePrice', 'avg'));
    if (quantity === null || avg === null) return null;
    const m = dec(pick(p, 'mark', 'markPrice')) ?? (id === null ? null : dec(mark(id)));
    // only a stage that sends no unrealized P&L (risk) gets one derived here, at 10^-8
    const upnl = dec(pick(p, 'unrealizedPnl', 'unrealized')) ?? (m === null ? null : unrealizedDec(m, avg, quantity, 8));
    return {
      instrument: name,
      id,
      quantity,
      avgPrice: avg,
      mark: m,
      unrealizedPnl: upnl,
      realizedPnl: dec(pick(p, 'realizedPnl', 'realized')),
      fees: dec(p.fees),
    };
  }

  #trade(t: Record<string, unknown>): TradeView {
    const { id, name } = this.#idOf(pick(t, 'instrument', 'symbol'));
    const entryReason = String(pick(t, 'entryReason', 'reason') ?? '');
    return {
      instrument: name,
      id,
      direction: String(pick(t, 'direction', 'side') ?? ''),
      quantity: dec(pick(t, 'quantity', 'qty', 'size')) ?? '0',
      entryPrice: dec(pick(t, 'entryPrice', 'entry')) ?? '0',
      exitPrice: dec(pick(t, 'exitPrice', 'exit')),
      entryMs: num(pick(t, 'entryMs', 'openedMs')) ?? 0,
      exitMs: num(pick(t, 'exitMs', 'closedMs')),
      pnl: dec(pick(t, 'pnl', 'realizedPnl')),
      fees: dec(t.fees),
      strategy: strategyOf(t, entryReason),
      entryReason,
      exitReason: String(pick(t, 'exitReason') ?? ''),
      inputs: pick(t, 'inputs', 'entryInputs') ?? null,
    };
  }
}

export function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
    timer.unref();
    p.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e);
      },
    );
  });
}

/** [time ms, equity] points of a stage's curve, equity as an edge decimal. */
function curvePoints(pts: unknown[]): [number, string][] {
  const out: [number, string][] = [];
  for (const x of pts) {
    if (!Array.isArray(x) || x.length < 2 || typeof x[0] !== 'number') continue;
    const v = dec(x[1]);
    if (v !== null) out.push([x[0], v]);
  }
  return out;
}
