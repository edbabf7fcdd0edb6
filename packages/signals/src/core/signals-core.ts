/**
 * The signals stage core: keeps an in-memory market view (top of book, last trade, recent bars
 * per instrument), runs the configured strategies over books, trades and bars, and turns their
 * requests into signal + order-intent records. Pure: no I/O, no logger.
 *
 * Downstream, risk and execution need each instrument's touch (best bid and ask) and book state,
 * not every view: a view is passed on only when its touch or state changed since the last one
 * passed on, always before any intent made on it. Trades and bars stop here.
 *
 * Gates: strategies run only on fresh data (a record whose local receive time is more than
 * `maxDataAgeMs` old updates the market view but decides nothing, counted as `skippedStale`),
 * and an intent is only emitted for an instrument whose latest book view is LIVE and not marked
 * stale, and whose venue feed is up.
 */

import type { Emitter, Mark } from '@tickline/runtime';
import {
  type BarLike,
  type BookViewLike,
  epochMs,
  type FillRecord,
  type InstrumentRegistry,
  type OrderIntentRecord,
  type SignalRecord,
  type TradeBatchLike,
} from '@tickline/wire';
import type { BookSummary, IntentRequest, Strategy, StrategyEnv } from './strategy.js';
import { type StrategyError, type StrategyEventKind, strategyError } from './strategy-errors.js';

export interface StrategySlot {
  readonly strategy: Strategy;
  /** Instrument ids it runs on; null = all. */
  readonly instruments: ReadonlySet<number> | null;
}

export interface SignalsCoreOptions {
  readonly registry: InstrumentRegistry;
  readonly strategies: readonly StrategySlot[];
  readonly partition?: number;
  readonly partitions?: number;
  readonly maxIntentsPerSecond?: number;
  readonly keepBars?: number;
  /** Wall clock in epoch ms (tests pass their own). */
  readonly clock?: () => number;
  /**
   * Strategies are not run on a record whose data (local receive time at ingest) is older than
   * this: late data makes late decisions. 0 = no bound (replays that keep recorded times).
   */
  readonly maxDataAgeMs?: number;
  /** Called with every order intent emitted (the worker's intent log); unset: nothing is done. */
  readonly onIntent?: (intent: OrderIntentRecord) => void;
  /** Called once per strategy, when it first throws (and is disabled): the worker logs it. */
  readonly onStrategyError?: (e: StrategyError) => void;
}

type MutableSummary = { -readonly [K in keyof BookSummary]: BookSummary[K] };

interface InstrumentView {
  summary: MutableSummary;
  venue: number;
  stale: boolean;
  /** Touch and state of the last view passed downstream (NaN: none yet). */
  sentBid: number;
  sentAsk: number;
  sentState: number;
  bars: [number, number, number, number, number, number, number, number][];
  windowStart: number;
  windowCount: number;
}

/** What the state snapshot holds (JSON; the worker compresses it). */
export interface SignalsSnapshot {
  readonly version: 1;
  readonly takenMs: number;
  readonly instruments: { id: number; lastTrade: number; bid: number; ask: number; mid: number; bars: number[][] }[];
  readonly strategies: Record<string, unknown>;
}

export class SignalsCore {
  readonly #opts: SignalsCoreOptions;
  readonly #views = new Map<number, InstrumentView>();
  readonly #downVenues = new Set<number>();
  readonly #clock: () => number;
  readonly #maxPerSec: number;
  readonly #keepBars: number;
  readonly #maxAgeMs: number;
  #intentSeq = 0;
  readonly #intentBase: number;
  #emit: Emitter | null = null;
  #current: string | null = null;
  #nowMs = 0;
  #recvS = 0;
  #recvNs = 0;
  /** Strategies disabled after throwing (here, or in another partition: `disable`). */
  readonly #disabled = new Set<string>();
  readonly #errors: StrategyError[] = [];
  readonly counters = {
    books: 0,
    trades: 0,
    bars: 0,
    signals: 0,
    intents: 0,
    refusedNotLive: 0,
    refusedBad: 0,
    refusedRate: 0,
    /** Exceptions from strategy callbacks (each disables its strategy). */
    strategyErrors: 0,
    /** Callbacks not run because their strategy is disabled. */
    strategySkipped: 0,
    /** Records too old to act on (strategies skipped; the market view still updated). */
    skippedStale: 0,
    /** Views passed downstream (touch or state changed). */
    viewsForwarded: 0,
  };
  readonly #env: StrategyEnv;

  constructor(opts: SignalsCoreOptions) {
    this.#opts = opts;
    this.#clock = opts.clock ?? epochMs;
    this.#maxPerSec = opts.maxIntentsPerSecond ?? 20;
    this.#keepBars = opts.keepBars ?? 200;
    this.#maxAgeMs = opts.maxDataAgeMs ?? 0;
    // Intent ids: unique across partitions and restarts (start time in ms x 1000, then a
    // counter interleaved by partition); they become client order ids downstream.
    this.#intentBase = Math.floor(this.#clock()) * 1000;
    const self = this;
    this.#env = {
      get nowMs() {
        return self.#nowMs;
      },
      spec: (id) => opts.registry.get(id),
      book: (id) => this.#views.get(id)?.summary,
      intent: (req) => this.#intent(req),
    };
  }

  #view(instrument: number, venue: number): InstrumentView {
    let v = this.#views.get(instrument);
    if (v === undefined) {
      v = {
        summary: {
          instrument,
          live: false,
          bid: 0,
          ask: 0,
          bidSize: 0,
          askSize: 0,
          mid: 0,
          spread: 0,
          imbalance: 0,
          microprice: 0,
          priceScale: 0,
          sizeScale: 0,
          lastTrade: 0,
          updatedMs: 0,
        },
        venue,
        stale: false,
        sentBid: Number.NaN,
        sentAsk: Number.NaN,
        sentState: Number.NaN,
        bars: [],
        windowStart: 0,
        windowCount: 0,
      };
      this.#views.set(instrument, v);
    }
    return v;
  }

  #runs(slot: StrategySlot, instrument: number): boolean {
    return slot.instruments === null || slot.instruments.has(instrument);
  }

  /** Runs one strategy callback on record `rec` of kind `kind` for `instrument` (null: none). */
  /**
   * Calls `fn` on strategy `self` with (`rec`, env), or `fn` alone for `rec` null; no closure per
   * call (this runs for every view).
   */
  #call<T>(
    id: string,
    instrument: number | null,
    kind: StrategyEventKind,
    rec: T,
    self: object,
    fn: (this: object, r: T, env: StrategyEnv) => void,
  ): void {
    if (this.#disabled.size > 0 && this.#disabled.has(id)) {
      this.counters.strategySkipped++;
      return;
    }
    this.#current = id;
    try {
      fn.call(self, rec, this.#env);
    } catch (err) {
      // A strategy that throws must not take the stage down: count it, keep what it was doing
      // when it threw, disable it, and go on with the others.
      this.counters.strategyErrors++;
      const e = strategyError(this.#opts.registry, id, instrument, kind, rec, err, this.#clock());
      this.#errors.push(e);
      this.#disabled.add(id);
      this.#opts.onStrategyError?.(e);
    } finally {
      this.#current = null;
    }
  }

  /** Disables strategy `id` here too (it threw in another partition). True if it was running. */
  disable(id: string): boolean {
    if (this.#disabled.has(id) || !this.#opts.strategies.some((s) => s.strategy.id === id)) return false;
    this.#disabled.add(id);
    return true;
  }

  /** The strategies that threw in this core, each with the record it was handling. */
  strategyErrors(): readonly StrategyError[] {
    return this.#errors;
  }

  /** Ids of the strategies disabled here (threw here or in another partition). */
  disabledStrategies(): string[] {
    return [...this.#disabled];
  }

  /** True if data received at (s, ns) is fresh enough to decide on; counts it otherwise. */
  #fresh(s: number, ns: number): boolean {
    if (this.#maxAgeMs <= 0 || s === 0) return true;
    if (this.#nowMs - (s * 1000 + ns / 1e6) <= this.#maxAgeMs) return true;
    this.counters.skippedStale++;
    return false;
  }

  onBookView(b: BookViewLike, emit: Emitter): void {
    this.#emit = emit;
    this.counters.books++;
    this.#nowMs = this.#clock();
    this.#recvS = b.recvS;
    this.#recvNs = b.recvNs;
    const v = this.#view(b.instrument, b.venue);
    const s = v.summary;
    s.live = b.state === 1;
    v.stale = false;
    s.priceScale = b.priceScale;
    s.sizeScale = b.sizeScale;
    s.bid = b.bids.length > 0 ? b.bids.price(0) : 0;
    s.bidSize = b.bids.length > 0 ? b.bids.size(0) : 0;
    s.ask = b.asks.length > 0 ? b.asks.price(0) : 0;
    s.askSize = b.asks.length > 0 ? b.asks.size(0) : 0;
    s.mid = b.mid;
    s.spread = b.spread;
    s.imbalance = b.imbalance;
    s.microprice = b.microprice;
    s.updatedMs = this.#nowMs;
    // Pass the view on first (when risk and execution would see a different touch or state):
    // risk must know the book an intent was made on before the intent.
    if (s.bid !== v.sentBid || s.ask !== v.sentAsk || b.state !== v.sentState) {
      v.sentBid = s.bid;
      v.sentAsk = s.ask;
      v.sentState = b.state;
      this.counters.viewsForwarded++;
      emit.bookView(b);
    }
    if (!this.#fresh(b.recvS, b.recvNs)) return;
    for (const slot of this.#opts.strategies) {
      const st = slot.strategy;
      if (st.onBook && this.#runs(slot, b.instrument))
        this.#call(st.id, b.instrument, 'book', b, st, st.onBook as (this: object, r: typeof b, env: StrategyEnv) => void);
    }
  }

  onTrades(t: TradeBatchLike, emit: Emitter): void {
    this.#emit = emit;
    this.counters.trades += t.length;
    this.#nowMs = this.#clock();
    this.#recvS = t.recvS;
    this.#recvNs = t.recvNs;
    const v = this.#view(t.instrument, t.venue);
    if (t.length > 0) v.summary.lastTrade = t.price(t.length - 1);
    if (!this.#fresh(t.recvS, t.recvNs)) return;
    for (const slot of this.#opts.strategies) {
      const st = slot.strategy;
      if (st.onTrade && this.#runs(slot, t.instrument))
        this.#call(st.id, t.instrument, 'trades', t, st, st.onTrade as (this: object, r: typeof t, env: StrategyEnv) => void);
    }
  }

  onBar(b: BarLike, emit: Emitter): void {
    this.#emit = emit;
    this.counters.bars++;
    this.#nowMs = this.#clock();
    this.#recvS = b.endS;
    this.#recvNs = b.endNs;
    const v = this.#view(b.instrument, b.venue);
    v.bars.push([b.kind, b.startS, b.endS, b.open, b.high, b.low, b.close, b.volume]);
    if (v.bars.length > this.#keepBars) v.bars.shift();
    if (!this.#fresh(b.endS, b.endNs)) return;
    for (const slot of this.#opts.strategies) {
      const st = slot.strategy;
      if (st.onBar && this.#runs(slot, b.instrument))
        this.#call(st.id, b.instrument, 'bar', b, st, st.onBar as (this: object, r: typeof b, env: StrategyEnv) => void);
    }
  }

  /** Fills come back from execution over the runtime's feedback edge (or directly when fused). */
  onFill(f: FillRecord, emit: Emitter): void {
    this.#emit = emit;
    this.#nowMs = this.#clock();
    for (const slot of this.#opts.strategies) {
      const st = slot.strategy;
      if (st.onFill && this.#runs(slot, f.instrument))
        this.#call(st.id, f.instrument, 'fill', f, st, st.onFill as (this: object, r: typeof f, env: StrategyEnv) => void);
    }
  }

  onMark(m: Mark, emit: Emitter): void {
    if (m.type === 'feed') {
      if (m.up) this.#downVenues.delete(m.venue);
      else this.#downVenues.add(m.venue);
    } else if (m.type === 'stale') {
      const v = this.#views.get(m.instrument);
      if (v) v.stale = true;
    } else if (m.type === 'resync') {
      const v = this.#views.get(m.instrument);
      if (v) v.summary.live = false;
    }
    emit.mark(m);
  }

  /** True if an intent may be emitted for the instrument now. */
  isLive(instrument: number): boolean {
    const v = this.#views.get(instrument);
    if (v === undefined) return false;
    return v.summary.live && !v.stale && !this.#downVenues.has(v.venue);
  }

  #intent(req: IntentRequest): boolean {
    const emit = this.#emit;
    const c = this.counters;
    const spec = this.#opts.registry.get(req.instrument);
    const v = this.#views.get(req.instrument);
    if (emit === null || spec === undefined || v === undefined) {
      c.refusedBad++;
      return false;
    }
    if (!this.isLive(req.instrument)) {
      c.refusedNotLive++;
      return false;
    }
    const market = req.type === 'market';
    const priceOk = market || (Number.isSafeInteger(req.price) && (req.price as number) > 0);
    if (!priceOk || !Number.isSafeInteger(req.size) || req.size <= 0 || (req.side !== 'buy' && req.side !== 'sell')) {
      c.refusedBad++;
      return false;
    }
    if (this.#nowMs - v.windowStart >= 1000) {
      v.windowStart = this.#nowMs;
      v.windowCount = 0;
    }
    if (v.windowCount >= this.#maxPerSec) {
      c.refusedRate++;
      return false;
    }
    v.windowCount++;
    const strategy = this.#current ?? 'unknown';
    const inputs = Object.entries(req.inputs).map(([name, value]) => ({ name, value }));
    const side = req.side === 'buy' ? 0 : 1;
    const ms = this.#nowMs;
    const createdS = Math.floor(ms / 1000);
    const createdNs = Math.min(999_999_999, Math.round((ms - createdS * 1000) * 1e6));
    const signal: SignalRecord = {
      instrument: req.instrument,
      strategy,
      side,
      strength: req.strength ?? 1,
      reason: req.reason,
      inputs,
      recvS: this.#recvS,
      recvNs: this.#recvNs,
    };
    const p = this.#opts.partitions ?? 1;
    const intent: OrderIntentRecord = {
      intentId: this.#intentBase + this.#intentSeq++ * p + (this.#opts.partition ?? 0),
      instrument: req.instrument,
      venue: v.venue,
      strategy,
      side,
      type: market ? 1 : 0,
      tif: market ? 1 : req.tif === 'IOC' ? 1 : 0,
      price: market ? 0 : (req.price as number),
      size: req.size,
      priceScale: spec.priceScale,
      sizeScale: spec.sizeScale,
      reduceOnly: req.reduceOnly ?? false,
      reason: req.reason,
      inputs,
      createdS,
      createdNs,
      recvS: this.#recvS,
      recvNs: this.#recvNs,
    };
    emit.signal(signal);
    emit.orderIntent(intent);
    this.#opts.onIntent?.(intent);
    c.signals++;
    c.intents++;
    return true;
  }

  snapshot(): SignalsSnapshot {
    const strategies: Record<string, unknown> = {};
    for (const slot of this.#opts.strategies) if (slot.strategy.snapshot) strategies[slot.strategy.id] = slot.strategy.snapshot();
    return {
      version: 1,
      takenMs: this.#clock(),
      instruments: [...this.#views.entries()].map(([id, v]) => ({
        id,
        lastTrade: v.summary.lastTrade,
        bid: v.summary.bid,
        ask: v.summary.ask,
        mid: v.summary.mid,
        bars: v.bars,
      })),
      strategies,
    };
  }

  /** Reloads a snapshot: market view (not LIVE until a fresh book arrives) and strategy state. */
  restore(snap: SignalsSnapshot): number {
    if (snap?.version !== 1 || !Array.isArray(snap.instruments)) return 0;
    let n = 0;
    for (const i of snap.instruments) {
      if (this.#opts.registry.get(i.id) === undefined) continue;
      const v = this.#view(i.id, 0);
      v.summary.lastTrade = i.lastTrade;
      v.summary.bid = i.bid;
      v.summary.ask = i.ask;
      v.summary.mid = i.mid;
      v.bars = (i.bars as InstrumentView['bars']).slice(-this.#keepBars);
      n++;
    }
    for (const slot of this.#opts.strategies) {
      const saved = snap.strategies?.[slot.strategy.id];
      if (saved !== undefined && slot.strategy.restore)
        this.#call(slot.strategy.id, null, 'restore', saved, slot.strategy, slot.strategy.restore as (this: object, r: unknown) => void);
    }
    return n;
  }

  bars(instrument: number): readonly (readonly number[])[] {
    return this.#views.get(instrument)?.bars ?? [];
  }

  stats(): Record<string, number> {
    return { ...this.counters, instruments: this.#views.size };
  }
}
