import { BookDeltaDraft, BookSnapshotDraft, type InstrumentSpec, QuoteBatchDraft, SideCode, TradeBatchDraft } from '@tickline/wire';
import { type ParseContext, stamp } from '../context.js';
import { checkSnapshotSides, isObj, type Obj, readLevelArrays, readOptSeq, readPrice, readSeq, readSize, tradeIdOf } from '../fields.js';
import { FrameKind, type FrameKindCode, queryParam, requestPath } from '../frame.js';
import type { VenueParser } from '../parser.js';
import { Reason } from '../reasons.js';
import { msInto, type SplitTime } from '../time.js';
import { BinanceDepthScanner } from './binance-scan.js';

/** Which Binance market: spot (`/api/v3`), USD-M futures (`/fapi/v1`), COIN-M futures (`/dapi/v1`). */
export type BinanceMarket = 'spot' | 'usdm' | 'coinm';

const DEPTH_PATH: Record<BinanceMarket, string> = { spot: '/api/v3/depth', usdm: '/fapi/v1/depth', coinm: '/dapi/v1/depth' };

const PARTIAL_DEPTH = /@depth(5|10|20)(@|$)/;

/**
 * Binance spot and futures market streams (raw or combined `{"stream","data"}`) and REST depth
 * snapshots. Diff depth: U -> firstSeq, u -> lastSeq, pu -> prevSeq (futures). bookTicker: u -> seq.
 */
export class BinanceParser implements VenueParser {
  readonly #ctx: ParseContext;
  readonly #market: BinanceMarket;
  readonly #delta = new BookDeltaDraft();
  readonly #snap = new BookSnapshotDraft();
  readonly #quotes = new QuoteBatchDraft();
  readonly #trades = new TradeBatchDraft();
  readonly #t: SplitTime = { s: 0, ns: 0 };
  readonly #scan: BinanceDepthScanner;

  constructor(ctx: ParseContext, market: BinanceMarket) {
    this.#ctx = ctx;
    this.#market = market;
    this.#scan = new BinanceDepthScanner(ctx, this.#delta, this.#quotes, market !== 'spot');
  }

  fast(bytes: Uint8Array): boolean {
    return this.#scan.tryFrame(bytes);
  }

  onMessage(msg: unknown, kind: FrameKindCode, context: string | null): void {
    const ctx = this.#ctx;
    if (!isObj(msg)) {
      ctx.reject(Reason.UnknownMessage, 'expected a JSON object');
      return;
    }
    if (kind === FrameKind.RestResponse) {
      this.#rest(msg, context);
      return;
    }
    let data: Obj = msg;
    let stream: string | undefined;
    if (typeof msg.stream === 'string' && isObj(msg.data)) {
      stream = msg.stream;
      data = msg.data;
    }
    switch (data.e) {
      case 'depthUpdate':
        if (stream !== undefined && PARTIAL_DEPTH.test(stream)) this.#partialFutures(data);
        else this.#depth(data);
        return;
      case 'bookTicker':
        this.#bookTicker(data);
        return;
      case 'aggTrade':
        this.#trade(data, data.a);
        return;
      case 'trade':
        this.#trade(data, data.t);
        return;
      case undefined:
        break;
      default:
        if (typeof data.e === 'string') ctx.ignored();
        else ctx.reject(Reason.InvalidField, 'e must be a string');
        return;
    }
    if ('lastUpdateId' in data && stream !== undefined) this.#partialSpot(data, stream);
    else if ('u' in data && 's' in data && 'b' in data && 'a' in data) this.#bookTicker(data);
    else if ('result' in data && 'id' in data) ctx.control();
    else if ('code' in data || 'error' in data) ctx.reject(Reason.VenueError, `error ${errorText(data)}`);
    else ctx.reject(Reason.UnknownMessage, 'object without a known event type "e"');
  }

  #time(data: Obj): void {
    const t = this.#t;
    if (!msInto(data.T ?? data.E, t)) {
      t.s = 0;
      t.ns = 0;
    }
  }

  #depth(data: Obj): void {
    const ctx = this.#ctx;
    const spec = ctx.instrument(data.s, 'depthUpdate.s');
    if (spec === undefined) return;
    const d = this.#delta.reset();
    stamp(d, ctx, spec);
    const first = readSeq(ctx, data.U, 'depthUpdate.U');
    if (Number.isNaN(first)) return;
    const last = readSeq(ctx, data.u, 'depthUpdate.u');
    if (Number.isNaN(last)) return;
    const prev = readOptSeq(ctx, data.pu, 'depthUpdate.pu');
    if (prev === null) return;
    d.firstSeq = first;
    d.lastSeq = last;
    d.prevSeq = prev;
    this.#time(data);
    d.exchS = this.#t.s;
    d.exchNs = this.#t.ns;
    if (!readLevelArrays(ctx, data.b, d.bids, spec, 'depthUpdate.b')) return;
    if (!readLevelArrays(ctx, data.a, d.asks, spec, 'depthUpdate.a')) return;
    ctx.emitDelta(d);
  }

  #snapshot(spec: InstrumentSpec, seq: number, data: Obj, bidsKey: string, asksKey: string, what: string): void {
    const ctx = this.#ctx;
    const s = this.#snap.reset();
    stamp(s, ctx, spec);
    s.seq = seq;
    this.#time(data);
    s.exchS = this.#t.s;
    s.exchNs = this.#t.ns;
    if (!readLevelArrays(ctx, data[bidsKey], s.bids, spec, `${what}.${bidsKey}`)) return;
    if (!readLevelArrays(ctx, data[asksKey], s.asks, spec, `${what}.${asksKey}`)) return;
    if (!checkSnapshotSides(ctx, s.bids, s.asks, what)) return;
    ctx.emitSnapshot(s);
  }

  #rest(body: Obj, context: string | null): void {
    const ctx = this.#ctx;
    const path = requestPath(context);
    if (path !== DEPTH_PATH[this.#market]) {
      ctx.reject(Reason.UnknownRequest, `REST path "${path.slice(0, 60)}" is not ${DEPTH_PATH[this.#market]}`);
      return;
    }
    if ('code' in body && 'msg' in body) {
      ctx.reject(Reason.VenueError, `REST ${path} error ${errorText(body)}`);
      return;
    }
    const spec = ctx.instrument(queryParam(context, 'symbol'), 'request symbol parameter');
    if (spec === undefined) return;
    const seq = readSeq(ctx, body.lastUpdateId, 'depth.lastUpdateId');
    if (Number.isNaN(seq)) return;
    this.#snapshot(spec, seq, body, 'bids', 'asks', 'depth');
  }

  /** Spot partial book depth (`<symbol>@depth5`): no symbol in the body, so it comes from the stream. */
  #partialSpot(data: Obj, stream: string): void {
    const ctx = this.#ctx;
    const at = stream.indexOf('@');
    const spec = ctx.instrument((at < 0 ? stream : stream.slice(0, at)).toUpperCase(), 'stream symbol');
    if (spec === undefined) return;
    const seq = readSeq(ctx, data.lastUpdateId, 'depth.lastUpdateId');
    if (Number.isNaN(seq)) return;
    this.#snapshot(spec, seq, data, 'bids', 'asks', 'partialDepth');
  }

  /** Futures partial book depth: a depthUpdate carrying the top N levels, i.e. a snapshot at `u`. */
  #partialFutures(data: Obj): void {
    const ctx = this.#ctx;
    const spec = ctx.instrument(data.s, 'depthUpdate.s');
    if (spec === undefined) return;
    const seq = readSeq(ctx, data.u, 'depthUpdate.u');
    if (Number.isNaN(seq)) return;
    this.#snapshot(spec, seq, data, 'b', 'a', 'partialDepth');
  }

  #bookTicker(data: Obj): void {
    const ctx = this.#ctx;
    const spec = ctx.instrument(data.s, 'bookTicker.s');
    if (spec === undefined) return;
    const seq = readSeq(ctx, data.u, 'bookTicker.u');
    if (Number.isNaN(seq)) return;
    const bp = readPrice(ctx, data.b, spec, 'bookTicker.b');
    if (Number.isNaN(bp)) return;
    const bs = readSize(ctx, data.B, spec, 'bookTicker.B');
    if (Number.isNaN(bs)) return;
    const ap = readPrice(ctx, data.a, spec, 'bookTicker.a');
    if (Number.isNaN(ap)) return;
    const as = readSize(ctx, data.A, spec, 'bookTicker.A');
    if (Number.isNaN(as)) return;
    this.#time(data);
    const q = this.#quotes.reset();
    stamp(q, ctx, spec);
    q.push(bp, bs, ap, as, seq, this.#t.s, this.#t.ns);
    ctx.emitQuotes(q);
  }

  #trade(data: Obj, id: unknown): void {
    const ctx = this.#ctx;
    const spec = ctx.instrument(data.s, `${data.e}.s`);
    if (spec === undefined) return;
    const p = readPrice(ctx, data.p, spec, `${data.e}.p`);
    if (Number.isNaN(p)) return;
    const q = readSize(ctx, data.q, spec, `${data.e}.q`);
    if (Number.isNaN(q)) return;
    const tradeId = tradeIdOf(id);
    if (typeof data.m !== 'boolean') {
      ctx.reject(data.m === undefined ? Reason.MissingField : Reason.InvalidField, `${data.e}.m must be a boolean`);
      return;
    }
    this.#time(data);
    const t = this.#trades.reset();
    stamp(t, ctx, spec);
    // m: the buyer was the maker, so the aggressor sold.
    t.push(p, q, data.m ? SideCode.Sell : SideCode.Buy, tradeId, this.#t.s, this.#t.ns);
    ctx.emitTrades(t);
  }
}

function errorText(o: Obj): string {
  const code = typeof o.code === 'number' || typeof o.code === 'string' ? String(o.code) : '?';
  const msg =
    typeof o.msg === 'string'
      ? o.msg
      : typeof o.error === 'string'
        ? o.error
        : isObj(o.error) && typeof o.error.msg === 'string'
          ? o.error.msg
          : '';
  return `${code} ${msg.slice(0, 80)}`;
}
