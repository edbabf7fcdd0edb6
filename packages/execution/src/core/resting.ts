/**
 * Resting-order management and exits: the index of live orders by instrument, cancels, the
 * market-move policy (cancel or reprice an order the market left behind), reprices once the
 * cancel is confirmed, timers (ack timeout, cancel timeout, time to live) and position exits
 * (take profit, stop loss, trailing stop, time limit; see exits.ts).
 */

import type { Emitter } from '@tickline/runtime';
import type { InstrumentRegistry, InstrumentSpec } from '@tickline/wire';
import type { ExecutionConfig } from '../config.js';
import { evaluateExit } from './exits.js';
import type { ExecutionCounters, Touch } from './host.js';
import { OrderStatus as S, isTerminal } from './order-state.js';
import { isOpen, journalRow, type LiveOrder, liveOrder, type OrderTable } from './orders.js';
import type { PositionBook } from './positions.js';
import type { VenuePort } from './venue.js';

export interface RestingHost {
  readonly cfg: ExecutionConfig;
  readonly registry: InstrumentRegistry;
  readonly venue: VenuePort;
  readonly clock: () => number;
  readonly counters: ExecutionCounters;
  readonly orders: OrderTable;
  readonly positions: PositionBook;
  readonly halted: boolean;
  /** A venue-wide cancel sent and not yet acknowledged (sent again on reconnect). */
  cancelAllOwed: boolean;
  /** Journals and sends a new order (see ExecutionCore). */
  send(o: LiveOrder, spec: InstrumentSpec, emit: Emitter): void;
  setStatus(o: LiveOrder, status: number, reason: string, seq: number, emit: Emitter): boolean;
  reconcile(reason: string): void;
}

export class RestingOrders {
  readonly #host: RestingHost;
  /** Non-terminal orders by instrument (terminal ones are dropped lazily). */
  readonly #liveByInstrument = new Map<number, Set<LiveOrder>>();
  /** The exit order working for an instrument, by client order id. */
  readonly exitInFlight = new Map<number, string>();
  readonly #session: string;
  #exitSeq = 0;

  constructor(host: RestingHost, session: string) {
    this.#host = host;
    this.#session = session;
  }

  /** Registers an order; non-terminal ones are also indexed by instrument for book-view work. */
  track(o: LiveOrder): void {
    this.#host.orders.set(o.clientOrderId, o);
    if (isTerminal(o.status)) return;
    let set = this.#liveByInstrument.get(o.instrument);
    if (set === undefined) {
      set = new Set();
      this.#liveByInstrument.set(o.instrument, set);
    }
    set.add(o);
  }

  /** A new touch of an instrument: manage its resting orders, then its exit. */
  onTouch(instrument: number, t: Touch, now: number, emit: Emitter): void {
    this.#manageResting(instrument, t, emit);
    const p = this.#host.positions.peek(instrument);
    if (p && p.qty !== 0 && this.#host.cfg.exits.enabled && !this.#host.halted) this.#maybeExit(instrument, t, now, emit);
  }

  #manageResting(instrument: number, t: Touch, emit: Emitter): void {
    const mm = this.#host.cfg.marketMove;
    if (mm.policy === 'none' || !(t.mid > 0)) return;
    // Only this instrument's live orders: every book view lands here, so no scan of all orders.
    const live = this.#liveByInstrument.get(instrument);
    if (live === undefined) return;
    for (const o of live) {
      if (isTerminal(o.status)) {
        live.delete(o);
        continue;
      }
      if (o.type !== 0 || o.tif !== 0 || o.cancelSentMs > 0) continue;
      if (o.status !== S.Accepted && o.status !== S.PartiallyFilled) continue;
      const away = ((o.side === 0 ? t.bid - o.price : o.price - t.ask) / t.mid) * 10_000;
      if (away <= mm.awayBps) continue;
      if (mm.policy === 'reprice' && o.reprices < mm.maxReprices && !this.#host.halted && o.purpose !== 'external')
        o.replaceWith = o.side === 0 ? t.bid : t.ask;
      this.cancel(o, o.replaceWith > 0 ? 'market moved: reprice' : 'market moved away', emit);
    }
  }

  #maybeExit(instrument: number, t: Touch, now: number, emit: Emitter): void {
    if (this.exitInFlight.has(instrument)) return;
    const host = this.#host;
    const p = host.positions.peek(instrument);
    const spec = host.registry.get(instrument);
    if (!p || !spec) return;
    const why = evaluateExit(p, t.bid, t.ask, now, host.cfg.exits);
    if (why === null) return;
    const sell = p.qty > 0;
    const slip = Math.ceil(((sell ? t.bid : t.ask) * host.cfg.exits.slippageBps) / 10_000 / spec.tickSize) * spec.tickSize;
    const price = sell ? Math.max(spec.tickSize, t.bid - slip) : t.ask + slip;
    const cid = `x${this.#session}.${(this.#exitSeq++).toString(36)}`;
    const o = liveOrder({
      clientOrderId: cid,
      venueOrderId: '',
      intentId: -1,
      instrument,
      side: sell ? 1 : 0,
      type: 0,
      tif: 1,
      price,
      size: Math.abs(p.qty),
      filled: 0,
      status: S.PendingNew,
      purpose: 'exit',
      strategy: 'exit',
      reason: why,
      createdMs: now,
      updatedMs: now,
    });
    this.exitInFlight.set(instrument, cid);
    host.counters.exits++;
    host.send(o, spec, emit);
  }

  /** An order reached a terminal state: clear its exit slot; send its replacement (reprice). */
  onTerminal(o: LiveOrder, emit: Emitter): void {
    const host = this.#host;
    if (this.exitInFlight.get(o.instrument) === o.clientOrderId) this.exitInFlight.delete(o.instrument);
    if (o.replaceWith > 0 && o.status === S.Cancelled && !host.halted) {
      const rest = o.size - o.filled;
      const spec = host.registry.get(o.instrument);
      const price = o.replaceWith;
      o.replaceWith = 0;
      if (rest <= 0 || !spec) return;
      const root = o.clientOrderId.split('.r')[0] as string;
      const next = liveOrder({
        ...journalRow(o),
        clientOrderId: `${root}.r${o.reprices + 1}`,
        venueOrderId: '',
        price,
        size: rest,
        filled: 0,
        status: S.PendingNew,
        purpose: 'reprice',
        createdMs: host.clock(),
        updatedMs: host.clock(),
      });
      next.reprices = o.reprices + 1;
      host.counters.reprices++;
      host.send(next, spec, emit);
    }
  }

  /** Cancels every open order (of one instrument, or all); a venue-wide cancel_all when all. */
  cancelAll(instrument: number | null, reason: string, emit: Emitter): void {
    const host = this.#host;
    host.counters.cancelAlls++;
    if (instrument === null) {
      host.cancelAllOwed = true;
      host.venue.cancelAll();
      for (const o of host.orders.open()) o.replaceWith = 0;
      return;
    }
    for (const o of host.orders.open()) {
      if (o.instrument !== instrument) continue;
      o.replaceWith = 0;
      this.cancel(o, reason, emit);
    }
  }

  cancel(o: LiveOrder, reason: string, emit: Emitter): void {
    const host = this.#host;
    if (!isOpen(o) || o.cancelSentMs > 0) return;
    if (!host.venue.cancel(o.clientOrderId)) return;
    o.cancelSentMs = host.clock();
    host.counters.cancels++;
    if (o.status !== S.PendingNew) host.setStatus(o, S.PendingCancel, reason, 0, emit);
  }

  /** Timers: ack timeout (query, then cancel), cancel timeout (query again), time to live. */
  timers(now: number, emit: Emitter): void {
    const host = this.#host;
    const ack = host.cfg.ackTimeoutMs;
    for (const o of host.orders.open()) {
      if (o.status === S.PendingNew && o.sentSeq > 0 && now - o.sentMs > ack) {
        if (o.ackQueryMs === 0) {
          o.ackQueryMs = now;
          host.counters.ackTimeouts++;
          host.reconcile('ack timeout');
        } else if (now - o.ackQueryMs > ack && o.cancelSentMs === 0) this.cancel(o, 'ack timeout', emit);
      } else if (o.cancelSentMs > 0 && now - o.cancelSentMs > ack) {
        o.cancelSentMs = 0; // no answer to the cancel: try again on the next pass
        host.reconcile('cancel timeout');
      } else if (
        host.cfg.orderTtlMs > 0 &&
        o.tif === 0 &&
        o.status !== S.PendingNew &&
        now - o.createdMs > host.cfg.orderTtlMs &&
        o.cancelSentMs === 0
      ) {
        host.counters.ttlCancels++;
        this.cancel(o, 'time to live', emit);
      }
    }
  }
}
