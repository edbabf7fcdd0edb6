/**
 * Pre-trade checks. Each returns null (pass) or a named reject reason. Order matters only for
 * which reason is reported when several apply; the rate check runs last so that refused intents
 * do not use up tokens.
 */

import type { OrderIntentRecord } from '@tickline/wire';
import type { RiskConfig } from '../config.js';
import type { InstrumentRisk } from './book-state.js';

export const REJECT_REASONS = [
  'bad_input',
  'unknown_instrument',
  'stale_intent',
  'halted',
  'reducing_only',
  'session_closed',
  'session_market_order',
  'no_book',
  'book_not_live',
  'stale_data',
  'price_band',
  'max_order_qty',
  'max_order_notional',
  'max_position',
  'max_gross_exposure',
  'max_open_orders',
  'no_edge_estimate',
  'min_edge',
  'rate_limited',
] as const;
export type RejectReason = (typeof REJECT_REASONS)[number];

/** Structural validity: finite positive integer size, sane side/type/tif, price for limits. */
export function checkInput(o: OrderIntentRecord): RejectReason | null {
  if (o === null || typeof o !== 'object') return 'bad_input';
  if (o.side !== 0 && o.side !== 1) return 'bad_input';
  if (o.type !== 0 && o.type !== 1) return 'bad_input';
  if (o.tif !== 0 && o.tif !== 1) return 'bad_input';
  if (!Number.isSafeInteger(o.size) || o.size <= 0) return 'bad_input';
  if (o.type === 0 && (!Number.isSafeInteger(o.price) || o.price <= 0)) return 'bad_input';
  if (!Number.isFinite(o.createdS) || !Number.isFinite(o.createdNs)) return 'bad_input';
  return null;
}

export interface OrderContext {
  readonly nowMs: number;
  readonly marketable: boolean;
  /** Price used for notional (limit price, or the touch for market orders). */
  readonly refPrice: number;
  readonly notional: number;
  readonly reducing: boolean;
  readonly notionalFactor: number;
  readonly bandBps: number;
}

/**
 * The book must be there and LIVE, and the market data behind the decision fresh: its local
 * receive time (carried by the intent; the book's latest when the intent has none) at most
 * `maxDataAgeMs` ago. A quiet book is not stale (ingest marks instruments that go silent); a
 * decision made on data that waited in queues is.
 */
export function checkBook(o: OrderIntentRecord, r: InstrumentRisk, cfg: RiskConfig, nowMs: number): RejectReason | null {
  if (!(r.mid > 0) || r.bid <= 0 || r.ask <= 0) return 'no_book';
  if (!r.live || r.stale) return 'book_not_live';
  const dataMs = o.recvS > 0 ? o.recvS * 1000 + o.recvNs / 1e6 : r.bookMs;
  if (cfg.maxDataAgeMs > 0 && nowMs - dataMs > cfg.maxDataAgeMs) return 'stale_data';
  return null;
}

export function checkPriceBand(o: OrderIntentRecord, r: InstrumentRisk, c: OrderContext): RejectReason | null {
  if (o.type === 1 || c.bandBps <= 0) return null;
  return (Math.abs(o.price - r.mid) / r.mid) * 10_000 > c.bandBps ? 'price_band' : null;
}

export function checkSize(o: OrderIntentRecord, r: InstrumentRisk, c: OrderContext): RejectReason | null {
  if (o.size > r.maxOrderQty) return 'max_order_qty';
  if (c.notional > r.maxOrderNotional * c.notionalFactor) return 'max_order_notional';
  if (c.reducing) return null;
  if (o.side === 0 && r.position + r.openBuy + r.pendingBuy + o.size > r.maxPosition) return 'max_position';
  if (o.side === 1 && r.position - r.openSell - r.pendingSell - o.size < -r.maxPosition) return 'max_position';
  return null;
}

/** Expected edge (input `edgeBps`) must cover round-trip costs plus `minEdgeBps`. */
export function checkEdge(o: OrderIntentRecord, r: InstrumentRisk, cfg: RiskConfig, c: OrderContext): RejectReason | null {
  if (c.reducing || o.reduceOnly) return null;
  let edge = Number.NaN;
  for (const i of o.inputs) if (i.name === 'edgeBps') edge = i.value;
  if (Number.isNaN(edge)) return cfg.requireEdgeEstimate ? 'no_edge_estimate' : null;
  return edge < roundTripCostBps(r, cfg, c) + cfg.minEdgeBps ? 'min_edge' : null;
}

/**
 * Round-trip cost in bps of notional (the case study's cost model): entry fee (taker if the
 * entry is marketable, maker otherwise), exit fee (taker, conservatively), the spread crossed
 * (full spread for a marketable entry), slippage per taker side, and commissions per order.
 */
export function roundTripCostBps(r: InstrumentRisk, cfg: RiskConfig, c: OrderContext): number {
  const k = cfg.costs;
  const spreadBps = r.mid > 0 ? ((r.ask - r.bid) / r.mid) * 10_000 : 0;
  const entryFee = c.marketable ? k.takerFeeBps : k.makerFeeBps;
  const spread = c.marketable ? spreadBps : 0;
  const slippage = (c.marketable ? 2 : 1) * k.slippageBps;
  const commission = c.notional > 0 ? ((2 * k.commissionPerOrder) / c.notional) * 10_000 : 0;
  return entryFee + k.takerFeeBps + spread + slippage + commission;
}
