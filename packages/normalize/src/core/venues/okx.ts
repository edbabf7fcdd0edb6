import { BookDeltaDraft, BookSnapshotDraft, type InstrumentSpec, QuoteBatchDraft, SideCode, TradeBatchDraft } from '@tickline/wire';
import { type ParseContext, stamp } from '../context.js';
import { checkSnapshotSides, isObj, type Obj, readLevelArrays, readOptSeq, readPrice, readSize, tradeIdOf } from '../fields.js';
import type { FrameKindCode } from '../frame.js';
import type { VenueParser } from '../parser.js';
import { Reason } from '../reasons.js';
import { msInto, type SplitTime } from '../time.js';

const CONTROL_EVENTS = new Set(['subscribe', 'unsubscribe', 'login', 'channel-conn-count', 'notice']);

/** OKX order-book channels: `books`, `books5`, `bbo-tbt`, `books-l2-tbt`, `books50-l2-tbt`, `books-elp`. */
function isBookChannel(ch: string): boolean {
  return ch.startsWith('books') || ch === 'bbo-tbt';
}

/**
 * OKX v5 public channels. Books: `action` "snapshot"/"update" (channels without `action`, such
 * as books5 and bbo-tbt, are full images, so snapshots); levels `[price, size, "0", orders]`;
 * `seqId` -> firstSeq = lastSeq (snapshot: seq), `prevSeqId` -> prevSeq, `checksum` (signed
 * CRC32) -> checksum. `tickers` -> quotes; `trades` -> trades (`side` is the taker's).
 */
export class OkxParser implements VenueParser {
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
    if (typeof msg.event === 'string') {
      if (msg.event === 'error') ctx.reject(Reason.VenueError, `error ${String(msg.code)} ${String(msg.msg).slice(0, 80)}`);
      else if (CONTROL_EVENTS.has(msg.event)) ctx.control();
      else ctx.ignored();
      return;
    }
    const arg = msg.arg;
    if (!isObj(arg) || typeof arg.channel !== 'string') {
      ctx.reject(arg === undefined ? Reason.MissingField : Reason.InvalidField, 'arg.channel must be a string');
      return;
    }
    const data = msg.data;
    if (!Array.isArray(data)) {
      ctx.reject(data === undefined ? Reason.MissingField : Reason.InvalidField, 'data must be an array');
      return;
    }
    const ch = arg.channel;
    if (data.length === 0) {
      ctx.ignored(); // nothing to map (OKX sends no empty pushes, but count it)
      return;
    }
    if (isBookChannel(ch)) {
      const spec = ctx.instrument(arg.instId, 'arg.instId');
      if (spec === undefined) return;
      const update = msg.action === 'update';
      if (!update && msg.action !== undefined && msg.action !== 'snapshot') {
        ctx.reject(Reason.InvalidField, 'action must be "snapshot" or "update"');
        return;
      }
      for (let i = 0; i < data.length; i++) {
        const entry: unknown = data[i];
        if (!isObj(entry)) {
          ctx.reject(Reason.InvalidField, `data[${i}] must be an object`);
          return;
        }
        if (update) this.#update(entry, spec);
        else this.#snapshot(entry, spec);
      }
    } else if (ch === 'tickers') {
      this.#tickers(data, arg);
    } else if (ch === 'trades' || ch === 'trades-all') {
      this.#tradesOf(data, arg);
    } else {
      ctx.ignored();
    }
  }

  #time(v: unknown): void {
    if (!msInto(v, this.#t)) {
      this.#t.s = 0;
      this.#t.ns = 0;
    }
  }

  #checksum(v: unknown): number | null {
    if (v === undefined) return Number.NaN;
    if (typeof v === 'number' && Number.isInteger(v) && v >= -0x80000000 && v <= 0x7fffffff) return v;
    this.#ctx.reject(Reason.InvalidField, 'checksum must be a signed 32-bit integer');
    return null;
  }

  #update(e: Obj, spec: InstrumentSpec): void {
    const ctx = this.#ctx;
    const d = this.#delta.reset();
    stamp(d, ctx, spec);
    const seq = readOptSeq(ctx, e.seqId, 'data.seqId');
    if (seq === null) return;
    const prev = readOptSeq(ctx, e.prevSeqId, 'data.prevSeqId', true);
    if (prev === null) return;
    const cs = this.#checksum(e.checksum);
    if (cs === null) return;
    d.firstSeq = seq;
    d.lastSeq = seq;
    d.prevSeq = prev;
    d.checksum = cs;
    this.#time(e.ts);
    d.exchS = this.#t.s;
    d.exchNs = this.#t.ns;
    if (!readLevelArrays(ctx, e.bids, d.bids, spec, 'data.bids')) return;
    if (!readLevelArrays(ctx, e.asks, d.asks, spec, 'data.asks')) return;
    ctx.emitDelta(d);
  }

  #snapshot(e: Obj, spec: InstrumentSpec): void {
    const ctx = this.#ctx;
    const s = this.#snap.reset();
    stamp(s, ctx, spec);
    const seq = readOptSeq(ctx, e.seqId, 'data.seqId');
    if (seq === null) return;
    const cs = this.#checksum(e.checksum);
    if (cs === null) return;
    s.seq = seq;
    s.checksum = cs;
    this.#time(e.ts);
    s.exchS = this.#t.s;
    s.exchNs = this.#t.ns;
    if (!readLevelArrays(ctx, e.bids, s.bids, spec, 'data.bids')) return;
    if (!readLevelArrays(ctx, e.asks, s.asks, spec, 'data.asks')) return;
    if (!checkSnapshotSides(ctx, s.bids, s.asks, 'books snapshot')) return;
    ctx.emitSnapshot(s);
  }

  #tickers(data: unknown[], arg: Obj): void {
    const ctx = this.#ctx;
    for (let i = 0; i < data.length; i++) {
      const e: unknown = data[i];
      if (!isObj(e)) {
        ctx.reject(Reason.InvalidField, `data[${i}] must be an object`);
        return;
      }
      const spec = ctx.instrument(e.instId ?? arg.instId, 'data.instId');
      if (spec === undefined) return;
      const bp = readPrice(ctx, e.bidPx, spec, 'data.bidPx');
      if (Number.isNaN(bp)) return;
      const bs = readSize(ctx, e.bidSz, spec, 'data.bidSz');
      if (Number.isNaN(bs)) return;
      const ap = readPrice(ctx, e.askPx, spec, 'data.askPx');
      if (Number.isNaN(ap)) return;
      const as = readSize(ctx, e.askSz, spec, 'data.askSz');
      if (Number.isNaN(as)) return;
      this.#time(e.ts);
      const q = this.#quotes.reset();
      stamp(q, ctx, spec);
      q.push(bp, bs, ap, as, Number.NaN, this.#t.s, this.#t.ns);
      ctx.emitQuotes(q);
    }
  }

  #tradesOf(data: unknown[], arg: Obj): void {
    const ctx = this.#ctx;
    const tb = this.#trades.reset();
    let spec: InstrumentSpec | undefined;
    for (let i = 0; i < data.length; i++) {
      const e: unknown = data[i];
      if (!isObj(e)) {
        ctx.reject(Reason.InvalidField, `data[${i}] must be an object`);
        return;
      }
      const s = ctx.instrument(e.instId ?? arg.instId, 'data.instId');
      if (s === undefined) return;
      if (spec !== undefined && s !== spec) {
        ctx.emitTrades(tb);
        tb.reset();
      }
      if (tb.length === 0) stamp(tb, ctx, s);
      spec = s;
      const px = readPrice(ctx, e.px, s, 'data.px');
      if (Number.isNaN(px)) return;
      const sz = readSize(ctx, e.sz, s, 'data.sz');
      if (Number.isNaN(sz)) return;
      const id = tradeIdOf(e.tradeId);
      const side = e.side === 'buy' ? SideCode.Buy : e.side === 'sell' ? SideCode.Sell : -1;
      if (side === -1) {
        ctx.reject(Reason.InvalidField, 'data.side must be "buy" or "sell"');
        return;
      }
      this.#time(e.ts);
      tb.push(px, sz, side, id, this.#t.s, this.#t.ns);
    }
    if (tb.length > 0) ctx.emitTrades(tb);
    else ctx.ignored();
  }
}
