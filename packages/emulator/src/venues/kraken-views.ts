/**
 * Kraken serves a book at the depth each subscription asks for (10, 25, 100, 500, 1000) and sends,
 * for every change, the levels of that depth-N book that changed, including the levels that enter
 * the window when others leave it. A recording holds the book at the depth it was recorded with,
 * so the emulator generates each depth's updates from the file's book: after every book frame, the
 * new top N against the top N last sent, once per instrument and depth for all its subscribers.
 * The checksum (top 10 of the book) is the same for every N >= 10.
 */

import type { L2Book } from '@tickline/book';
import type { InstrumentRegistry } from '@tickline/wire';
import { levels } from '../format.js';
import { json } from './shared.js';
import type { RestAnswer } from './types.js';

export type Side = [number, number][];
export interface View {
  readonly bids: Side;
  readonly asks: Side;
}

/** Depths Kraken accepts. */
export const KRAKEN_DEPTHS = [10, 25, 100, 500, 1000] as const;

function top(book: L2Book, depth: number): View {
  return { bids: levels(book, 'bids', depth), asks: levels(book, 'asks', depth) };
}

/**
 * `prev` levels gone from `next` (size 0) first, so a client truncating at the depth has room for
 * the levels entering the window; then the levels of `next` that differ from `prev`.
 */
function changes(prev: Side, next: Side): Side {
  const now = new Set(next.map(([p]) => p));
  const out: Side = prev.filter(([p]) => !now.has(p)).map(([p]) => [p, 0]);
  const old = new Map(prev);
  for (const [p, q] of next) if (old.get(p) !== q) out.push([p, q]);
  return out;
}

export class DepthViews {
  /** instrument -> depth -> the top N subscribers hold. */
  readonly #views = new Map<number, Map<number, View>>();
  /** instrument -> depth -> the top N after the current frame and its changes. */
  readonly #next = new Map<number, Map<number, { view: View; diff: View }>>();

  /** A subscriber starts from the book's top N now (its snapshot). */
  seed(instrument: number, depth: number, book: L2Book): View {
    const v = top(book, depth);
    let m = this.#views.get(instrument);
    if (m === undefined) {
      m = new Map();
      this.#views.set(instrument, m);
    }
    m.set(depth, v);
    return v;
  }

  /** The changes of the depth-N book made by the current frame (computed once per depth). */
  diff(instrument: number, depth: number, book: L2Book): View {
    let n = this.#next.get(instrument);
    if (n === undefined) {
      n = new Map();
      this.#next.set(instrument, n);
    }
    const done = n.get(depth);
    if (done !== undefined) return done.diff;
    const prev = this.#views.get(instrument)?.get(depth) ?? { bids: [], asks: [] };
    const view = top(book, depth);
    const diff = { bids: changes(prev.bids, view.bids), asks: changes(prev.asks, view.asks) };
    n.set(depth, { view, diff });
    return diff;
  }

  /** After the frame was routed: the new views are what subscribers now hold. */
  commit(instrument: number): void {
    const n = this.#next.get(instrument);
    if (n === undefined) return;
    this.#next.delete(instrument);
    const m = this.#views.get(instrument) ?? new Map<number, View>();
    this.#views.set(instrument, m);
    for (const [depth, { view }] of n) m.set(depth, view);
  }

  /** The file's book fell out of sync: subscribers get a fresh snapshot once it is back. */
  drop(instrument: number): void {
    this.#views.delete(instrument);
    this.#next.delete(instrument);
  }
}

/** `BTC/USD` (Kraken v2) as REST and v1 spell it: `XBT/USD`. */
export function v1Name(symbol: string): string {
  return symbol
    .split('/')
    .map((c) => (c === 'BTC' ? 'XBT' : c === 'DOGE' ? 'XDG' : c))
    .join('/');
}

/** `GET /0/public/AssetPairs` of the file's instruments (REST spells pairs the v1 way). */
export function assetPairs(registry: InstrumentRegistry, venue: 'kraken' | 'kraken-v1'): RestAnswer {
  const result: Record<string, unknown> = {};
  for (const s of registry.list()) {
    if (s.venue !== venue) continue;
    const wsname = venue === 'kraken' ? v1Name(s.symbol) : s.symbol;
    const altname = wsname.replace('/', '');
    result[altname] = {
      altname,
      wsname,
      pair_decimals: s.priceScale,
      lot_decimals: s.sizeScale,
      tick_size: (s.tickSize / 10 ** s.priceScale).toFixed(s.priceScale),
      status: 'online',
    };
  }
  return json(200, { error: [], result });
}
