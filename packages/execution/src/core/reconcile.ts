/**
 * Reconciliation with the venue: after a (re)connect, a restart, a report gap or an ack
 * timeout, ask the venue for the fills since the last applied report and for its open orders,
 * then resolve every difference and log it:
 * - a venue fill not in the journal is booked (synthesized; an order we never knew is adopted);
 * - a venue open order we do not know is adopted and cancelled;
 * - an order we think open that the venue does not list is closed: filled if its fills say so,
 *   expired if it never reached the venue, cancelled otherwise;
 * - fill counts that still disagree are logged and counted.
 * Orders sent after the queries went out are left alone (they may not be in the answers yet).
 */

import type { Emitter } from '@tickline/runtime';
import { decimalString, type InstrumentRegistry } from '@tickline/wire';
import type { ExecutionLogSink } from './host.js';
import type { JournalPort } from './journal.js';
import { OrderStatus as S } from './order-state.js';
import { type LiveOrder, liveOrder, type OrderTable } from './orders.js';
import type { VenueFill, VenueOrderState, VenuePort } from './venue.js';

/** What reconciliation needs from the execution core. */
export interface ReconcileHost {
  readonly venue: VenuePort;
  readonly registry: InstrumentRegistry;
  readonly journal: JournalPort;
  readonly log: ExecutionLogSink;
  readonly clock: () => number;
  readonly orders: OrderTable;
  readonly fillIds: ReadonlySet<string>;
  /** The last venue sequence applied; raised to the open-orders answer's sequence. */
  lastSeq: number;
  /** Number of the latest send: orders sent after a query went out are left alone. */
  readonly sendSeq: number;
  /** Registers and journals an order found at the venue. */
  adopt(o: LiveOrder): void;
  applyFill(o: LiveOrder, f: VenueFill, synthesized: boolean, emit: Emitter, seq: number | null): void;
  cancel(o: LiveOrder, reason: string, emit: Emitter): void;
  setStatus(o: LiveOrder, status: number, reason: string, seq: number, emit: Emitter): boolean;
}

/** The most fills one query returns (the gateway asks for this many). */
export const FILLS_PAGE = 10_000;
const TIMEOUT_MS = 15_000;

export class Reconciler {
  readonly #core: ReconcileHost;
  active = false;
  #again = false;
  #sendMark = 0;
  #startedMs = 0;
  #fillsDone = false;
  #heldOrders: { seq: number; orders: readonly VenueOrderState[] } | null = null;
  readonly stats = {
    runs: 0,
    synthesizedFills: 0,
    adoptedOrders: 0,
    unknownVenueOrders: 0,
    closedMissing: 0,
    filledMismatch: 0,
    timeouts: 0,
  };

  constructor(core: ReconcileHost) {
    this.#core = core;
  }

  start(reason: string, since = this.#core.lastSeq): void {
    const core = this.#core;
    if (!core.venue.connected) return; // runs on the next connect
    if (this.active) {
      this.#again = true;
      return;
    }
    this.active = true;
    this.#again = false;
    this.#fillsDone = false;
    this.#heldOrders = null;
    this.#sendMark = core.sendSeq;
    this.#startedMs = core.clock();
    this.stats.runs++;
    core.log.info('reconciling with venue', { reason, sinceSeq: since });
    if (!core.venue.fills(since) || !core.venue.openOrders()) this.active = false;
  }

  abort(): void {
    this.active = false;
    this.#heldOrders = null;
  }

  tick(now: number): void {
    if (this.active && now - this.#startedMs > TIMEOUT_MS) {
      this.stats.timeouts++;
      this.active = false;
      this.start('previous reconciliation timed out');
    } else if (!this.active && this.#again) this.start('queued');
  }

  onFills(_seq: number, fills: readonly VenueFill[], emit: Emitter): void {
    const core = this.#core;
    const sorted = [...fills].sort((a, b) => a.seq - b.seq);
    for (const f of sorted) {
      if (core.fillIds.has(f.fillId)) continue;
      let o = core.orders.get(f.clientOrderId);
      if (o === undefined) {
        o = this.#adopt(f.clientOrderId, f.instrument, f.side, f.price, f.size, f.venueOrderId);
        o.size = 0;
        this.stats.adoptedOrders++;
        core.log.warn('reconcile: fill for an order not in the journal; adopted', { clientOrderId: f.clientOrderId, fillId: f.fillId });
      }
      core.log.warn('reconcile: missing fill booked', { clientOrderId: f.clientOrderId, fillId: f.fillId, seq: f.seq });
      core.applyFill(o, f, true, emit, null);
      this.stats.synthesizedFills++;
    }
    const last = sorted[sorted.length - 1];
    if (fills.length >= FILLS_PAGE && last) {
      core.venue.fills(last.seq);
      return;
    }
    this.#fillsDone = true;
    const held = this.#heldOrders;
    if (held) {
      this.#heldOrders = null;
      this.onOpenOrders(held.seq, held.orders, emit);
    }
  }

  onOpenOrders(seq: number, venueOrders: readonly VenueOrderState[], emit: Emitter): void {
    const core = this.#core;
    if (!this.active) return;
    if (!this.#fillsDone) {
      this.#heldOrders = { seq, orders: venueOrders };
      return;
    }
    const atVenue = new Map<string, VenueOrderState>();
    for (const v of venueOrders) atVenue.set(v.clientOrderId, v);
    for (const v of venueOrders) {
      let o = core.orders.get(v.clientOrderId);
      if (o === undefined) {
        this.stats.unknownVenueOrders++;
        core.log.warn('reconcile: open order at venue not in the journal; cancelling', {
          clientOrderId: v.clientOrderId,
          venueOrderId: v.venueOrderId,
        });
        o = this.#adopt(v.clientOrderId, v.instrument, v.side, v.price, v.size, v.venueOrderId);
        o.filled = v.filled;
        core.cancel(o, 'reconcile: unknown order', emit);
        continue;
      }
      o.venueOrderId = v.venueOrderId;
      if (v.filled !== o.filled) {
        this.stats.filledMismatch++;
        core.log.warn('reconcile: filled size differs from the venue', {
          clientOrderId: o.clientOrderId,
          ours: this.#size(o.instrument, o.filled),
          venue: this.#size(o.instrument, v.filled),
        });
      }
      if (o.status === S.PendingNew) core.setStatus(o, o.filled > 0 ? S.PartiallyFilled : S.Accepted, 'reconcile: open at venue', 0, emit);
    }
    for (const o of core.orders.open()) {
      if (atVenue.has(o.clientOrderId)) continue;
      if (o.sentSeq > this.#sendMark) continue; // sent after the query: not in the answer yet
      this.stats.closedMissing++;
      let status: number = S.Cancelled;
      if (o.filled >= o.size && o.size > 0) status = S.Filled;
      else if (o.filled === 0 && o.status === S.PendingNew) status = S.Expired;
      core.log.warn('reconcile: order not open at venue; closing', {
        clientOrderId: o.clientOrderId,
        status,
        filled: this.#size(o.instrument, o.filled),
        size: this.#size(o.instrument, o.size),
      });
      if (o.status === S.PendingNew && status === S.Cancelled) core.setStatus(o, S.Expired, 'reconcile: not open at venue', 0, emit);
      else core.setStatus(o, status, 'reconcile: not open at venue', 0, emit);
    }
    if (seq > core.lastSeq) {
      core.lastSeq = seq;
      core.journal.record([], null, seq);
    }
    this.active = false;
    if (this.#again) this.start('queued');
  }

  /** A size mantissa as the decimal a log line shows. */
  #size(instrument: number, mantissa: number): string {
    const spec = this.#core.registry.get(instrument);
    return spec && Number.isSafeInteger(mantissa) ? decimalString(mantissa, spec.sizeScale) : String(mantissa);
  }

  /** An order the venue knows and the journal does not: adopted as external, accepted. */
  #adopt(cid: string, instrument: number, side: number, price: number, size: number, venueOrderId: string): LiveOrder {
    const now = this.#core.clock();
    const o = liveOrder({
      clientOrderId: cid,
      venueOrderId,
      intentId: -1,
      instrument,
      side,
      type: price > 0 ? 0 : 1,
      tif: 0,
      price,
      size,
      filled: 0,
      status: S.Accepted,
      purpose: 'external',
      strategy: 'external',
      reason: 'found at venue',
      createdMs: now,
      updatedMs: now,
    });
    this.#core.adopt(o);
    return o;
  }
}
