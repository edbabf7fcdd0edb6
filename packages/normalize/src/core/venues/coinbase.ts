import { BookDeltaDraft, BookSnapshotDraft, type InstrumentSpec, QuoteBatchDraft, SideCode, TradeBatchDraft } from '@tickline/wire';
import { type ParseContext, stamp } from '../context.js';
import { checkSnapshotSides, isObj, type Obj, readPrice, readSeq, readSize, sortBestFirst, tradeIdOf } from '../fields.js';
import type { FrameKindCode } from '../frame.js';
import type { VenueParser } from '../parser.js';
import { Reason } from '../reasons.js';
import { isoInto, type SplitTime } from '../time.js';

const CONTROL_CHANNELS = new Set(['subscriptions', 'heartbeats', 'status']);

/**
 * Coinbase Advanced Trade WebSocket. `level2` arrives on channel `l2_data`: events of type
 * snapshot/update with `updates[{side: "bid"|"offer", price_level, new_quantity}]` (absolute
 * sizes, "0" removes); the envelope's `sequence_num` (per connection, all channels) ->
 * firstSeq = lastSeq (snapshot: seq). `ticker`/`ticker_batch` -> quotes (seq = sequence_num);
 * `market_trades` -> trades, whose `side` is the maker's, so the aggressor is the other side.
 */
export class CoinbaseParser implements VenueParser {
  readonly #ctx: ParseContext;
  readonly #delta = new BookDeltaDraft();
  readonly #snap = new BookSnapshotDraft();
  readonly #quotes = new QuoteBatchDraft();
  readonly #trades = new TradeBatchDraft();
  readonly #t: SplitTime = { s: 0, ns: 0 };
  /** Last sequence_num seen per connection (it counts every message of the connection). */
  readonly #lastSeq = new Map<number, number>();

  constructor(ctx: ParseContext) {
    this.#ctx = ctx;
  }

  /**
   * Connection-level continuity: sequence_num rises by one per message on a connection, across
   * every channel (heartbeats included). A new connection starts again at 0.
   */
  #checkSequence(seq: unknown): void {
    if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 0) return;
    const ctx = this.#ctx;
    const last = this.#lastSeq.get(ctx.connId);
    this.#lastSeq.set(ctx.connId, seq);
    if (last === undefined || seq === 0) return;
    ctx.sink.sequenceCheck?.(ctx.venue, ctx.connId, last + 1, seq);
  }

  onMessage(msg: unknown, _kind: FrameKindCode, _context: string | null): void {
    const ctx = this.#ctx;
    if (!isObj(msg)) {
      ctx.reject(Reason.UnknownMessage, 'expected a JSON object');
      return;
    }
    if (msg.type === 'error') {
      ctx.reject(Reason.VenueError, `error ${String(msg.message).slice(0, 80)}`);
      return;
    }
    this.#checkSequence(msg.sequence_num);
    const ch = msg.channel;
    if (typeof ch !== 'string') {
      ctx.reject(ch === undefined ? Reason.MissingField : Reason.InvalidField, 'channel must be a string');
      return;
    }
    if (CONTROL_CHANNELS.has(ch)) {
      ctx.control();
      return;
    }
    const isBook = ch === 'l2_data' || ch === 'level2';
    if (!isBook && ch !== 'ticker' && ch !== 'ticker_batch' && ch !== 'market_trades') {
      ctx.ignored();
      return;
    }
    const seq = readSeq(ctx, msg.sequence_num, 'sequence_num');
    if (Number.isNaN(seq)) return;
    const events = msg.events;
    if (!Array.isArray(events)) {
      ctx.reject(events === undefined ? Reason.MissingField : Reason.InvalidField, 'events must be an array');
      return;
    }
    if (events.length === 0) {
      ctx.ignored();
      return;
    }
    if (!isoInto(msg.timestamp, this.#t)) {
      this.#t.s = 0;
      this.#t.ns = 0;
    }
    for (let i = 0; i < events.length; i++) {
      const ev: unknown = events[i];
      if (!isObj(ev)) {
        ctx.reject(Reason.InvalidField, `events[${i}] must be an object`);
        return;
      }
      if (isBook) this.#book(ev, seq, i);
      else if (ch === 'market_trades') this.#marketTrades(ev, i);
      else this.#tickers(ev, seq, i);
    }
  }

  #book(ev: Obj, seq: number, i: number): void {
    const ctx = this.#ctx;
    const spec = ctx.instrument(ev.product_id, `events[${i}].product_id`);
    if (spec === undefined) return;
    const updates = ev.updates;
    if (!Array.isArray(updates)) {
      ctx.reject(updates === undefined ? Reason.MissingField : Reason.InvalidField, `events[${i}].updates must be an array`);
      return;
    }
    const snapshot = ev.type === 'snapshot';
    if (!snapshot && ev.type !== 'update') {
      ctx.reject(Reason.InvalidField, `events[${i}].type must be "snapshot" or "update"`);
      return;
    }
    const target = snapshot ? this.#snap.reset() : this.#delta.reset();
    stamp(target, ctx, spec);
    target.exchS = this.#t.s;
    target.exchNs = this.#t.ns;
    for (let k = 0; k < updates.length; k++) {
      const u: unknown = updates[k];
      const f = `events[${i}].updates[${k}]`;
      if (!isObj(u)) {
        ctx.reject(Reason.InvalidField, `${f} must be an object`);
        return;
      }
      const out = u.side === 'bid' ? target.bids : u.side === 'offer' || u.side === 'ask' ? target.asks : null;
      if (out === null) {
        ctx.reject(u.side === undefined ? Reason.MissingField : Reason.InvalidField, `${f}.side must be "bid" or "offer"`);
        return;
      }
      const p = readPrice(ctx, u.price_level, spec, `${f}.price_level`);
      if (Number.isNaN(p)) return;
      const s = readSize(ctx, u.new_quantity, spec, `${f}.new_quantity`);
      if (Number.isNaN(s)) return;
      out.push(p, s);
    }
    if (snapshot) {
      const s = this.#snap;
      s.seq = seq;
      sortBestFirst(s.bids, true);
      sortBestFirst(s.asks, false);
      if (!checkSnapshotSides(ctx, s.bids, s.asks, 'l2_data snapshot')) return;
      ctx.emitSnapshot(s);
    } else {
      const d = this.#delta;
      d.firstSeq = seq;
      d.lastSeq = seq;
      ctx.emitDelta(d);
    }
  }

  #tickers(ev: Obj, seq: number, i: number): void {
    const ctx = this.#ctx;
    const list = ev.tickers;
    if (!Array.isArray(list)) {
      ctx.reject(list === undefined ? Reason.MissingField : Reason.InvalidField, `events[${i}].tickers must be an array`);
      return;
    }
    if (list.length === 0) ctx.ignored();
    for (let k = 0; k < list.length; k++) {
      const tk: unknown = list[k];
      const f = `events[${i}].tickers[${k}]`;
      if (!isObj(tk)) {
        ctx.reject(Reason.InvalidField, `${f} must be an object`);
        return;
      }
      const spec = ctx.instrument(tk.product_id, `${f}.product_id`);
      if (spec === undefined) return;
      const bp = readPrice(ctx, tk.best_bid, spec, `${f}.best_bid`);
      if (Number.isNaN(bp)) return;
      const bs = readSize(ctx, tk.best_bid_quantity, spec, `${f}.best_bid_quantity`);
      if (Number.isNaN(bs)) return;
      const ap = readPrice(ctx, tk.best_ask, spec, `${f}.best_ask`);
      if (Number.isNaN(ap)) return;
      const as = readSize(ctx, tk.best_ask_quantity, spec, `${f}.best_ask_quantity`);
      if (Number.isNaN(as)) return;
      const q = this.#quotes.reset();
      stamp(q, ctx, spec);
      q.push(bp, bs, ap, as, seq, this.#t.s, this.#t.ns);
      ctx.emitQuotes(q);
    }
  }

  #marketTrades(ev: Obj, i: number): void {
    const ctx = this.#ctx;
    const list = ev.trades;
    if (!Array.isArray(list)) {
      ctx.reject(list === undefined ? Reason.MissingField : Reason.InvalidField, `events[${i}].trades must be an array`);
      return;
    }
    const tb = this.#trades.reset();
    const t: SplitTime = this.#t;
    let spec: InstrumentSpec | undefined;
    for (let k = 0; k < list.length; k++) {
      const tr: unknown = list[k];
      const f = `events[${i}].trades[${k}]`;
      if (!isObj(tr)) {
        ctx.reject(Reason.InvalidField, `${f} must be an object`);
        return;
      }
      const s = ctx.instrument(tr.product_id, `${f}.product_id`);
      if (s === undefined) return;
      if (spec !== undefined && s !== spec) {
        ctx.emitTrades(tb);
        tb.reset();
      }
      if (tb.length === 0) stamp(tb, ctx, s);
      spec = s;
      const px = readPrice(ctx, tr.price, s, `${f}.price`);
      if (Number.isNaN(px)) return;
      const sz = readSize(ctx, tr.size, s, `${f}.size`);
      if (Number.isNaN(sz)) return;
      const id = tradeIdOf(tr.trade_id);
      const side = tr.side === 'SELL' ? SideCode.Buy : tr.side === 'BUY' ? SideCode.Sell : -1;
      if (side === -1) {
        ctx.reject(Reason.InvalidField, `${f}.side must be "BUY" or "SELL"`);
        return;
      }
      if (!isoInto(tr.time, t)) {
        ctx.reject(Reason.InvalidField, `${f}.time must be an RFC 3339 time`);
        return;
      }
      tb.push(px, sz, side, id, t.s, t.ns);
    }
    if (tb.length > 0) ctx.emitTrades(tb);
    else ctx.ignored();
  }
}
