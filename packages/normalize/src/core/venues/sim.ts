import { BookDeltaDraft, BookSnapshotDraft, type InstrumentSpec, SideCode, TradeBatchDraft } from '@tickline/wire';
import { type ParseContext, stamp } from '../context.js';
import { checkSnapshotSides, isObj, type Obj, readLevelArrays, readOptSeq, readPrice, readSeq, readSize, tradeIdOf } from '../fields.js';
import { FrameKind, type FrameKindCode, requestPath } from '../frame.js';
import type { VenueParser } from '../parser.js';
import { Reason } from '../reasons.js';
import { msInto, type SplitTime } from '../time.js';
import { SimScanner } from './sim-scan.js';

const CONTROL = new Set(['welcome', 'ack', 'heartbeat', 'pong']);

/**
 * The embedded exchange (docs/exchange-protocol.md). Channels `book:<S>` (`snapshot` with `seq`,
 * `delta` with `seq` and `prevSeq = seq - 1`: seq -> firstSeq = lastSeq, prevSeq -> prevSeq) and
 * `trades:<S>` (`trades[{id, price, size, side}]`, side = aggressor). REST `GET /v1/book/:symbol`
 * -> snapshot. `welcome`/`ack`/`heartbeat`/`pong` are control, `error` a venue error, execution
 * reports (channel `orders`) are for the order gateway and ignored here. Live `delta` and `trade`
 * frames normally go through the byte scanner of sim-scan.ts (`fast`); this JSON path reads
 * everything else, including any frame the scanner declines.
 */
export class SimParser implements VenueParser {
  readonly #ctx: ParseContext;
  readonly #delta = new BookDeltaDraft();
  readonly #snap = new BookSnapshotDraft();
  readonly #trades = new TradeBatchDraft();
  readonly #t: SplitTime = { s: 0, ns: 0 };
  readonly #scan: SimScanner;

  constructor(ctx: ParseContext) {
    this.#ctx = ctx;
    this.#scan = new SimScanner(ctx, this.#delta, this.#trades);
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
    const type = msg.type;
    if (typeof type !== 'string') {
      ctx.reject(type === undefined ? Reason.MissingField : Reason.InvalidField, 'type must be a string');
      return;
    }
    if (type === 'error') {
      ctx.reject(Reason.VenueError, `error ${String(msg.code)} ${String(msg.message).slice(0, 80)}`);
      return;
    }
    if (CONTROL.has(type)) {
      ctx.control();
      return;
    }
    if (type !== 'snapshot' && type !== 'delta' && type !== 'trade') {
      ctx.ignored();
      return;
    }
    const ch = msg.channel;
    if (typeof ch !== 'string') {
      ctx.reject(ch === undefined ? Reason.MissingField : Reason.InvalidField, 'channel must be a string');
      return;
    }
    const colon = ch.indexOf(':');
    const prefix = type === 'trade' ? 'trades' : 'book';
    if (colon < 0 || ch.slice(0, colon) !== prefix) {
      ctx.reject(Reason.InvalidField, `channel "${ch.slice(0, 40)}" must be ${prefix}:<SYMBOL> for type ${type}`);
      return;
    }
    const spec = ctx.instrument(ch.slice(colon + 1), 'channel symbol');
    if (spec === undefined) return;
    this.#time(msg.ts);
    if (type === 'snapshot') this.#snapshot(msg, spec, 'snapshot');
    else if (type === 'delta') this.#deltaOf(msg, spec);
    else this.#trade(msg, spec);
  }

  #time(v: unknown): void {
    if (!msInto(v, this.#t)) {
      this.#t.s = 0;
      this.#t.ns = 0;
    }
  }

  #rest(body: Obj, context: string | null): void {
    const ctx = this.#ctx;
    const path = requestPath(context);
    if (!path.startsWith('/v1/book/')) {
      ctx.reject(Reason.UnknownRequest, `REST path "${path.slice(0, 60)}" is not /v1/book/:symbol`);
      return;
    }
    if (isObj(body.error)) {
      ctx.reject(
        Reason.VenueError,
        `REST ${path.slice(0, 60)} error ${String(body.error.code)} ${String(body.error.message).slice(0, 80)}`,
      );
      return;
    }
    const spec = ctx.instrument(body.instrument, 'book.instrument');
    if (spec === undefined) return;
    this.#time(body.ts);
    this.#snapshot(body, spec, 'book');
  }

  #snapshot(msg: Obj, spec: InstrumentSpec, what: string): void {
    const ctx = this.#ctx;
    const s = this.#snap.reset();
    stamp(s, ctx, spec);
    const seq = readSeq(ctx, msg.seq, `${what}.seq`);
    if (Number.isNaN(seq)) return;
    s.seq = seq;
    s.exchS = this.#t.s;
    s.exchNs = this.#t.ns;
    if (!readLevelArrays(ctx, msg.bids, s.bids, spec, `${what}.bids`)) return;
    if (!readLevelArrays(ctx, msg.asks, s.asks, spec, `${what}.asks`)) return;
    if (!checkSnapshotSides(ctx, s.bids, s.asks, what)) return;
    ctx.emitSnapshot(s);
  }

  #deltaOf(msg: Obj, spec: InstrumentSpec): void {
    const ctx = this.#ctx;
    const d = this.#delta.reset();
    stamp(d, ctx, spec);
    const seq = readSeq(ctx, msg.seq, 'delta.seq');
    if (Number.isNaN(seq)) return;
    const prev = readOptSeq(ctx, msg.prevSeq, 'delta.prevSeq');
    if (prev === null) return;
    d.firstSeq = seq;
    d.lastSeq = seq;
    d.prevSeq = prev;
    d.exchS = this.#t.s;
    d.exchNs = this.#t.ns;
    if (!readLevelArrays(ctx, msg.bids, d.bids, spec, 'delta.bids')) return;
    if (!readLevelArrays(ctx, msg.asks, d.asks, spec, 'delta.asks')) return;
    ctx.emitDelta(d);
  }

  #trade(msg: Obj, spec: InstrumentSpec): void {
    const ctx = this.#ctx;
    const list = msg.trades;
    if (!Array.isArray(list)) {
      ctx.reject(list === undefined ? Reason.MissingField : Reason.InvalidField, 'trades must be an array');
      return;
    }
    const tb = this.#trades.reset();
    stamp(tb, ctx, spec);
    for (let i = 0; i < list.length; i++) {
      const tr: unknown = list[i];
      const f = `trades[${i}]`;
      if (!isObj(tr)) {
        ctx.reject(Reason.InvalidField, `${f} must be an object`);
        return;
      }
      const px = readPrice(ctx, tr.price, spec, `${f}.price`);
      if (Number.isNaN(px)) return;
      const sz = readSize(ctx, tr.size, spec, `${f}.size`);
      if (Number.isNaN(sz)) return;
      const side = tr.side === 'buy' ? SideCode.Buy : tr.side === 'sell' ? SideCode.Sell : -1;
      if (side === -1) {
        ctx.reject(tr.side === undefined ? Reason.MissingField : Reason.InvalidField, `${f}.side must be "buy" or "sell"`);
        return;
      }
      tb.push(px, sz, side, tradeIdOf(tr.id), this.#t.s, this.#t.ns);
    }
    if (tb.length > 0) ctx.emitTrades(tb);
    else ctx.ignored();
  }
}
