/**
 * Live orders as execution tracks them: the journaled row plus runtime bookkeeping, and the
 * conversion to wire order-event records.
 */

import type { InstrumentSpec, OrderEventRecord } from '@tickline/wire';
import type { JournalOrder } from './journal.js';
import { isTerminal } from './order-state.js';

export interface LiveOrder extends JournalOrder {
  /** Monotonic number of the send (0 = never sent in this process). */
  sentSeq: number;
  sentMs: number;
  /** When an ack-timeout query was made (0 = not yet). */
  ackQueryMs: number;
  cancelSentMs: number;
  /** Price of the replacement to send once the cancel is confirmed (reprice), or 0. */
  replaceWith: number;
  reprices: number;
  /** Venue sequence of the last report applied to this order. */
  venueSeq: number;
}

export function liveOrder(row: JournalOrder): LiveOrder {
  return { ...row, sentSeq: 0, sentMs: 0, ackQueryMs: 0, cancelSentMs: 0, replaceWith: 0, reprices: 0, venueSeq: 0 };
}

export function journalRow(o: LiveOrder): JournalOrder {
  return {
    clientOrderId: o.clientOrderId,
    venueOrderId: o.venueOrderId,
    intentId: o.intentId,
    instrument: o.instrument,
    side: o.side,
    type: o.type,
    tif: o.tif,
    price: o.price,
    size: o.size,
    filled: o.filled,
    status: o.status,
    purpose: o.purpose,
    strategy: o.strategy,
    reason: o.reason,
    createdMs: o.createdMs,
    updatedMs: o.updatedMs,
  };
}

export function isOpen(o: JournalOrder): boolean {
  return !isTerminal(o.status);
}

/** Client order id of an intent's order: `i<base36 intent id>`; replacements add `.r<n>`. */
export function intentClientOrderId(intentId: number): string {
  return `i${intentId.toString(36)}`;
}

export function eventRecord(
  o: JournalOrder,
  spec: InstrumentSpec | undefined,
  reason: string,
  venueSeq: number,
  nowMs: number,
): OrderEventRecord {
  const s = Math.floor(nowMs / 1000);
  return {
    clientOrderId: o.clientOrderId,
    venueOrderId: o.venueOrderId,
    instrument: o.instrument,
    status: o.status,
    side: o.side,
    price: o.price,
    size: o.size,
    filled: o.filled,
    priceScale: spec?.priceScale ?? 0,
    sizeScale: spec?.sizeScale ?? 0,
    reason,
    venueSeq,
    tsS: s,
    tsNs: Math.min(999_999_999, Math.round((nowMs - s * 1000) * 1e6)),
  };
}

/**
 * Every order of the run by client id (terminal ones stay, for duplicate detection and reports),
 * with the open ones indexed: timers, cancel-all and reconciliation walk only those, so their cost
 * does not grow with the run's history. An order is indexed when set and forgotten by the index
 * the first time a walk finds it terminal (statuses only move forward).
 */
export class OrderTable extends Map<string, LiveOrder> {
  readonly #open = new Set<LiveOrder>();

  override set(clientOrderId: string, o: LiveOrder): this {
    const was = super.get(clientOrderId);
    if (was !== undefined && was !== o) this.#open.delete(was);
    super.set(clientOrderId, o);
    if (isOpen(o)) this.#open.add(o);
    return this;
  }

  override delete(clientOrderId: string): boolean {
    const o = super.get(clientOrderId);
    if (o !== undefined) this.#open.delete(o);
    return super.delete(clientOrderId);
  }

  override clear(): void {
    this.#open.clear();
    super.clear();
  }

  /** The open orders, in the order they were set. */
  *open(): IterableIterator<LiveOrder> {
    for (const o of this.#open) {
      if (isOpen(o)) yield o;
      else this.#open.delete(o);
    }
  }
}
