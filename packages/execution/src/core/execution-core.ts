/**
 * The execution stage core: turns approved intents into venue orders, runs the order state
 * machine on the venue's reports, books fills into positions and P&L (fill-booking.ts),
 * manages resting orders and exits positions (resting.ts), and reconciles with the venue
 * (reconcile.ts). The parts reach the core only through their host interfaces.
 *
 * Every order state and fill is written to the journal before it is sent or emitted downstream:
 * per record, or grouped into units of work that the driver ends with `unit.commit()`
 * (group-commit.ts). Synchronous and free of sockets: the venue and the journal are ports
 * (venue.ts, journal.ts).
 */

import { type Emitter, LatencyHistogram, type Mark } from '@tickline/runtime';
import {
  type BookViewLike,
  epochMs,
  type FillRecord,
  type InstrumentRegistry,
  type InstrumentSpec,
  type OrderIntentRecord,
} from '@tickline/wire';
import type { ExecutionConfig } from '../config.js';
import { bookFill, emitPosition, type FillHost, tradeReason } from './fill-booking.js';
import { GroupCommit } from './group-commit.js';
import { type ExecutionLogSink, executionCounters, NOOP_LOG, type Touch } from './host.js';
import { intentOrder, intentProblem, refusedOrder } from './intents.js';
import type { JournalPort } from './journal.js';
import { OrderStatus as S, STATUS_NAMES, canTransition, isTerminal } from './order-state.js';
import { eventRecord, intentClientOrderId, journalRow, type LiveOrder, liveOrder, OrderTable } from './orders.js';
import { PositionBook } from './positions.js';
import { Reconciler } from './reconcile.js';
import { RestingOrders } from './resting.js';
import { onVenueMessage } from './venue-messages.js';
import type { VenueFill, VenueMessage, VenuePort } from './venue.js';

export type { ExecutionLogSink } from './host.js';

export class ExecutionCore {
  readonly cfg: ExecutionConfig;
  readonly registry: InstrumentRegistry;
  readonly venue: VenuePort;
  readonly journal: JournalPort;
  readonly log: ExecutionLogSink;
  readonly clock: () => number;
  readonly orders = new OrderTable();
  readonly fillIds = new Set<string>();
  readonly positions: PositionBook;
  readonly #books = new Map<number, Touch>();
  readonly #reconciler: Reconciler;
  readonly #resting: RestingOrders;
  readonly #fills: FillHost;
  sendSeq = 0;
  lastSeq = 0;
  #halted = false;
  /**
   * A venue-wide cancel not yet acknowledged: one held or in flight when the connection drops is
   * lost with it, so it is sent again first thing on reconnect (orders that rested before a halt
   * are canceled even if the venue dropped us as the halt began).
   */
  cancelAllOwed = false;
  #reducing = false;
  #emit: Emitter | null = null;
  readonly #inbox: VenueMessage[] = [];
  readonly #outbox: ((emit: Emitter) => void)[] = [];
  /** Frame received -> order sent to the venue (after its commit), in ns (entries from intents only). */
  readonly tickToDecision = new LatencyHistogram();
  /** Units of work: per record until `unit.start()`, then grouped until each `unit.commit()`. */
  readonly unit: GroupCommit;
  readonly counters = executionCounters();
  readonly rejectReasons: Record<string, number> = {};

  constructor(
    cfg: ExecutionConfig,
    registry: InstrumentRegistry,
    venue: VenuePort,
    journal: JournalPort,
    opts: { clock?: () => number; log?: ExecutionLogSink } = {},
  ) {
    this.cfg = cfg;
    this.registry = registry;
    this.venue = venue;
    this.journal = journal;
    this.clock = opts.clock ?? epochMs;
    this.log = opts.log ?? NOOP_LOG;
    this.positions = new PositionBook({ maxEquityPoints: cfg.equityCurvePoints });
    const core = this;
    this.#resting = new RestingOrders(
      {
        cfg,
        registry,
        venue,
        clock: this.clock,
        counters: this.counters,
        orders: this.orders,
        positions: this.positions,
        get halted() {
          return core.#halted;
        },
        get cancelAllOwed() {
          return core.cancelAllOwed;
        },
        set cancelAllOwed(v: boolean) {
          core.cancelAllOwed = v;
        },
        send: (o, spec, emit) => this.#send(o, spec, emit),
        setStatus: (o, status, reason, seq, emit) => this.setStatus(o, status, reason, seq, emit),
        reconcile: (reason) => this.#reconciler.start(reason),
      },
      Math.floor(this.clock()).toString(36),
    );
    this.#fills = {
      registry,
      journal,
      clock: this.clock,
      counters: this.counters,
      fillIds: this.fillIds,
      positions: this.positions,
      touch: (instrument) => this.#books.get(instrument),
      onTerminal: (o, emit) => this.#resting.onTerminal(o, emit),
    };
    this.#reconciler = new Reconciler(this);
    this.unit = new GroupCommit(journal, venue, this.tickToDecision, cfg.maxDataAgeMs, (cid) => this.#expiredAtRelease(cid), this.clock);
    this.#recover();
  }

  /** Rebuilds orders, positions and the last venue sequence from the journal. */
  #recover(): void {
    const state = this.journal.load();
    for (const row of state.orders) this.#resting.track(liveOrder(row));
    for (const f of state.fills) {
      this.fillIds.add(f.fillId);
      const spec = this.registry.get(f.instrument);
      if (!spec) continue;
      const o = this.orders.get(f.clientOrderId);
      this.positions.apply(spec, { ...f, reason: o ? tradeReason(o) : 'recovered' });
    }
    this.lastSeq = state.lastSeq;
    const open = [...this.orders.open()];
    for (const o of open) if (o.purpose === 'exit') this.#resting.exitInFlight.set(o.instrument, o.clientOrderId);
    if (state.orders.length > 0 || state.fills.length > 0)
      this.log.info('recovered from journal', {
        orders: state.orders.length,
        open: open.length,
        fills: state.fills.length,
        lastSeq: this.lastSeq,
      });
    this.#outbox.push((emit) => {
      for (const p of this.positions.all()) if (p.qty !== 0) this.emitPosition(p.spec.id, emit);
      for (const o of open) emit.orderEvent(eventRecord(o, this.registry.get(o.instrument), 'recovered', o.venueSeq, this.clock()));
    });
  }

  #bind(emit: Emitter): void {
    this.#emit = emit;
    if (this.#outbox.length > 0) for (const f of this.#outbox.splice(0)) f(emit);
    if (this.#inbox.length > 0) for (const m of this.#inbox.splice(0)) this.onVenue(m, emit);
  }

  // ---------------------------------------------------------------- intents

  onOrderIntent(o: OrderIntentRecord, emit: Emitter): void {
    this.#bind(emit);
    this.counters.intents++;
    const now = this.clock();
    const spec = typeof o?.instrument === 'number' ? this.registry.get(o.instrument) : undefined;
    if (spec && o.size === 0 && o.reason.startsWith('cancel-all')) {
      this.cancelAll(o.instrument, o.reason, emit);
      return;
    }
    const why = intentProblem(o, spec, now, this.cfg, {
      halted: this.#halted,
      reducing: this.#reducing,
      qty: (instrument) => this.positions.peek(instrument)?.qty ?? 0,
    });
    if (why !== null) {
      this.#refuse(o, spec, why, now, emit);
      return;
    }
    if (this.orders.has(intentClientOrderId(o.intentId))) {
      // Idempotent: the same intent delivered again never becomes a second order.
      this.counters.duplicateIntents++;
      return;
    }
    const order = intentOrder(o, now);
    this.#send(order, spec as InstrumentSpec, emit);
    // Tick-to-decision: from the receive time of the market data behind the intent to the
    // moment the order leaves for the venue.
    if (o.recvS > 0 && order.sentSeq > 0) this.unit.decided(o.recvS * 1000 + o.recvNs / 1e6, order.clientOrderId);
  }

  /**
   * A held entry order the group commit took back before release: its data went stale while its
   * unit committed. It never left; it ends REJECTED (stale_data), journaled before it is told.
   */
  #expiredAtRelease(clientOrderId: string): void {
    const order = this.orders.get(clientOrderId);
    const emit = this.#emit;
    if (order === undefined || emit === null) return;
    this.counters.staleData++;
    this.rejectReasons.stale_data = (this.rejectReasons.stale_data ?? 0) + 1;
    this.setStatus(order, S.Rejected, 'stale_data', 0, emit);
  }

  #refuse(o: OrderIntentRecord, spec: InstrumentSpec | undefined, why: string, now: number, emit: Emitter): void {
    if (why === 'stale_intent') this.counters.staleIntents++;
    else if (why === 'stale_data') this.counters.staleData++;
    else if (why.startsWith('bad_') || why === 'unknown_instrument') this.counters.badIntents++;
    this.counters.rejectedIntents++;
    this.rejectReasons[why] = (this.rejectReasons[why] ?? 0) + 1;
    if (why !== 'stale_intent' && why !== 'stale_data')
      this.log.warn('intent refused', { reason: why, intentId: o?.intentId, instrument: o?.instrument });
    // Tell risk (it releases the reservation); only for an intent we can name and place.
    if (spec && Number.isSafeInteger(o.intentId)) emit.orderEvent(eventRecord(refusedOrder(o, why, now), spec, why, 0, now));
  }

  /** Journals the order, then sends it once. A down venue rejects it (intents are perishable). */
  #send(order: LiveOrder, spec: InstrumentSpec, emit: Emitter): void {
    this.#resting.track(order);
    this.journal.record([journalRow(order)], null, null);
    const ok = this.venue.newOrder({
      clientOrderId: order.clientOrderId,
      instrument: order.instrument,
      side: order.side,
      type: order.type,
      tif: order.tif,
      price: order.price,
      size: order.size,
    });
    const now = this.clock();
    if (!ok) {
      this.counters.venueDown++;
      this.rejectReasons.venue_down = (this.rejectReasons.venue_down ?? 0) + 1;
      this.setStatus(order, S.Rejected, 'venue_down', 0, emit);
      if (order.purpose === 'exit') this.#resting.exitInFlight.delete(order.instrument);
      return;
    }
    order.sentSeq = ++this.sendSeq;
    order.sentMs = now;
    this.counters.ordersSent++;
    emit.orderEvent(eventRecord(order, spec, order.reason, 0, now));
  }

  /** Moves an order to `status` (if the state machine allows), journals it and emits the event. */
  setStatus(o: LiveOrder, status: number, reason: string, seq: number, emit: Emitter, lastSeq: number | null = null): boolean {
    if (o.status !== status && !canTransition(o.status, status)) {
      this.counters.badTransitions++;
      this.log.warn('order transition refused', { clientOrderId: o.clientOrderId, from: STATUS_NAMES[o.status], to: STATUS_NAMES[status] });
      if (lastSeq !== null) this.journal.record([], null, lastSeq);
      return false;
    }
    o.status = status;
    o.updatedMs = this.clock();
    if (seq > 0) o.venueSeq = seq;
    if (status === S.Rejected || status === S.Cancelled || status === S.Expired)
      o.reason = o.reason.includes(reason) ? o.reason : `${o.reason} | ${reason}`;
    this.journal.record([journalRow(o)], null, lastSeq);
    emit.orderEvent(eventRecord(o, this.registry.get(o.instrument), reason, seq, o.updatedMs));
    if (isTerminal(status)) this.#resting.onTerminal(o, emit);
    return true;
  }

  // ---------------------------------------------------------------- venue messages

  /** Queues a venue message for the next call that has an emitter (gateway callbacks). */
  deliver(m: VenueMessage): void {
    this.#inbox.push(m);
  }

  /** Processes queued venue messages with `emit`. */
  pump(emit: Emitter): void {
    this.#bind(emit);
  }

  onVenue(m: VenueMessage, emit: Emitter): void {
    this.#emit = emit;
    onVenueMessage(this, this.#reconciler, m, emit);
  }

  /** Books one venue fill (fill-booking.ts). `seq`: the report's sequence, or null (reconciled). */
  applyFill(o: LiveOrder, f: VenueFill, synthesized: boolean, emit: Emitter, seq: number | null): void {
    bookFill(this.#fills, o, f, synthesized, emit, seq);
  }

  emitPosition(instrument: number, emit: Emitter): void {
    emitPosition(this.#fills, instrument, emit);
  }

  /** Registers and journals an order the venue knows and we did not (reconciliation). */
  adopt(o: LiveOrder): void {
    this.#resting.track(o);
    this.journal.record([journalRow(o)], null, null);
  }

  // ---------------------------------------------------------------- market, marks, timers

  onBookView(v: BookViewLike, emit: Emitter): void {
    this.#bind(emit);
    if (v.bids.length === 0 || v.asks.length === 0 || v.state !== 1) return;
    let t = this.#books.get(v.instrument);
    if (t === undefined) {
      t = { bid: 0, ask: 0, mid: 0 };
      this.#books.set(v.instrument, t);
    }
    t.bid = v.bids.price(0);
    t.ask = v.asks.price(0);
    // mantissa units like every price here (BookView.mid is a decimal value)
    t.mid = (t.bid + t.ask) / 2;
    const p = this.positions.peek(v.instrument);
    if (p) p.mark = t.mid;
    this.#resting.onTouch(v.instrument, t, this.clock(), emit);
  }

  onMark(m: Mark, emit: Emitter): void {
    this.#bind(emit);
    if (m.type !== 'halt') return;
    const was = this.#halted;
    this.#halted = m.state === 2;
    this.#reducing = m.state === 1;
    if (this.#halted && !was) this.log.warn('halted: cancelling all orders', { reason: m.reason, atMs: this.clock() });
    if (this.#halted) this.cancelAll(null, `halt: ${m.reason}`, emit);
  }

  /** Cancels every open order (of one instrument, or all); a venue-wide cancel_all when all. */
  cancelAll(instrument: number | null, reason: string, emit: Emitter): void {
    this.#resting.cancelAll(instrument, reason, emit);
  }

  cancel(o: LiveOrder, reason: string, emit: Emitter): void {
    this.#resting.cancel(o, reason, emit);
  }

  onFill(f: FillRecord, emit: Emitter): void {
    this.#bind(emit);
    // Fills come from the venue, not from upstream: an upstream fill is bad input.
    const known = typeof f?.clientOrderId === 'string' && this.orders.has(f.clientOrderId);
    this.counters.fillUnknownOrder += known ? 0 : 1;
    this.log.warn('fill record from upstream ignored', { clientOrderId: f?.clientOrderId, fillId: f?.fillId, known });
  }

  tick(_nowMs: number, emit: Emitter): void {
    this.#bind(emit);
    const now = this.clock();
    this.#resting.timers(now, emit);
    this.#reconciler.tick(now);
  }

  /** On shutdown: cancel everything at the venue (the worker waits for the answers). */
  shutdown(): number {
    let open = 0;
    for (const _ of this.orders.open()) open++;
    if (this.cfg.cancelOnShutdown && open > 0) this.venue.cancelAll();
    return open;
  }

  get halted(): boolean {
    return this.#halted;
  }

  openOrders(): LiveOrder[] {
    return [...this.orders.open()];
  }

  get reconciling(): boolean {
    return this.#reconciler.active;
  }

  get lastEmitter(): Emitter | null {
    return this.#emit;
  }
}
