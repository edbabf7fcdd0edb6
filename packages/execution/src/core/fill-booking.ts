/**
 * Fill booking: a venue fill is journaled (order row + fill + sequence, one transaction), then
 * booked into the position, then told downstream (fill, order event, position). A fill already
 * journaled is skipped: reports and reconciliation queries may both carry it.
 */

import type { Emitter } from '@tickline/runtime';
import type { FillRecord, InstrumentRegistry } from '@tickline/wire';
import type { ExecutionCounters, Touch } from './host.js';
import type { JournalFill, JournalOrder, JournalPort } from './journal.js';
import { canTransition, fillStatus, isTerminal } from './order-state.js';
import { eventRecord, journalRow, type LiveOrder } from './orders.js';
import type { PositionBook } from './positions.js';
import type { VenueFill } from './venue.js';

export interface FillHost {
  readonly registry: InstrumentRegistry;
  readonly journal: JournalPort;
  readonly clock: () => number;
  readonly counters: ExecutionCounters;
  readonly fillIds: Set<string>;
  readonly positions: PositionBook;
  touch(instrument: number): Touch | undefined;
  /** An order reached a terminal state (exit bookkeeping, reprice). */
  onTerminal(o: LiveOrder, emit: Emitter): void;
}

/** The reason a trade is booked with: an exit's own reason, or `strategy: reason`. */
export function tradeReason(o: JournalOrder): string {
  return o.purpose === 'exit' ? o.reason : `${o.strategy}: ${o.reason}`;
}

/** Books one venue fill of order `o` (see the file comment). `seq`: the report's sequence, or null. */
export function bookFill(host: FillHost, o: LiveOrder, f: VenueFill, synthesized: boolean, emit: Emitter, seq: number | null): void {
  if (host.fillIds.has(f.fillId)) {
    host.counters.duplicateFills++;
    if (seq !== null) host.journal.record([], null, seq);
    return;
  }
  const spec = host.registry.get(o.instrument);
  if (!spec || f.size <= 0 || !Number.isFinite(f.price)) {
    host.counters.fillUnknownOrder++;
    return;
  }
  o.filled += f.size;
  if (o.filled > o.size) o.size = o.filled; // external orders learn their size from fills
  const next = fillStatus(o.filled, o.size);
  if (o.status !== next && !canTransition(o.status, next)) host.counters.badTransitions++;
  else o.status = next;
  o.updatedMs = host.clock();
  if (f.venueOrderId) o.venueOrderId = f.venueOrderId;
  if (seq !== null) o.venueSeq = seq;
  const jf: JournalFill = { ...f, venueSeq: f.seq, synthesized };
  host.journal.record([journalRow(o)], jf, seq);
  host.fillIds.add(f.fillId);
  host.counters.fills++;
  host.positions.apply(spec, { ...f, reason: tradeReason(o) });
  const book = host.touch(o.instrument);
  const pos = host.positions.get(spec);
  if (book && book.mid > 0) pos.mark = book.mid;
  const s = Math.floor(f.tsMs / 1000);
  const rec: FillRecord = {
    clientOrderId: o.clientOrderId,
    venueOrderId: o.venueOrderId,
    fillId: f.fillId,
    instrument: o.instrument,
    side: f.side,
    price: f.price,
    size: f.size,
    priceScale: spec.priceScale,
    sizeScale: spec.sizeScale,
    fee: f.fee,
    feeScale: f.feeScale,
    liquidityMaker: f.maker,
    venueSeq: f.seq,
    tsS: s,
    tsNs: Math.round((f.tsMs - s * 1000) * 1e6),
  };
  emit.fill(rec);
  emit.orderEvent(eventRecord(o, spec, synthesized ? 'fill (reconciled)' : 'fill', f.seq, o.updatedMs));
  emitPosition(host, o.instrument, emit);
  if (isTerminal(o.status)) host.onTerminal(o, emit);
}

/** Emits the position record of an instrument (after a fill, and after recovery). */
export function emitPosition(host: Pick<FillHost, 'registry' | 'positions' | 'clock'>, instrument: number, emit: Emitter): void {
  const spec = host.registry.get(instrument);
  const p = host.positions.peek(instrument);
  if (!spec || !p) return;
  const now = host.clock();
  const s = Math.floor(now / 1000);
  emit.position({
    instrument,
    sizeScale: spec.sizeScale,
    priceScale: spec.priceScale,
    quantity: p.qty,
    avgPrice: p.avg,
    realizedPnl: Number(p.realized),
    unrealizedPnl: Number(p.unrealizedMoney()),
    fees: Number(p.fees),
    moneyScale: p.moneyScale,
    tsS: s,
    tsNs: Math.round((now - s * 1000) * 1e6),
  });
}
