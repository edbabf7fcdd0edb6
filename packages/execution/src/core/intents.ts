/**
 * Checks on an approved order intent before it becomes a venue order, and the rejected order
 * row a refused intent is reported with (risk releases its reservation on it).
 */

import type { InstrumentSpec, OrderIntentRecord } from '@tickline/wire';
import type { ExecutionConfig } from '../config.js';
import { OrderStatus as S } from './order-state.js';
import { intentClientOrderId, type LiveOrder, liveOrder } from './orders.js';

export interface IntentGate {
  readonly halted: boolean;
  readonly reducing: boolean;
  /** Signed position quantity (mantissa) of an instrument. */
  qty(instrument: number): number;
}

/** The reason an intent is refused, or null when it may be sent. */
export function intentProblem(
  o: OrderIntentRecord,
  spec: InstrumentSpec | undefined,
  now: number,
  cfg: ExecutionConfig,
  gate: IntentGate,
): string | null {
  if (o === null || typeof o !== 'object' || !Number.isSafeInteger(o.intentId) || o.intentId < 0) return 'bad_intent_id';
  if (spec === undefined) return 'unknown_instrument';
  if (o.side !== 0 && o.side !== 1) return 'bad_side';
  if (o.type !== 0 && o.type !== 1) return 'bad_type';
  if (!Number.isSafeInteger(o.size) || o.size <= 0 || o.size % spec.lotSize !== 0) return 'bad_size';
  if (o.type === 0 && (!Number.isSafeInteger(o.price) || o.price <= 0 || o.price % spec.tickSize !== 0)) return 'bad_price';
  if (o.priceScale !== spec.priceScale || o.sizeScale !== spec.sizeScale) return 'bad_scale';
  const created = o.createdS * 1000 + o.createdNs / 1e6;
  if (!Number.isFinite(created) || now - created > cfg.maxIntentAgeMs) return 'stale_intent';
  // Never send on late data: the local receive time of the market data behind the decision.
  if (cfg.maxDataAgeMs > 0 && o.recvS > 0 && now - (o.recvS * 1000 + o.recvNs / 1e6) > cfg.maxDataAgeMs) return 'stale_data';
  if (gate.halted) return 'halted';
  if ((gate.reducing || o.reduceOnly) && !reduces(gate.qty(o.instrument), o.side, o.size)) return 'reducing_only';
  return null;
}

function reduces(q: number, side: number, size: number): boolean {
  return side === 0 ? q < 0 && q + size <= 0 : q > 0 && q - size >= 0;
}

/** The REJECTED order a refused intent is reported as (never journaled, never sent). */
export function refusedOrder(o: OrderIntentRecord, why: string, now: number): LiveOrder {
  return liveOrder({
    clientOrderId: intentClientOrderId(o.intentId),
    venueOrderId: '',
    intentId: o.intentId,
    instrument: o.instrument,
    side: o.side === 1 ? 1 : 0,
    type: 0,
    tif: 0,
    price: Number.isFinite(o.price) ? o.price : 0,
    size: Number.isFinite(o.size) ? o.size : 0,
    filled: 0,
    status: S.Rejected,
    purpose: 'entry',
    strategy: String(o.strategy),
    reason: why,
    createdMs: now,
    updatedMs: now,
  });
}

/** The new order an accepted intent becomes. */
export function intentOrder(o: OrderIntentRecord, now: number): LiveOrder {
  return liveOrder({
    clientOrderId: intentClientOrderId(o.intentId),
    venueOrderId: '',
    intentId: o.intentId,
    instrument: o.instrument,
    side: o.side,
    type: o.type,
    tif: o.type === 1 ? 1 : o.tif,
    price: o.type === 1 ? 0 : o.price,
    size: o.size,
    filled: 0,
    status: S.PendingNew,
    purpose: 'entry',
    strategy: o.strategy,
    reason: o.reason,
    createdMs: now,
    updatedMs: now,
  });
}
