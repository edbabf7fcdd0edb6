import { BookDeltaDraft, BookSnapshotDraft, type InstrumentSpec, QuoteBatchDraft, SideCode, TradeBatchDraft } from '@tickline/wire';
import { type ParseContext, stamp } from '../context.js';
import { checkSnapshotSides, isObj, type Obj, readLevelObjects, readPrice, readSize, tradeIdOf } from '../fields.js';
import type { FrameKindCode } from '../frame.js';
import type { VenueParser } from '../parser.js';
import { Reason } from '../reasons.js';
import { isoInto, type SplitTime } from '../time.js';

const CONTROL_CHANNELS = new Set(['heartbeat', 'status', 'pong']);

/**
 * Kraken WebSocket v2 (`wss://ws.kraken.com/v2`). `book`: type snapshot/update, `data[]` per
 * symbol with `bids`/`asks` of `{price, qty}` as JSON numbers (full precision on the wire; read
 * exactly at the instrument's price/qty precision), `checksum` (CRC32, unsigned) -> checksum.
 * `ticker` -> quotes; `trade` -> trades (`side` is the taker's). Method responses are control,
 * or venue errors when `success` is false.
 */
export class KrakenParser implements VenueParser {
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
    if (!isObj(msg)) {
      ctx.reject(Reason.UnknownMessage, 'expected a JSON object');
      return;
    }
    if (typeof msg.method === 'string') {
      if (msg.success === false) ctx.reject(Reason.VenueError, `${msg.method} failed: ${String(msg.error).slice(0, 80)}`);
      else ctx.control();
      return;
    }
    if (msg.error !== undefined) {
      ctx.reject(Reason.VenueError, `error ${String(msg.error).slice(0, 80)}`);
      return;
    }
    const ch = msg.channel;
    if (typeof ch !== 'string') {
      ctx.reject(ch === undefined ? Reason.MissingField : Reason.InvalidField, 'channel must be a string');
      return;
    }
    if (CONTROL_CHANNELS.has(ch)) {
      ctx.control();
      return;
    }
    if (ch !== 'book' && ch !== 'ticker' && ch !== 'trade') {
      ctx.ignored();
      return;
    }
    const data = msg.data;
    if (!Array.isArray(data)) {
      ctx.reject(data === undefined ? Reason.MissingField : Reason.InvalidField, 'data must be an array');
      return;
    }
    if (data.length === 0) {
      ctx.ignored();
      return;
    }
    for (let i = 0; i < data.length; i++) {
      const e: unknown = data[i];
      if (!isObj(e)) {
        ctx.reject(Reason.InvalidField, `data[${i}] must be an object`);
        return;
      }
      const spec = ctx.instrument(e.symbol, `data[${i}].symbol`);
      if (spec === undefined) continue;
      if (ch === 'book') {
        if (msg.type === 'snapshot') this.#snapshot(e, spec, i);
        else if (msg.type === 'update') this.#update(e, spec, i);
        else ctx.reject(Reason.InvalidField, 'type must be "snapshot" or "update"');
      } else if (ch === 'ticker') {
        this.#ticker(e, spec, i);
      } else {
        this.#trade(e, spec, i);
      }
    }
  }

  #time(v: unknown): void {
    if (!isoInto(v, this.#t)) {
      this.#t.s = 0;
      this.#t.ns = 0;
    }
  }

  #checksum(v: unknown, field: string): number | null {
    if (v === undefined) return Number.NaN;
    if (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 0xffffffff) return v;
    this.#ctx.reject(Reason.InvalidField, `${field} must be an unsigned 32-bit integer`);
    return null;
  }

  #snapshot(e: Obj, spec: InstrumentSpec, i: number): void {
    const ctx = this.#ctx;
    const s = this.#snap.reset();
    stamp(s, ctx, spec);
    const cs = this.#checksum(e.checksum, `data[${i}].checksum`);
    if (cs === null) return;
    s.checksum = cs;
    this.#time(e.timestamp);
    s.exchS = this.#t.s;
    s.exchNs = this.#t.ns;
    if (!readLevelObjects(ctx, e.bids, s.bids, spec, `data[${i}].bids`, 'price', 'qty')) return;
    if (!readLevelObjects(ctx, e.asks, s.asks, spec, `data[${i}].asks`, 'price', 'qty')) return;
    if (!checkSnapshotSides(ctx, s.bids, s.asks, 'book snapshot')) return;
    ctx.emitSnapshot(s);
  }

  #update(e: Obj, spec: InstrumentSpec, i: number): void {
    const ctx = this.#ctx;
    const d = this.#delta.reset();
    stamp(d, ctx, spec);
    const cs = this.#checksum(e.checksum, `data[${i}].checksum`);
    if (cs === null) return;
    d.checksum = cs;
    this.#time(e.timestamp);
    d.exchS = this.#t.s;
    d.exchNs = this.#t.ns;
    if (!readLevelObjects(ctx, e.bids, d.bids, spec, `data[${i}].bids`, 'price', 'qty')) return;
    if (!readLevelObjects(ctx, e.asks, d.asks, spec, `data[${i}].asks`, 'price', 'qty')) return;
    ctx.emitDelta(d);
  }

  #ticker(e: Obj, spec: InstrumentSpec, i: number): void {
    const ctx = this.#ctx;
    const f = `data[${i}]`;
    const bp = readPrice(ctx, e.bid, spec, `${f}.bid`);
    if (Number.isNaN(bp)) return;
    const bs = readSize(ctx, e.bid_qty, spec, `${f}.bid_qty`);
    if (Number.isNaN(bs)) return;
    const ap = readPrice(ctx, e.ask, spec, `${f}.ask`);
    if (Number.isNaN(ap)) return;
    const as = readSize(ctx, e.ask_qty, spec, `${f}.ask_qty`);
    if (Number.isNaN(as)) return;
    this.#time(e.timestamp);
    const q = this.#quotes.reset();
    stamp(q, ctx, spec);
    q.push(bp, bs, ap, as, Number.NaN, this.#t.s, this.#t.ns);
    ctx.emitQuotes(q);
  }

  #trade(e: Obj, spec: InstrumentSpec, i: number): void {
    const ctx = this.#ctx;
    const f = `data[${i}]`;
    const px = readPrice(ctx, e.price, spec, `${f}.price`);
    if (Number.isNaN(px)) return;
    const sz = readSize(ctx, e.qty, spec, `${f}.qty`);
    if (Number.isNaN(sz)) return;
    const side = e.side === 'buy' ? SideCode.Buy : e.side === 'sell' ? SideCode.Sell : -1;
    if (side === -1) {
      ctx.reject(Reason.InvalidField, `${f}.side must be "buy" or "sell"`);
      return;
    }
    this.#time(e.timestamp);
    const tb = this.#trades.reset();
    stamp(tb, ctx, spec);
    tb.push(px, sz, side, tradeIdOf(e.trade_id), this.#t.s, this.#t.ns);
    ctx.emitTrades(tb);
  }
}
