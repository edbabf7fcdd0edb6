/**
 * The risk stage core: pre-trade checks on every intent, the trading state machine
 * (ACTIVE / REDUCING / HALTED) with its kill switch, and the P&L limits that halt trading.
 * Positions and open orders come back from execution over the feedback edge; approved intents
 * not yet reported by execution count as pending exposure. Pure: the (rate-limited) reject log
 * goes through an injected sink.
 */

import type { Emitter, Mark } from '@tickline/runtime';
import {
  addDecimals,
  type BookViewLike,
  decimalString,
  ExactSum,
  epochMs,
  type FillRecord,
  type InstrumentRegistry,
  type OrderEventRecord,
  type OrderIntentRecord,
  type PositionRecord,
  subDecimals,
  type VenueName,
} from '@tickline/wire';
import type { RiskConfig } from '../config.js';
import { InstrumentRisk } from './book-state.js';
import {
  checkBook,
  checkEdge,
  checkInput,
  checkPriceBand,
  checkSize,
  type OrderContext,
  REJECT_REASONS,
  type RejectReason,
} from './checks.js';
import type { SessionClock } from './sessions.js';
import { TokenBucket } from './token-bucket.js';

export enum TradingState {
  Active = 0,
  Reducing = 1,
  Halted = 2,
}
export const TRADING_STATE_NAMES = ['active', 'reducing', 'halted'] as const;

export interface RiskLogSink {
  reject(reason: RejectReason, detail: string, suppressed: number): void;
  state(state: TradingState, reason: string): void;
  input(reason: string, detail: string): void;
}

const TERMINAL = new Set([3, 5, 6, 7]);
const DAY_MS = 86_400_000;

interface OpenOrder {
  readonly r: InstrumentRisk;
  readonly side: number;
  remaining: number;
  readonly price: number;
}

interface Pending {
  readonly r: InstrumentRisk;
  readonly side: number;
  readonly size: number;
  readonly notional: number;
  readonly expiresMs: number;
}

/** The intent id behind a client order id of the form `i<base36 intentId>[.<suffix>]`. */
export function intentIdOf(clientOrderId: string): number {
  if (clientOrderId.charCodeAt(0) !== 105 /* i */) return Number.NaN;
  const dot = clientOrderId.indexOf('.');
  return Number.parseInt(clientOrderId.slice(1, dot < 0 ? undefined : dot), 36);
}

export class RiskCore {
  readonly #cfg: RiskConfig;
  readonly #registry: InstrumentRegistry;
  readonly #clock: () => number;
  readonly #log: RiskLogSink | null;
  readonly #inst = new Map<number, InstrumentRisk>();
  /**
   * Instruments that ever had a position, an open order or a reservation: the only ones that
   * can contribute exposure or P&L. The portfolio checks sum over these, not over every
   * instrument the venue lists (thousands), on each intent.
   */
  readonly #engaged = new Set<InstrumentRisk>();
  /**
   * Portfolio sums over the engaged instruments, kept up to date as their inputs change (a view,
   * a fill, an order, a reservation) so a check costs O(1) however many instruments are engaged;
   * recomputed in full once a second so float rounding cannot accumulate.
   */
  #gross = 0;
  #equitySum = 0;
  #recountAt = 0;
  readonly #sessions = new Map<string, SessionClock>();
  readonly #orders = new Map<string, OpenOrder>();
  readonly #pending = new Map<number, Pending>();
  readonly #bucket: TokenBucket;
  readonly #haltReasons = new Set<string>();
  /** Instruments halted on their own (a cluster node that feeds them is gone): id -> reason. */
  readonly #haltedInstruments = new Map<number, string>();
  #reducing: boolean;
  #state = TradingState.Active;
  #emit: Emitter | null = null;
  readonly #outbox: Mark[] = [];
  // P&L
  #dayKey = -1;
  #dayBase = 0;
  #peak = 0;
  /** Σ realized - fees over instruments, exact (report); the doubles above drive the limits. */
  readonly #realizedNet = new ExactSum();
  /** The reported equity when the day began (a decimal string). */
  #dayBaseText = '0';
  // counters
  readonly rejects: Record<RejectReason, number> = Object.fromEntries(REJECT_REASONS.map((r) => [r, 0])) as Record<RejectReason, number>;
  readonly counters = { intents: 0, approved: 0, cancelAllSent: 0, fillUnknownOrder: 0, badFeedback: 0, pendingExpired: 0, halts: 0 };
  readonly #lastLog = new Map<string, { at: number; suppressed: number }>();

  constructor(cfg: RiskConfig, registry: InstrumentRegistry, opts: { clock?: () => number; log?: RiskLogSink } = {}) {
    this.#cfg = cfg;
    this.#registry = registry;
    this.#clock = opts.clock ?? epochMs;
    this.#log = opts.log ?? null;
    this.#bucket = new TokenBucket(cfg.orderRate.perSecond, cfg.orderRate.burst, this.#clock());
    this.#reducing = cfg.initialState === 'reducing';
    if (cfg.initialState === 'halted') this.#haltReasons.add('initial');
    this.#state = this.#computeState();
    // The day's P&L counts from this session's start (0), then from each UTC midnight.
    this.#dayKey = Math.floor(this.#clock() / DAY_MS);
  }

  get state(): TradingState {
    return this.#state;
  }

  #risk(id: number): InstrumentRisk | undefined {
    let r = this.#inst.get(id);
    if (r === undefined) {
      const spec = this.#registry.get(id);
      if (spec === undefined) return undefined;
      r = new InstrumentRisk(spec, this.#cfg, this.#sessions);
      this.#inst.set(id, r);
    }
    return r;
  }

  #bind(emit: Emitter): void {
    this.#emit = emit;
    if (this.#outbox.length > 0) for (const m of this.#outbox.splice(0)) this.#sendHalt(m, emit);
  }

  // ---------------------------------------------------------------- market data

  onBookView(v: BookViewLike, emit: Emitter): void {
    this.#bind(emit);
    const r = this.#risk(v.instrument);
    if (r !== undefined) {
      r.bid = v.bids.length > 0 ? v.bids.price(0) : 0;
      r.ask = v.asks.length > 0 ? v.asks.price(0) : 0;
      // mantissa units like the intent's price (BookView.mid is a decimal value)
      r.mid = r.bid > 0 && r.ask > 0 ? (r.bid + r.ask) / 2 : 0;
      r.live = v.state === 1;
      r.stale = false;
      r.venue = v.venue;
      r.bookMs = v.recvS * 1000 + v.recvNs / 1e6;
      if (r.engaged) this.#recount(r);
    }
    emit.bookView(v);
  }

  onMark(m: Mark, emit: Emitter): void {
    this.#bind(emit);
    if (m.type === 'feed') {
      const key = `feed_down:${m.venue}`;
      if (!m.up) {
        emit.mark(m);
        this.#halt(key, emit);
        return;
      }
      if (this.#cfg.resumeOnFeedUp && this.#haltReasons.delete(key)) this.#update(`feed up: venue ${m.venue}`, emit);
    } else if (m.type === 'stale') {
      const r = this.#inst.get(m.instrument);
      if (r) r.stale = true;
    } else if (m.type === 'halt') {
      return; // our own kind of mark: risk is the authority, do not forward an upstream one
    }
    emit.mark(m);
  }

  // ---------------------------------------------------------------- intents

  onOrderIntent(o: OrderIntentRecord, emit: Emitter): void {
    this.#bind(emit);
    this.counters.intents++;
    const now = this.#clock();
    const reason = this.#evaluate(o, now);
    if (reason !== null) {
      this.#reject(reason, o, now);
      return;
    }
    emit.orderIntent(o);
    this.counters.approved++;
  }

  #evaluate(o: OrderIntentRecord, now: number): RejectReason | null {
    const bad = checkInput(o);
    if (bad) return bad;
    const r = this.#risk(o.instrument);
    if (r === undefined) return 'unknown_instrument';
    if (o.priceScale !== r.spec.priceScale || o.sizeScale !== r.spec.sizeScale) return 'bad_input';
    if (now - (o.createdS * 1000 + o.createdNs / 1e6) > this.#cfg.maxIntentAgeMs) return 'stale_intent';
    const reducing = r.reduces(o.side, o.size);
    if (this.#state === TradingState.Halted || this.#haltedInstruments.has(o.instrument)) return 'halted';
    if ((this.#state === TradingState.Reducing || o.reduceOnly) && !reducing) return 'reducing_only';
    const session = r.session.at(now);
    if (session === 'closed') return 'session_closed';
    const rules = r.session.cls.rules[session];
    if (!rules.enabled) return 'session_closed';
    if (o.type === 1 && !rules.allowMarketOrders) return 'session_market_order';
    const book = checkBook(o, r, this.#cfg, now);
    if (book) return book;
    const marketable = o.type === 1 || (o.side === 0 ? o.price >= r.ask : o.price <= r.bid);
    const refPrice = o.type === 1 ? (o.side === 0 ? r.ask : r.bid) : o.price;
    const c: OrderContext = {
      nowMs: now,
      marketable,
      refPrice,
      notional: r.notional(refPrice, o.size),
      reducing,
      notionalFactor: rules.notionalFactor,
      bandBps: rules.priceBandBps > 0 ? rules.priceBandBps : this.#cfg.priceBandBps,
    };
    const verdict = checkPriceBand(o, r, c) ?? checkSize(o, r, c) ?? this.#checkPortfolio(c) ?? checkEdge(o, r, this.#cfg, c) ?? null;
    if (verdict) return verdict;
    if (!this.#bucket.take(now)) return 'rate_limited';
    // Reserve the exposure until execution reports the order (or the reservation expires).
    const size = o.size;
    if (o.side === 0) r.pendingBuy += size;
    else r.pendingSell += size;
    r.openNotional += c.notional;
    this.#engage(r);
    this.#pending.set(o.intentId, { r, side: o.side, size, notional: c.notional, expiresMs: now + this.#cfg.pendingTimeoutMs });
    return null;
  }

  #checkPortfolio(c: OrderContext): RejectReason | null {
    if (this.#orders.size + this.#pending.size >= this.#cfg.maxOpenOrders) return 'max_open_orders';
    if (c.reducing) return null;
    return this.#gross + c.notional > this.#cfg.maxGrossExposure ? 'max_gross_exposure' : null;
  }

  #engage(r: InstrumentRisk): void {
    if (!r.engaged) {
      r.engaged = true;
      this.#engaged.add(r);
    }
    this.#recount(r);
  }

  /** Brings `r`'s share of the portfolio sums up to date. */
  #recount(r: InstrumentRisk): void {
    const g = r.exposure() + r.openNotional;
    this.#gross += g - r.countedGross;
    r.countedGross = g;
    const e = r.realized - r.fees + r.unrealized();
    this.#equitySum += e - r.countedEquity;
    r.countedEquity = e;
  }

  /** The sums again from scratch (rounding drift). */
  #recountAll(): void {
    let gross = 0;
    let equity = 0;
    for (const r of this.#engaged) {
      r.countedGross = r.exposure() + r.openNotional;
      r.countedEquity = r.realized - r.fees + r.unrealized();
      gross += r.countedGross;
      equity += r.countedEquity;
    }
    this.#gross = gross;
    this.#equitySum = equity;
  }

  #reject(reason: RejectReason, o: OrderIntentRecord, now: number): void {
    this.rejects[reason]++;
    if (!this.#log) return;
    const last = this.#lastLog.get(reason);
    if (last && now - last.at < this.#cfg.rejectLogIntervalMs) {
      last.suppressed++;
      return;
    }
    const spec = typeof o?.instrument === 'number' ? this.#inst.get(o.instrument)?.spec : undefined;
    const shown = (m: unknown, scale: number | undefined) =>
      scale !== undefined && Number.isSafeInteger(m) ? decimalString(m as number, scale) : String(m);
    const price = shown(o?.price, spec?.priceScale);
    const detail = `intent ${o?.intentId} ${o?.strategy} instrument ${o?.instrument} side ${o?.side} price ${price} size ${shown(o?.size, spec?.sizeScale)}`;
    this.#log.reject(reason, detail, last?.suppressed ?? 0);
    this.#lastLog.set(reason, { at: now, suppressed: 0 });
  }

  // ---------------------------------------------------------------- feedback edge

  onOrderEvent(e: OrderEventRecord, emit: Emitter): void {
    this.#bind(emit);
    const r = this.#inst.get(e.instrument) ?? this.#risk(e.instrument);
    if (r === undefined || typeof e.clientOrderId !== 'string') {
      this.counters.badFeedback++;
      this.#log?.input('bad_order_event', `unknown instrument ${e?.instrument}`);
      return;
    }
    const pid = intentIdOf(e.clientOrderId);
    const p = this.#pending.get(pid);
    if (p !== undefined) this.#release(pid, p);
    const prev = this.#orders.get(e.clientOrderId);
    if (prev) this.#removeOpen(prev);
    if (TERMINAL.has(e.status)) {
      this.#orders.delete(e.clientOrderId);
      return;
    }
    const remaining = Math.max(0, e.size - e.filled);
    const o: OpenOrder = { r, side: e.side, remaining, price: e.price > 0 ? e.price : r.mid };
    this.#orders.set(e.clientOrderId, o);
    if (o.side === 0) r.openBuy += remaining;
    else r.openSell += remaining;
    r.openNotional += r.notional(o.price, remaining);
    this.#engage(r);
  }

  #removeOpen(o: OpenOrder): void {
    if (o.side === 0) o.r.openBuy -= o.remaining;
    else o.r.openSell -= o.remaining;
    o.r.openNotional = Math.max(0, o.r.openNotional - o.r.notional(o.price, o.remaining));
    this.#recount(o.r);
  }

  #release(id: number, p: Pending): void {
    this.#pending.delete(id);
    if (p.side === 0) p.r.pendingBuy -= p.size;
    else p.r.pendingSell -= p.size;
    p.r.openNotional = Math.max(0, p.r.openNotional - p.notional);
    this.#recount(p.r);
  }

  onFill(f: FillRecord, emit: Emitter): void {
    this.#bind(emit);
    if (typeof f?.clientOrderId !== 'string' || !this.#orders.has(f.clientOrderId)) {
      this.counters.fillUnknownOrder++;
      this.#log?.input('fill_unknown_order', `fill ${f?.fillId} for order ${f?.clientOrderId}`);
    }
    // The position itself arrives as a PositionRecord right after the fill.
  }

  onPosition(p: PositionRecord, emit: Emitter): void {
    this.#bind(emit);
    const r = this.#risk(p.instrument);
    if (r === undefined || !Number.isFinite(p.quantity) || !Number.isFinite(p.realizedPnl)) {
      this.counters.badFeedback++;
      return;
    }
    r.position = p.quantity;
    r.avgPrice = p.avgPrice;
    // money mantissas to quote currency: risk's sums are limit figures (doubles)
    const unit = 10 ** -(Number.isInteger(p.moneyScale) && p.moneyScale >= 0 ? p.moneyScale : 0);
    r.realized = p.realizedPnl * unit;
    r.fees = p.fees * unit;
    if (Number.isSafeInteger(p.realizedPnl) && Number.isSafeInteger(p.fees) && Number.isInteger(p.moneyScale) && p.moneyScale >= 0) {
      // the report's exact part: realized - fees summed as integers, never as doubles
      const net = BigInt(p.realizedPnl) - BigInt(p.fees);
      this.#realizedNet.add(-r.realizedNet, r.moneyScale).add(net, p.moneyScale);
      r.realizedNet = net;
      r.moneyScale = p.moneyScale;
    }
    this.#engage(r);
    this.#checkPnl(this.#clock(), emit);
  }

  // ---------------------------------------------------------------- P&L limits and state

  #checkPnl(now: number, emit: Emitter): void {
    const equity = this.#equitySum;
    const day = Math.floor(now / DAY_MS);
    if (day !== this.#dayKey) {
      this.#dayKey = day;
      this.#dayBase = equity;
      this.#dayBaseText = this.#equityText();
    }
    if (equity > this.#peak) this.#peak = equity;
    const cfg = this.#cfg;
    if (cfg.dailyLossLimit > 0 && equity - this.#dayBase <= -cfg.dailyLossLimit) this.#halt('daily_loss', emit);
    if (cfg.maxDrawdown > 0 && this.#peak - equity >= cfg.maxDrawdown) this.#halt('drawdown', emit);
  }

  tick(nowMs: number, emit: Emitter): void {
    this.#bind(emit);
    const now = this.#clock();
    for (const [id, p] of this.#pending) {
      if (p.expiresMs <= now) {
        this.#release(id, p);
        this.counters.pendingExpired++;
      }
    }
    void nowMs;
    if (now - this.#recountAt >= 1000) {
      this.#recountAt = now;
      this.#recountAll();
    }
    this.#checkPnl(now, emit);
  }

  #computeState(): TradingState {
    if (this.#haltReasons.size > 0) return TradingState.Halted;
    return this.#reducing ? TradingState.Reducing : TradingState.Active;
  }

  #halt(reason: string, emit: Emitter | null): void {
    if (this.#haltReasons.has(reason)) return;
    this.#haltReasons.add(reason);
    this.#update(reason, emit);
  }

  /** Recomputes the state; on a change emits a halt mark (and cancel-all intents on HALTED). */
  #update(reason: string, emit: Emitter | null): void {
    const next = this.#computeState();
    if (next === this.#state) return;
    this.#state = next;
    if (next === TradingState.Halted) this.counters.halts++;
    this.#log?.state(next, reason);
    const now = this.#clock();
    const s = Math.floor(now / 1000);
    const mark: Mark = { type: 'halt', state: next, reason, tsS: s, tsNs: Math.round((now - s * 1000) * 1e6) };
    if (emit) this.#sendHalt(mark, emit);
    else this.#outbox.push(mark);
  }

  #sendHalt(m: Mark, emit: Emitter): void {
    emit.mark(m);
    if (m.type !== 'halt' || m.state !== TradingState.Halted) return;
    // Cancel-all: the broadcast halt mark makes every execution partition cancel everything;
    // a cancel-all intent per instrument with open orders says the same on the intent path.
    const seen = new Set<number>();
    for (const o of this.#orders.values()) seen.add(o.r.spec.id);
    for (const p of this.#pending.values()) seen.add(p.r.spec.id);
    this.#cancelAll(seen, m.reason, m.tsS, m.tsNs, emit);
  }

  /** A cancel-all intent for each instrument of `ids` (execution cancels its open orders there). */
  #cancelAll(ids: Iterable<number>, reason: string, tsS: number, tsNs: number, emit: Emitter): void {
    for (const id of ids) {
      const spec = this.#registry.get(id);
      if (!spec) continue;
      emit.orderIntent({
        intentId: 0,
        instrument: id,
        venue: this.#inst.get(id)?.venue ?? 0,
        strategy: 'risk',
        side: 2,
        type: 0,
        tif: 0,
        price: 0,
        size: 0,
        priceScale: spec.priceScale,
        sizeScale: spec.sizeScale,
        reduceOnly: true,
        reason: `cancel-all: ${reason}`,
        inputs: [],
        createdS: tsS,
        createdNs: tsNs,
        recvS: tsS,
        recvNs: tsNs,
      });
      this.counters.cancelAllSent++;
    }
  }

  /**
   * Halts trading on some instruments only (`on`), or resumes them: a cluster's risk owner does
   * this when the node feeding a shard goes (its books are gone) and comes back. Intents on a
   * halted instrument are rejected as `halted`; its open and pending orders are cancelled.
   */
  #haltInstruments(args: unknown, emit: Emitter | null): unknown {
    const a = (args ?? {}) as { instruments?: unknown; on?: unknown; reason?: unknown };
    if (!Array.isArray(a.instruments) || !a.instruments.every((x) => typeof x === 'string'))
      throw new TypeError('halt-instruments args.instruments must be a list of canonical instrument ids (<venue>:<symbol>)');
    if (typeof a.on !== 'boolean') throw new TypeError('halt-instruments args.on must be true or false');
    const reason = typeof a.reason === 'string' && a.reason !== '' ? a.reason : 'instruments halted';
    const ids: number[] = [];
    for (const name of a.instruments as string[]) {
      const colon = name.indexOf(':');
      const spec = colon > 0 ? this.#registry.lookup(name.slice(0, colon) as VenueName, name.slice(colon + 1)) : undefined;
      if (spec !== undefined) ids.push(spec.id);
    }
    const changed: number[] = [];
    for (const id of ids) {
      if (a.on && !this.#haltedInstruments.has(id)) {
        this.#haltedInstruments.set(id, reason);
        changed.push(id);
      } else if (!a.on && this.#haltedInstruments.delete(id)) changed.push(id);
    }
    let cancels = 0;
    if (a.on && emit) {
      const halted = new Set(changed);
      const open = new Set<number>();
      for (const o of this.#orders.values()) if (halted.has(o.r.spec.id)) open.add(o.r.spec.id);
      for (const p of this.#pending.values()) if (halted.has(p.r.spec.id)) open.add(p.r.spec.id);
      const now = this.#clock();
      const s = Math.floor(now / 1000);
      this.#cancelAll(open, reason, s, Math.round((now - s * 1000) * 1e6), emit);
      cancels = open.size;
    }
    return {
      on: a.on,
      changed: changed.length,
      cancelled: cancels,
      haltedInstruments: this.#haltedInstruments.size,
      unknown: a.instruments.length - ids.length,
    };
  }

  // ---------------------------------------------------------------- control plane

  control(command: string, args: unknown): unknown {
    const emit = this.#emit;
    if (command === 'kill-switch') {
      const on = typeof args === 'boolean' ? args : (args as { on?: unknown } | null)?.on;
      if (typeof on !== 'boolean') throw new TypeError('kill-switch args must be true, false or { on: boolean, reason?: string }');
      if (on) this.#halt('kill_switch', emit);
      else if (this.#haltReasons.delete('kill_switch')) this.#update('kill switch released', emit);
      return this.report();
    }
    if (command === 'trading-state') {
      const want = typeof args === 'string' ? args : (args as { state?: unknown } | null)?.state;
      if (want === 'halted') this.#halt('manual', emit);
      else if (want === 'reducing' || want === 'active') {
        this.#haltReasons.clear();
        this.#reducing = want === 'reducing';
        this.#update(`manual: ${want}`, emit);
      } else throw new TypeError(`trading-state must be one of 'active', 'reducing', 'halted', got ${JSON.stringify(want)}`);
      return this.report();
    }
    if (command === 'halt-instruments') return this.#haltInstruments(args, emit);
    if (command === 'report') return this.report();
    throw new TypeError(`risk: unknown command '${command}'; allowed: kill-switch, trading-state, halt-instruments, report`);
  }

  report() {
    return {
      state: TRADING_STATE_NAMES[this.#state],
      haltReasons: [...this.#haltReasons],
      haltedInstruments: this.#haltedInstruments.size,
      // realized - fees exact, plus unrealized at mid rounded to 10^-8; the peak is a limit figure
      equity: this.#equityText(),
      peakEquity: roundedDecimal(this.#peak),
      dayPnl: subDecimals(this.#equityText(), this.#dayBaseText),
      openOrders: this.#orders.size,
      pendingIntents: this.#pending.size,
      rejects: { ...this.rejects },
      positions: [...this.#inst.values()]
        .filter((r) => r.position !== 0)
        .map((r) => ({
          instrument: `${r.spec.venue}:${r.spec.symbol}`,
          quantity: decimalString(r.position, r.spec.sizeScale),
          avgPrice: roundedDecimal(r.avgPrice * r.pxUnit, r.spec.priceScale + 4),
        })),
    };
  }

  /** Equity for people: Σ realized - fees (exact) + Σ unrealized at mid (rounded to 10^-8). */
  #equityText(): string {
    let unrealized = 0;
    for (const r of this.#engaged) unrealized += r.unrealized();
    return addDecimals(this.#realizedNet.toString(), roundedDecimal(unrealized));
  }

  stats(): Record<string, number> {
    const out: Record<string, number> = {
      ...this.counters,
      state: this.#state,
      openOrders: this.#orders.size,
      pendingIntents: this.#pending.size,
      grossExposure: this.#gross,
      equity: this.#equitySum,
    };
    for (const [k, v] of Object.entries(this.rejects)) out[`rejected.${k}`] = v;
    return out;
  }

  /** Read-only view for tests and the dashboard. */
  instrument(id: number): InstrumentRisk | undefined {
    return this.#inst.get(id);
  }
}

/** A derived double figure as an edge decimal string, rounded at `scale` (default 10^-8). */
function roundedDecimal(x: number, scale = 8): string {
  if (!Number.isFinite(x)) return String(x);
  let s = scale;
  while (s > 0 && !Number.isSafeInteger(Math.round(x * 10 ** s))) s--;
  return decimalString(Math.round(x * 10 ** s), s);
}
