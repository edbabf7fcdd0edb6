/**
 * The order state machine on the venue's messages: execution reports (in sequence; a gap or a
 * report for an unknown order is counted, logged and reconciled), order and cancel errors,
 * connection changes, and the answers to reconciliation queries (handed to the reconciler).
 */

import type { Emitter } from '@tickline/runtime';
import type { ExecutionCounters, ExecutionLogSink } from './host.js';
import type { JournalPort } from './journal.js';
import { OrderStatus as S } from './order-state.js';
import { isOpen, journalRow, type LiveOrder } from './orders.js';
import type { Reconciler } from './reconcile.js';
import type { VenueFill, VenueMessage } from './venue.js';

export interface VenueMessageHost {
  readonly log: ExecutionLogSink;
  readonly journal: JournalPort;
  readonly orders: ReadonlyMap<string, LiveOrder>;
  readonly counters: ExecutionCounters;
  readonly rejectReasons: Record<string, number>;
  /** The last venue sequence applied. */
  lastSeq: number;
  /**
   * A venue-wide cancel not yet acknowledged: one held or in flight when the connection drops is
   * lost with it, so it is sent again first thing on reconnect (orders that rested before a halt
   * are canceled even if the venue dropped us as the halt began).
   */
  cancelAllOwed: boolean;
  readonly venue: { cancelAll(): void };
  setStatus(o: LiveOrder, status: number, reason: string, seq: number, emit: Emitter, lastSeq?: number | null): boolean;
  applyFill(o: LiveOrder, f: VenueFill, synthesized: boolean, emit: Emitter, seq: number | null): void;
}

export function onVenueMessage(host: VenueMessageHost, reconciler: Reconciler, m: VenueMessage, emit: Emitter): void {
  switch (m.kind) {
    case 'report':
      return onReport(host, reconciler, m, emit);
    case 'connected':
      host.log.info('venue connected', { lastSeq: host.lastSeq });
      if (host.cancelAllOwed) host.venue.cancelAll();
      reconciler.start('connected');
      return;
    case 'cancel-all-done':
      host.cancelAllOwed = false;
      return;
    case 'disconnected':
      reconciler.abort();
      host.log.warn('venue disconnected', { reason: m.reason });
      return;
    case 'order-error':
      return onOrderError(host, reconciler, m.clientOrderId, m.code, emit);
    case 'cancel-error': {
      const o = host.orders.get(m.clientOrderId);
      if (!o || !isOpen(o)) return;
      o.cancelSentMs = 0;
      if (o.status === S.PendingNew && o.sentSeq > 0) host.setStatus(o, S.Expired, `ack_timeout: ${m.code}`, 0, emit);
      else reconciler.start(`cancel ${m.code}`);
      return;
    }
    case 'fills':
      return reconciler.onFills(m.seq, m.fills, emit);
    case 'open-orders':
      return reconciler.onOpenOrders(m.seq, m.orders, emit);
  }
}

function onOrderError(host: VenueMessageHost, reconciler: Reconciler, cid: string, code: string, emit: Emitter): void {
  const o = host.orders.get(cid);
  if (!o || !isOpen(o)) return;
  host.counters.venueRejects++;
  if (code === 'duplicate_client_order_id') {
    // The venue has this id already (sent before a crash or a disconnect): learn its state.
    reconciler.start('duplicate client order id');
  } else if (code === 'unknown_instrument' || code === 'bad_request') {
    host.setStatus(o, S.Rejected, code, 0, emit);
  }
  // Every other code also produces a `rejected` report, which moves the order.
}

function onReport(host: VenueMessageHost, reconciler: Reconciler, m: Extract<VenueMessage, { kind: 'report' }>, emit: Emitter): void {
  host.counters.reports++;
  if (m.seq <= host.lastSeq) {
    host.counters.duplicateReports++;
    return;
  }
  if (host.lastSeq > 0 && m.seq > host.lastSeq + 1) {
    host.counters.seqGaps++;
    host.log.warn('execution report gap', { expected: host.lastSeq + 1, got: m.seq });
    reconciler.start('report gap', host.lastSeq);
  }
  host.lastSeq = m.seq;
  const o = host.orders.get(m.order.clientOrderId);
  if (o === undefined) {
    host.counters.reportUnknownOrder++;
    if (m.fill) host.counters.fillUnknownOrder++;
    host.log.warn('report for unknown order', { clientOrderId: m.order.clientOrderId, event: m.event, seq: m.seq });
    host.journal.record([], null, m.seq);
    return;
  }
  if (m.order.venueOrderId) o.venueOrderId = m.order.venueOrderId;
  switch (m.event) {
    case 'new':
      if (o.status === S.PendingNew) host.setStatus(o, S.Accepted, 'accepted', m.seq, emit, m.seq);
      else host.journal.record([journalRow(o)], null, m.seq);
      return;
    case 'trade':
      if (m.fill) host.applyFill(o, m.fill, false, emit, m.seq);
      return;
    case 'canceled':
      host.setStatus(o, S.Cancelled, m.reason || 'canceled', m.seq, emit, m.seq);
      return;
    case 'rejected':
      host.rejectReasons[`venue_${m.reason}`] = (host.rejectReasons[`venue_${m.reason}`] ?? 0) + 1;
      host.setStatus(o, S.Rejected, m.reason || 'rejected', m.seq, emit, m.seq);
      return;
  }
}
