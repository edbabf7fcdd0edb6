import { BookDeltaDraft, BookSnapshotDraft, type InstrumentSpec, QuoteBatchDraft, SideCode, TradeBatchDraft } from '@tickline/wire';
import { type ParseContext, stamp } from '../context.js';
import { checkSnapshotSides, isObj, type Obj, readLevelArrays, readOptSeq, readPrice, readSize, tradeIdOf } from '../fields.js';
import type { FrameKindCode } from '../frame.js';
import type { VenueParser } from '../parser.js';
import { Reason } from '../reasons.js';
import { isoInto, type SplitTime } from '../time.js';

const CONTROL = new Set(['subscriptions', 'heartbeat', 'status']);
const IGNORED = new Set(['received', 'open', 'done', 'change', 'activate', 'l3update', 'full']);

/**
 * Coinbase Exchange (formerly Pro) legacy feed: `level2` (`snapshot`, then `l2update` with
 * `changes: [side, price, size]`, sizes absolute, no sequence numbers), `ticker` (best bid/ask,
 * `sequence` -> quote seq) and `matches` (`match`/`last_match`, `side` is the maker's side).
 */
export class CoinbaseLegacyParser implements VenueParser {
  readonly #ctx: ParseContext;
  readonly #delta = new BookDeltaDraft();
  readonly #snap = new BookSnapshotDraft();
  readonly #quotes = new QuoteBatchDraft();
  readonly #trades = new TradeBatchDraft();
  readonly #t: SplitTime = { s: 0, ns: 0 };

  constructor(ctx: ParseContext) {
    this.#ctx = ctx;
  }

  onMessage(msg: unknown, _kind: FrameKindCode, _context: string | null): void {
    const ctx = this.#ctx;
    if (!isObj(msg) || typeof msg.type !== 'string') {
      ctx.reject(Reason.UnknownMessage, 'expected an object with a string "type"');
      return;
    }
    switch (msg.type) {
      case 'l2update':
        this.#update(msg);
        return;
      case 'snapshot':
        this.#snapshot(msg);
        return;
      case 'ticker':
        this.#ticker(msg);
        return;
      case 'match':
      case 'last_match':
        this.#match(msg);
        return;
      case 'error':
        ctx.reject(
          Reason.VenueError,
          `error ${String(msg.message).slice(0, 80)} ${typeof msg.reason === 'string' ? msg.reason.slice(0, 80) : ''}`,
        );
        return;
      default:
        if (CONTROL.has(msg.type)) ctx.control();
        else if (IGNORED.has(msg.type)) ctx.ignored();
        else ctx.reject(Reason.UnknownMessage, `type "${msg.type.slice(0, 40)}"`);
    }
  }

  #time(v: unknown): void {
    if (!isoInto(v, this.#t)) {
      this.#t.s = 0;
      this.#t.ns = 0;
    }
  }

  #update(msg: Obj): void {
    const ctx = this.#ctx;
    const spec = ctx.instrument(msg.product_id, 'l2update.product_id');
    if (spec === undefined) return;
    const changes = msg.changes;
    if (!Array.isArray(changes)) {
      ctx.reject(changes === undefined ? Reason.MissingField : Reason.InvalidField, 'l2update.changes must be an array');
      return;
    }
    const d = this.#delta.reset();
    stamp(d, ctx, spec);
    this.#time(msg.time);
    d.exchS = this.#t.s;
    d.exchNs = this.#t.ns;
    for (let i = 0; i < changes.length; i++) {
      const ch: unknown = changes[i];
      if (!Array.isArray(ch) || ch.length < 3) {
        ctx.reject(Reason.InvalidField, `l2update.changes[${i}] must be [side, price, size]`);
        return;
      }
      const side = ch[0];
      const out = side === 'buy' ? d.bids : side === 'sell' ? d.asks : null;
      if (out === null) {
        ctx.reject(Reason.InvalidField, `l2update.changes[${i}][0] must be "buy" or "sell"`);
        return;
      }
      const p = readPrice(ctx, ch[1], spec, `l2update.changes[${i}][1] (price)`);
      if (Number.isNaN(p)) return;
      const s = readSize(ctx, ch[2], spec, `l2update.changes[${i}][2] (size)`);
      if (Number.isNaN(s)) return;
      out.push(p, s);
    }
    ctx.emitDelta(d);
  }

  #snapshot(msg: Obj): void {
    const ctx = this.#ctx;
    const spec = ctx.instrument(msg.product_id, 'snapshot.product_id');
    if (spec === undefined) return;
    const s = this.#snap.reset();
    stamp(s, ctx, spec);
    this.#time(msg.time);
    s.exchS = this.#t.s;
    s.exchNs = this.#t.ns;
    if (!readLevelArrays(ctx, msg.bids, s.bids, spec, 'snapshot.bids')) return;
    if (!readLevelArrays(ctx, msg.asks, s.asks, spec, 'snapshot.asks')) return;
    if (!checkSnapshotSides(ctx, s.bids, s.asks, 'snapshot')) return;
    ctx.emitSnapshot(s);
  }

  #ticker(msg: Obj): void {
    const ctx = this.#ctx;
    const spec = ctx.instrument(msg.product_id, 'ticker.product_id');
    if (spec === undefined) return;
    const seq = readOptSeq(ctx, msg.sequence, 'ticker.sequence');
    if (seq === null) return;
    const bp = readPrice(ctx, msg.best_bid, spec, 'ticker.best_bid');
    if (Number.isNaN(bp)) return;
    const ap = readPrice(ctx, msg.best_ask, spec, 'ticker.best_ask');
    if (Number.isNaN(ap)) return;
    // Sizes arrived in the ticker later (best_bid_size / best_ask_size); absent -> NaN.
    const bs = this.#optSize(spec, msg.best_bid_size, 'ticker.best_bid_size');
    if (bs === null) return;
    const as = this.#optSize(spec, msg.best_ask_size, 'ticker.best_ask_size');
    if (as === null) return;
    this.#time(msg.time);
    const q = this.#quotes.reset();
    stamp(q, ctx, spec);
    q.push(bp, bs, ap, as, seq, this.#t.s, this.#t.ns);
    ctx.emitQuotes(q);
  }

  #optSize(spec: InstrumentSpec, v: unknown, field: string): number | null {
    if (v === undefined || v === null) return Number.NaN;
    const s = readSize(this.#ctx, v, spec, field);
    return Number.isNaN(s) ? null : s;
  }

  #match(msg: Obj): void {
    const ctx = this.#ctx;
    const spec = ctx.instrument(msg.product_id, `${msg.type}.product_id`);
    if (spec === undefined) return;
    const p = readPrice(ctx, msg.price, spec, `${msg.type}.price`);
    if (Number.isNaN(p)) return;
    const q = readSize(ctx, msg.size, spec, `${msg.type}.size`);
    if (Number.isNaN(q)) return;
    const id = tradeIdOf(msg.trade_id);
    // `side` is the maker order's side: a sell maker means a buyer took liquidity.
    const side = msg.side === 'sell' ? SideCode.Buy : msg.side === 'buy' ? SideCode.Sell : -1;
    if (side === -1) {
      ctx.reject(Reason.InvalidField, `${msg.type}.side must be "buy" or "sell"`);
      return;
    }
    this.#time(msg.time);
    const t = this.#trades.reset();
    stamp(t, ctx, spec);
    t.push(p, q, side, id, this.#t.s, this.#t.ns);
    ctx.emitTrades(t);
  }
}
