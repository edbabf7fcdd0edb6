/**
 * The strategy API. A strategy is a plain object with optional handlers; it keeps its own
 * per-instrument state (see `PerInstrument`) and asks for orders through `env.intent(...)`
 * with a reason and the named inputs behind it. The signals core gates every request: an
 * instrument whose book is not LIVE never gets an intent.
 *
 * A user's own strategy is a module whose default export (or `createStrategy` export) is a
 * `StrategyFactory`; config points at it by file path and the worker imports it.
 */

import type { BarLike, BookViewLike, FillRecord, InstrumentSpec, TradeBatchLike } from '@tickline/wire';
import type { Issue } from '@tickline/runtime/config-schema';

export type SideName = 'buy' | 'sell';

/** What a strategy asks for. Prices and sizes are mantissas at the instrument's scales. */
export interface IntentRequest {
  readonly instrument: number;
  readonly side: SideName;
  /** Default 'limit'. */
  readonly type?: 'limit' | 'market';
  /** Default 'IOC' for market orders, 'GTC' for limit orders. */
  readonly tif?: 'GTC' | 'IOC';
  /** Limit price mantissa; required for limit orders, ignored for market orders. */
  readonly price?: number;
  /** Size mantissa (a multiple of the instrument's lot size). */
  readonly size: number;
  readonly reduceOnly?: boolean;
  /** Why: a short human text, e.g. "imbalance 0.72 > 0.6". */
  readonly reason: string;
  /** The numbers behind the decision; `edgeBps` (expected gross move) feeds risk's edge check. */
  readonly inputs: Readonly<Record<string, number>>;
  /** 0..1 confidence, default 1. */
  readonly strength?: number;
}

/** The latest top of book per instrument as the signals core saw it. */
export interface BookSummary {
  readonly instrument: number;
  readonly live: boolean;
  readonly bid: number;
  readonly ask: number;
  readonly bidSize: number;
  readonly askSize: number;
  readonly mid: number;
  readonly spread: number;
  readonly imbalance: number;
  readonly microprice: number;
  readonly priceScale: number;
  readonly sizeScale: number;
  readonly lastTrade: number;
  readonly updatedMs: number;
}

export interface StrategyEnv {
  /** Wall-clock ms of the record being handled. */
  readonly nowMs: number;
  spec(instrument: number): InstrumentSpec | undefined;
  book(instrument: number): BookSummary | undefined;
  /** Requests an order; returns false when refused (book not LIVE, bad request). */
  intent(request: IntentRequest): boolean;
}

export interface Strategy {
  /** Instance id (from config), used as the intents' `strategy` field. */
  readonly id: string;
  onBook?(book: BookViewLike, env: StrategyEnv): void;
  onTrade?(trades: TradeBatchLike, env: StrategyEnv): void;
  onBar?(bar: BarLike, env: StrategyEnv): void;
  onFill?(fill: FillRecord, env: StrategyEnv): void;
  /** JSON-serialisable state for the state snapshot. */
  snapshot?(): unknown;
  restore?(state: unknown): void;
}

export interface StrategyInfo {
  readonly id: string;
  readonly seed: number;
  readonly partition: number;
}

export type StrategyFactory = (params: Readonly<Record<string, unknown>>, info: StrategyInfo) => Strategy;

/** A built-in (or user) strategy type: its factory, its parameter checker and defaults. */
export interface StrategyType {
  readonly create: StrategyFactory;
  readonly validate: (params: unknown, path: string) => Issue[];
}

/** Lazily created per-instrument state, dense by instrument id. */
export class PerInstrument<T> {
  readonly #items = new Map<number, T>();
  constructor(private readonly init: (instrument: number) => T) {}

  get(instrument: number): T {
    let s = this.#items.get(instrument);
    if (s === undefined) {
      s = this.init(instrument);
      this.#items.set(instrument, s);
    }
    return s;
  }

  peek(instrument: number): T | undefined {
    return this.#items.get(instrument);
  }

  entries(): IterableIterator<[number, T]> {
    return this.#items.entries();
  }

  set(instrument: number, value: T): void {
    this.#items.set(instrument, value);
  }

  get size(): number {
    return this.#items.size;
  }
}

/** Basis points of `delta` relative to `base`. */
export function bps(delta: number, base: number): number {
  return base > 0 ? (delta / base) * 10_000 : 0;
}
