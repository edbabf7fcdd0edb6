/**
 * The execution stage core: turns approved intents into venue orders, runs the order state
 * machine on the venue's reports, books fills into positions and P&L, manages resting orders
 * (ack timeout, reprice or cancel when the market moves away, time to live) and exits
 * positions (take profit, stop loss, trailing stop, time limit).
 *
 * Every order state and fill is written to the journal before it is sent or emitted downstream:
 * per record, or grouped into units of work that the driver ends with `unit.commit()`
 * (group-commit.ts). Synchronous and free of sockets: the venue and the journal are ports
 * (venue.ts, journal.ts). Reconciliation with the venue lives in reconcile.ts.
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
import { evaluateExit } from './exits.js';
import { GroupCommit } from './group-commit.js';
import type { JournalFill, JournalPort, OrderPurpose } from './journal.js';
import { OrderStatus as S, STATUS_NAMES, canTransition, fillStatus, isTerminal } from './order-state.js';
import { eventRecord, intentClientOrderId, isOpen, journalRow, type LiveOrder, liveOrder } from './orders.js';
import { PositionBook } from './positions.js';
import { Reconciler } from './reconcile.js';
import type { VenueFill, VenueMessage, VenuePort } from './venue.js';

export interface ExecutionLogSink {
  warn(msg: string, data: Record<string, unknown>): void;
  info(msg: string, data: Record<string, unknown>): void;
}

interface Touch {
  bid: number;
  ask: number;
  mid: number;
}

const NOOP_LOG: ExecutionLogSink = { warn() {}, info() {} };

export class ExecutionCore {
  readonly cfg: ExecutionConfig;
  readonly registry: InstrumentRegistry;
  readonly venue: VenuePort;
  readonly journal: JournalPort;
  readonly log: ExecutionLogSink;
  readonly clock: () => number;
  readonly orders = new Map<string, LiveOrder>();
  readonly fillIds = new Set<string>();
  readonly positions: PositionBook;
  readonly #books = new Map<number, Touch>();
  readonly #exitInFlight = new Map<number, string>();
  readonly #reconciler: Reconciler;
  readonly #session: string;
  #exitSeq = 0;
  sendSeq = 0;
  lastSeq = 0;
  #halted = false;
  /**
   * A venue-wide cancel not yet acknowledged: one held or in flight when the connection drops is
   * lost with it, so it is sent again first thing on reconnect (orders that rested before a halt
   * are canceled even if the venue dropped us as the halt began).
   */
  #cancelAllOwed = false;
  #reducing = false;
  #emit: Emitter | null = null;
  readonly #inbox: VenueMessage[] = [];
  readonly #outbox: ((emit: Emitter) => void)[] = [];
  /** Non-terminal orders by instrument (terminal ones are dropped lazily). */
  readonly #liveByInstrument = new Map<number, Set<LiveOrder>>();
  /** Frame received -> order sent to the venue (after its commit), in ns (entries from intents only). */
  readonly tickToDecision = new LatencyHistogram();
  /** Units of work: per record until `unit.start()`, then grouped until each `unit.commit()`. */
  readonly unit: GroupCommit;
  readonly counters = {
    intents: 0,
    ordersSent: 0,
    rejectedIntents: 0,
    duplicateIntents: 0,
    staleIntents: 0,
    /** Intents refused because the market data behind them was older than maxDataAgeMs. */
    staleData: 0,
    badIntents: 0,
    venueDown: 0,
    reports: 0,
    duplicateReports: 0,
    seqGaps: 0,
    fills: 0,
    duplicateFills: 0,
    fillUnknownOrder: 0,
    reportUnknownOrder: 0,
    badTransitions: 0,
    cancels: 0,
    reprices: 0,
    ackTimeouts: 0,
    ttlCancels: 0,
    exits: 0,
    cancelAlls: 0,
    venueRejects: 0,
  };
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
    this.#session = Math.floor(this.clock()).toString(36);
    this.#reconciler = new Reconciler(this);
    this.unit = new GroupCommit(journal, venue, this.tickToDecision, cfg.maxDataAgeMs, (cid) => this.#expiredAtRelease(cid), this.clock);
    this.#recover();
  }

  // ---------------------------------------------------------------- recovery

  /** Rebuilds orders, positions and the last venue sequence from the journal. */
  #recover(): void {
    const state = this.journal.load();
    for (const row of state.orders) this.#track(liveOrder(row));
    for (const f of state.fills) {
      this.fillIds.add(f.fillId);
      const spec = this.registry.get(f.instrument);
      if (!spec) continue;
      const o = this.orders.get(f.clientOrderId);
      this.positions.apply(spec, { ...f, reason: o ? this.#tradeReason(o) : 'recovered' });
    }
    this.lastSeq = state.lastSeq;
    const open = [...this.orders.values()].filter(isOpen);
    for (const o of open) if (o.purpose === 'exit') this.#exitInFlight.set(o.instrument, o.clientOrderId);
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
    const why = this.#validate(o, spec, now);
    if (why !== null) {
      this.#refuse(o, spec, why, now, emit);
      return;
    }
    const cid = intentClientOrderId(o.intentId);
    if (this.orders.has(cid)) {
      // Idempotent: the same intent delivered again never becomes a second order.
      this.counters.duplicateIntents++;
      return;
    }
    const order = liveOrder({
      clientOrderId: cid,
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

  #validate(o: OrderIntentRecord, spec: InstrumentSpec | undefined, now: number): string | null {
    if (o === null || typeof o !== 'object' || !Number.isSafeInteger(o.intentId) || o.intentId < 0) return 'bad_intent_id';
    if (spec === undefined) return 'unknown_instrument';
    if (o.side !== 0 && o.side !== 1) return 'bad_side';
    if (o.type !== 0 && o.type !== 1) return 'bad_type';
    if (!Number.isSafeInteger(o.size) || o.size <= 0 || o.size % spec.lotSize !== 0) return 'bad_size';
    if (o.type === 0 && (!Number.isSafeInteger(o.price) || o.price <= 0 || o.price % spec.tickSize !== 0)) return 'bad_price';
    if (o.priceScale !== spec.priceScale || o.sizeScale !== spec.sizeScale) return 'bad_scale';
    const created = o.createdS * 1000 + o.createdNs / 1e6;
    if (!Number.isFinite(created) || now - created > this.cfg.maxIntentAgeMs) return 'stale_intent';
    // Never send on late data: the local receive time of the market data behind the decision.
    if (this.cfg.maxDataAgeMs > 0 && o.recvS > 0 && now - (o.recvS * 1000 + o.recvNs / 1e6) > this.cfg.maxDataAgeMs) return 'stale_data';
    if (this.#halted) return 'halted';
    if ((this.#reducing || o.reduceOnly) && !this.#reduces(o.instrument, o.side, o.size)) return 'reducing_only';
    return null;
  }

  #reduces(instrument: number, side: number, size: number): boolean {
    const q = this.positions.peek(instrument)?.qty ?? 0;
    return side === 0 ? q < 0 && q + size <= 0 : q > 0 && q - size >= 0;
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
    if (spec && Number.isSafeInteger(o.intentId)) {
      const row = {
        ...liveOrder({
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
        }),
      };
      emit.orderEvent(eventRecord(row, spec, why, 0, now));
    }
  }

  /** Journals the order, then sends it once. A down venue rejects it (intents are perishable). */
  #send(order: LiveOrder, spec: InstrumentSpec, emit: Emitter): void {
    this.#track(order);
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
      if (order.purpose === 'exit') this.#exitInFlight.delete(order.instrument);
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
    if (isTerminal(status)) this.#onTerminal(o, emit);
    return true;
  }

  #onTerminal(o: LiveOrder, emit: Emitter): void {
    if (this.#exitInFlight.get(o.instrument) === o.clientOrderId) this.#exitInFlight.delete(o.instrument);
    if (o.replaceWith > 0 && o.status === S.Cancelled && !this.#halted) {
      const rest = o.size - o.filled;
      const spec = this.registry.get(o.instrument);
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
        createdMs: this.clock(),
        updatedMs: this.clock(),
      });
      next.reprices = o.reprices + 1;
      this.counters.reprices++;
      this.#send(next, spec, emit);
    }
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
    switch (m.kind) {
      case 'report':
        return this.#onReport(m, emit);
      case 'connected':
        this.log.info('venue connected', { lastSeq: this.lastSeq });
        if (this.#cancelAllOwed) this.venue.cancelAll();
        this.#reconciler.start('connected');
        return;
      case 'cancel-all-done':
        this.#cancelAllOwed = false;
        return;
      case 'disconnected':
        this.#reconciler.abort();
        this.log.warn('venue disconnected', { reason: m.reason });
        return;
      case 'order-error':
        return this.#onOrderError(m.clientOrderId, m.code, emit);
      case 'cancel-error': {
        const o = this.orders.get(m.clientOrderId);
        if (!o || !isOpen(o)) return;
        o.cancelSentMs = 0;
        if (o.status === S.PendingNew && o.sentSeq > 0) this.setStatus(o, S.Expired, `ack_timeout: ${m.code}`, 0, emit);
        else this.#reconciler.start(`cancel ${m.code}`);
        return;
      }
      case 'fills':
        return this.#reconciler.onFills(m.seq, m.fills, emit);
      case 'open-orders':
        return this.#reconciler.onOpenOrders(m.seq, m.orders, emit);
    }
  }

  #onOrderError(cid: string, code: string, emit: Emitter): void {
    const o = this.orders.get(cid);
    if (!o || !isOpen(o)) return;
    this.counters.venueRejects++;
    if (code === 'duplicate_client_order_id') {
      // The venue has this id already (sent before a crash or a disconnect): learn its state.
      this.#reconciler.start('duplicate client order id');
    } else if (code === 'unknown_instrument' || code === 'bad_request') {
      this.setStatus(o, S.Rejected, code, 0, emit);
    }
    // Every other code also produces a `rejected` report, which moves the order.
  }

  #onReport(m: Extract<VenueMessage, { kind: 'report' }>, emit: Emitter): void {
    this.counters.reports++;
    if (m.seq <= this.lastSeq) {
      this.counters.duplicateReports++;
      return;
    }
    if (this.lastSeq > 0 && m.seq > this.lastSeq + 1) {
      this.counters.seqGaps++;
      this.log.warn('execution report gap', { expected: this.lastSeq + 1, got: m.seq });
      this.#reconciler.start('report gap', this.lastSeq);
    }
    this.lastSeq = m.seq;
    const o = this.orders.get(m.order.clientOrderId);
    if (o === undefined) {
      this.counters.reportUnknownOrder++;
      if (m.fill) this.counters.fillUnknownOrder++;
      this.log.warn('report for unknown order', { clientOrderId: m.order.clientOrderId, event: m.event, seq: m.seq });
      this.journal.record([], null, m.seq);
      return;
    }
    if (m.order.venueOrderId) o.venueOrderId = m.order.venueOrderId;
    switch (m.event) {
      case 'new':
        if (o.status === S.PendingNew) this.setStatus(o, S.Accepted, 'accepted', m.seq, emit, m.seq);
        else this.journal.record([journalRow(o)], null, m.seq);
        return;
      case 'trade':
        if (m.fill) this.applyFill(o, m.fill, false, emit, m.seq);
        return;
      case 'canceled':
        this.setStatus(o, S.Cancelled, m.reason || 'canceled', m.seq, emit, m.seq);
        return;
      case 'rejected':
        this.rejectReasons[`venue_${m.reason}`] = (this.rejectReasons[`venue_${m.reason}`] ?? 0) + 1;
        this.setStatus(o, S.Rejected, m.reason || 'rejected', m.seq, emit, m.seq);
        return;
    }
  }

  /**
   * Books one venue fill: journal (order + fill + sequence, one transaction) first, then the
   * position, then the records downstream: fill, order event, position. A fill already
   * journaled is skipped (reports and reconciliation queries may both carry it).
   */
  applyFill(o: LiveOrder, f: VenueFill, synthesized: boolean, emit: Emitter, seq: number | null): void {
    if (this.fillIds.has(f.fillId)) {
      this.counters.duplicateFills++;
      if (seq !== null) this.journal.record([], null, seq);
      return;
    }
    const spec = this.registry.get(o.instrument);
    if (!spec || f.size <= 0 || !Number.isFinite(f.price)) {
      this.counters.fillUnknownOrder++;
      return;
    }
    o.filled += f.size;
    if (o.filled > o.size) o.size = o.filled; // external orders learn their size from fills
    const next = fillStatus(o.filled, o.size);
    if (o.status !== next && !canTransition(o.status, next)) this.counters.badTransitions++;
    else o.status = next;
    o.updatedMs = this.clock();
    if (f.venueOrderId) o.venueOrderId = f.venueOrderId;
    if (seq !== null) o.venueSeq = seq;
    const jf: JournalFill = { ...f, venueSeq: f.seq, synthesized };
    this.journal.record([journalRow(o)], jf, seq);
    this.fillIds.add(f.fillId);
    this.counters.fills++;
    this.positions.apply(spec, { ...f, reason: this.#tradeReason(o) });
    const book = this.#books.get(o.instrument);
    const pos = this.positions.get(spec);
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
      liquidityMaker: f.maker,
      venueSeq: f.seq,
      tsS: s,
      tsNs: Math.round((f.tsMs - s * 1000) * 1e6),
    };
    emit.fill(rec);
    emit.orderEvent(eventRecord(o, spec, synthesized ? 'fill (reconciled)' : 'fill', f.seq, o.updatedMs));
    this.emitPosition(o.instrument, emit);
    if (isTerminal(o.status)) this.#onTerminal(o, emit);
  }

  #tradeReason(o: LiveOrder): string {
    return o.purpose === 'exit' ? o.reason : `${o.strategy}: ${o.reason}`;
  }

  emitPosition(instrument: number, emit: Emitter): void {
    const spec = this.registry.get(instrument);
    const p = this.positions.peek(instrument);
    if (!spec || !p) return;
    const now = this.clock();
    const s = Math.floor(now / 1000);
    emit.position({
      instrument,
      sizeScale: spec.sizeScale,
      priceScale: spec.priceScale,
      quantity: p.qty,
      avgPrice: p.avg,
      realizedPnl: p.realized,
      unrealizedPnl: p.unrealized(),
      fees: p.fees,
      tsS: s,
      tsNs: Math.round((now - s * 1000) * 1e6),
    });
  }

  /** Creates an order row for an order the venue knows and we do not (reconciliation). */
  adoptExternal(
    cid: string,
    instrument: number,
    side: number,
    price: number,
    size: number,
    venueOrderId: string,
    status: number,
  ): LiveOrder {
    const now = this.clock();
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
      status,
      purpose: 'external' as OrderPurpose,
      strategy: 'external',
      reason: 'found at venue',
      createdMs: now,
      updatedMs: now,
    });
    o.sentSeq = 0;
    this.#track(o);
    this.journal.record([journalRow(o)], null, null);
    return o;
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
    const now = this.clock();
    this.#manageResting(v.instrument, t, now, emit);
    if (p && p.qty !== 0 && this.cfg.exits.enabled && !this.#halted) this.#maybeExit(v.instrument, t, now, emit);
  }

  /** Registers an order; non-terminal ones are also indexed by instrument for book-view work. */
  #track(o: LiveOrder): void {
    this.orders.set(o.clientOrderId, o);
    if (isTerminal(o.status)) return;
    let set = this.#liveByInstrument.get(o.instrument);
    if (set === undefined) {
      set = new Set();
      this.#liveByInstrument.set(o.instrument, set);
    }
    set.add(o);
  }

  #manageResting(instrument: number, t: Touch, now: number, emit: Emitter): void {
    const mm = this.cfg.marketMove;
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
      if (mm.policy === 'reprice' && o.reprices < mm.maxReprices && !this.#halted && o.purpose !== 'external')
        o.replaceWith = o.side === 0 ? t.bid : t.ask;
      this.cancel(o, o.replaceWith > 0 ? 'market moved: reprice' : 'market moved away', emit);
    }
    void now;
  }

  #maybeExit(instrument: number, t: Touch, now: number, emit: Emitter): void {
    if (this.#exitInFlight.has(instrument)) return;
    const p = this.positions.peek(instrument);
    const spec = this.registry.get(instrument);
    if (!p || !spec) return;
    const why = evaluateExit(p, t.bid, t.ask, now, this.cfg.exits);
    if (why === null) return;
    const sell = p.qty > 0;
    const slip = Math.ceil(((sell ? t.bid : t.ask) * this.cfg.exits.slippageBps) / 10_000 / spec.tickSize) * spec.tickSize;
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
    this.#exitInFlight.set(instrument, cid);
    this.counters.exits++;
    this.#send(o, spec, emit);
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
    this.counters.cancelAlls++;
    if (instrument === null) {
      this.#cancelAllOwed = true;
      this.venue.cancelAll();
      for (const o of this.orders.values()) if (isOpen(o)) o.replaceWith = 0;
      return;
    }
    for (const o of this.orders.values()) {
      if (o.instrument !== instrument || !isOpen(o)) continue;
      o.replaceWith = 0;
      this.cancel(o, reason, emit);
    }
  }

  cancel(o: LiveOrder, reason: string, emit: Emitter): void {
    if (!isOpen(o) || o.cancelSentMs > 0) return;
    if (!this.venue.cancel(o.clientOrderId)) return;
    o.cancelSentMs = this.clock();
    this.counters.cancels++;
    if (o.status !== S.PendingNew) this.setStatus(o, S.PendingCancel, reason, 0, emit);
  }

  onFill(f: FillRecord, emit: Emitter): void {
    this.#bind(emit);
    // Fills come from the venue, not from upstream: an upstream fill is bad input.
    const known = typeof f?.clientOrderId === 'string' && this.orders.has(f.clientOrderId);
    this.counters.fillUnknownOrder += known ? 0 : 1;
    this.log.warn('fill record from upstream ignored', { clientOrderId: f?.clientOrderId, fillId: f?.fillId, known });
  }

  tick(nowMs: number, emit: Emitter): void {
    this.#bind(emit);
    void nowMs;
    const now = this.clock();
    const ack = this.cfg.ackTimeoutMs;
    for (const o of this.orders.values()) {
      if (!isOpen(o)) continue;
      if (o.status === S.PendingNew && o.sentSeq > 0 && now - o.sentMs > ack) {
        if (o.ackQueryMs === 0) {
          o.ackQueryMs = now;
          this.counters.ackTimeouts++;
          this.#reconciler.start('ack timeout');
        } else if (now - o.ackQueryMs > ack && o.cancelSentMs === 0) this.cancel(o, 'ack timeout', emit);
      } else if (o.cancelSentMs > 0 && now - o.cancelSentMs > ack) {
        o.cancelSentMs = 0; // no answer to the cancel: try again on the next pass
        this.#reconciler.start('cancel timeout');
      } else if (
        this.cfg.orderTtlMs > 0 &&
        o.tif === 0 &&
        o.status !== S.PendingNew &&
        now - o.createdMs > this.cfg.orderTtlMs &&
        o.cancelSentMs === 0
      ) {
        this.counters.ttlCancels++;
        this.cancel(o, 'time to live', emit);
      }
    }
    this.#reconciler.tick(now);
  }

  /** On shutdown: cancel everything at the venue (the worker waits for the answers). */
  shutdown(): number {
    let open = 0;
    for (const o of this.orders.values()) if (isOpen(o)) open++;
    if (this.cfg.cancelOnShutdown && open > 0) this.venue.cancelAll();
    return open;
  }

  get halted(): boolean {
    return this.#halted;
  }

  openOrders(): LiveOrder[] {
    return [...this.orders.values()].filter(isOpen);
  }

  get reconciling(): boolean {
    return this.#reconciler.active;
  }

  get lastEmitter(): Emitter | null {
    return this.#emit;
  }
}
