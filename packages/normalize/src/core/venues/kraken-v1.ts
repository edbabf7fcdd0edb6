import {
  BookDeltaDraft,
  BookSnapshotDraft,
  type InstrumentSpec,
  type LevelBuffer,
  QuoteBatchDraft,
  SideCode,
  TradeBatchDraft,
} from '@tickline/wire';
import { type ParseContext, stamp } from '../context.js';
import { checkSnapshotSides, isObj, type Obj, readPrice, readSize } from '../fields.js';
import type { FrameKindCode } from '../frame.js';
import type { VenueParser } from '../parser.js';
import { Reason } from '../reasons.js';
import { type SplitTime, secFracInto } from '../time.js';

const CONTROL_EVENTS = new Set(['heartbeat', 'systemStatus', 'subscriptionStatus', 'pong']);

/**
 * Kraken WebSocket v1 (array frames `[channelID, payload..., channelName, pair]`):
 * `book-N` snapshots (`as`/`bs`) and updates (`a`/`b`, possibly split over two dicts in one
 * frame, CRC32 in `c` -> checksum, unsigned), levels `[price, volume, timestamp, ("r")]`;
 * `ticker`, `spread` -> quotes; `trade` -> trades. Object frames are events (control or error).
 */
export class KrakenV1Parser implements VenueParser {
  readonly #ctx: ParseContext;
  readonly #delta = new BookDeltaDraft();
  readonly #snap = new BookSnapshotDraft();
  readonly #quotes = new QuoteBatchDraft();
  readonly #trades = new TradeBatchDraft();
  readonly #t: SplitTime = { s: 0, ns: 0 };
  readonly #lt: SplitTime = { s: 0, ns: 0 };

  constructor(ctx: ParseContext) {
    this.#ctx = ctx;
  }

  onMessage(msg: unknown, _kind: FrameKindCode, _context: string | null): void {
    const ctx = this.#ctx;
    if (isObj(msg)) {
      const ev = msg.event;
      if (ev === 'subscriptionStatus' && msg.status === 'error')
        ctx.reject(Reason.VenueError, `subscription error ${String(msg.errorMessage).slice(0, 80)}`);
      else if (ev === 'error') ctx.reject(Reason.VenueError, `error ${String(msg.errorMessage).slice(0, 80)}`);
      else if (typeof ev === 'string' && CONTROL_EVENTS.has(ev)) ctx.control();
      else if (typeof ev === 'string') ctx.ignored();
      else ctx.reject(Reason.UnknownMessage, 'object frame without a string "event"');
      return;
    }
    if (!Array.isArray(msg) || msg.length < 4) {
      ctx.reject(Reason.UnknownMessage, 'expected [channelID, payload, channelName, pair]');
      return;
    }
    const name: unknown = msg[msg.length - 2];
    if (typeof name !== 'string') {
      ctx.reject(Reason.InvalidField, 'channelName (second to last element) must be a string');
      return;
    }
    const spec = ctx.instrument(msg[msg.length - 1], 'pair (last element)');
    if (spec === undefined) return;
    if (name.startsWith('book')) this.#book(msg, spec);
    else if (name === 'ticker') this.#ticker(msg[1], spec);
    else if (name === 'spread') this.#spread(msg[1], spec);
    else if (name === 'trade') this.#trade(msg[1], spec);
    else ctx.ignored();
  }

  #book(msg: unknown[], spec: InstrumentSpec): void {
    const ctx = this.#ctx;
    const end = msg.length - 2;
    let snapshot = false;
    for (let i = 1; i < end; i++) {
      const p = msg[i];
      if (!isObj(p)) {
        ctx.reject(Reason.InvalidField, `book payload [${i}] must be an object`);
        return;
      }
      if ('as' in p || 'bs' in p) snapshot = true;
    }
    this.#t.s = 0;
    this.#t.ns = 0;
    if (snapshot) {
      const s = this.#snap.reset();
      stamp(s, ctx, spec);
      for (let i = 1; i < end; i++) {
        const p = msg[i] as Obj;
        if (!this.#levels(p.bs, s.bids, spec, 'bs')) return;
        if (!this.#levels(p.as, s.asks, spec, 'as')) return;
      }
      if (!checkSnapshotSides(ctx, s.bids, s.asks, 'book snapshot')) return;
      s.exchS = this.#t.s;
      s.exchNs = this.#t.ns;
      ctx.emitSnapshot(s);
      return;
    }
    const d = this.#delta.reset();
    stamp(d, ctx, spec);
    let seen = 0;
    for (let i = 1; i < end; i++) {
      const p = msg[i] as Obj;
      if (p.a !== undefined) {
        if (!this.#levels(p.a, d.asks, spec, 'a')) return;
        seen++;
      }
      if (p.b !== undefined) {
        if (!this.#levels(p.b, d.bids, spec, 'b')) return;
        seen++;
      }
      if (p.c !== undefined) {
        const c = checksumOf(p.c);
        if (Number.isNaN(c)) {
          ctx.reject(Reason.InvalidField, 'c must be a decimal CRC32 string (0 to 4294967295)');
          return;
        }
        d.checksum = c;
      }
    }
    if (seen === 0) {
      ctx.reject(Reason.MissingField, 'book update has neither "a" nor "b"');
      return;
    }
    d.exchS = this.#t.s;
    d.exchNs = this.#t.ns;
    ctx.emitDelta(d);
  }

  /** Levels `[price, volume, timestamp, ("r")]`; tracks the latest level timestamp in #t. */
  #levels(levels: unknown, out: LevelBuffer, spec: InstrumentSpec, field: string): boolean {
    const ctx = this.#ctx;
    if (levels === undefined) return true;
    if (!Array.isArray(levels)) {
      ctx.reject(Reason.InvalidField, `${field} must be an array of levels`);
      return false;
    }
    const lt = this.#lt;
    const t = this.#t;
    for (let i = 0; i < levels.length; i++) {
      const lv: unknown = levels[i];
      if (!Array.isArray(lv) || lv.length < 3) {
        ctx.reject(Reason.InvalidField, `${field}[${i}] must be [price, volume, timestamp]`);
        return false;
      }
      const p = readPrice(ctx, lv[0], spec, `${field}[${i}][0] (price)`);
      if (Number.isNaN(p)) return false;
      const s = readSize(ctx, lv[1], spec, `${field}[${i}][1] (volume)`);
      if (Number.isNaN(s)) return false;
      if (!secFracInto(lv[2], lt)) {
        ctx.reject(Reason.InvalidField, `${field}[${i}][2] (timestamp) must be decimal epoch seconds`);
        return false;
      }
      if (lt.s > t.s || (lt.s === t.s && lt.ns > t.ns)) {
        t.s = lt.s;
        t.ns = lt.ns;
      }
      out.push(p, s);
    }
    return true;
  }

  /** ticker payload: `a: [price, wholeLotVolume, lotVolume]`, `b: [...]`. */
  #ticker(p: unknown, spec: InstrumentSpec): void {
    const ctx = this.#ctx;
    if (!isObj(p) || !Array.isArray(p.a) || !Array.isArray(p.b)) {
      ctx.reject(Reason.MissingField, 'ticker payload needs arrays "a" and "b"');
      return;
    }
    this.#quote(spec, p.b[0], p.b[2], p.a[0], p.a[2], 'ticker.b', 'ticker.a', Number.NaN, 0, 0);
  }

  /** spread payload: `[bid, ask, timestamp, bidVolume, askVolume]`. */
  #spread(p: unknown, spec: InstrumentSpec): void {
    const ctx = this.#ctx;
    if (!Array.isArray(p) || p.length < 5) {
      ctx.reject(Reason.InvalidField, 'spread payload must be [bid, ask, timestamp, bidVolume, askVolume]');
      return;
    }
    if (!secFracInto(p[2], this.#t)) {
      ctx.reject(Reason.InvalidField, 'spread[2] (timestamp) must be decimal epoch seconds');
      return;
    }
    this.#quote(spec, p[0], p[3], p[1], p[4], 'spread[0]', 'spread[1]', Number.NaN, this.#t.s, this.#t.ns);
  }

  #quote(
    spec: InstrumentSpec,
    bp: unknown,
    bs: unknown,
    ap: unknown,
    as: unknown,
    bf: string,
    af: string,
    seq: number,
    s: number,
    ns: number,
  ): void {
    const ctx = this.#ctx;
    const bpm = readPrice(ctx, bp, spec, `${bf} price`);
    if (Number.isNaN(bpm)) return;
    const bsm = readSize(ctx, bs, spec, `${bf} volume`);
    if (Number.isNaN(bsm)) return;
    const apm = readPrice(ctx, ap, spec, `${af} price`);
    if (Number.isNaN(apm)) return;
    const asm = readSize(ctx, as, spec, `${af} volume`);
    if (Number.isNaN(asm)) return;
    const q = this.#quotes.reset();
    stamp(q, ctx, spec);
    q.push(bpm, bsm, apm, asm, seq, s, ns);
    ctx.emitQuotes(q);
  }

  /** trade payload: `[[price, volume, time, side "b"|"s", orderType, misc, (tradeId)], ...]`. */
  #trade(p: unknown, spec: InstrumentSpec): void {
    const ctx = this.#ctx;
    if (!Array.isArray(p)) {
      ctx.reject(Reason.InvalidField, 'trade payload must be an array of trades');
      return;
    }
    const tb = this.#trades.reset();
    stamp(tb, ctx, spec);
    for (let i = 0; i < p.length; i++) {
      const tr: unknown = p[i];
      if (!Array.isArray(tr) || tr.length < 4) {
        ctx.reject(Reason.InvalidField, `trade[${i}] must be [price, volume, time, side, ...]`);
        return;
      }
      const px = readPrice(ctx, tr[0], spec, `trade[${i}][0] (price)`);
      if (Number.isNaN(px)) return;
      const sz = readSize(ctx, tr[1], spec, `trade[${i}][1] (volume)`);
      if (Number.isNaN(sz)) return;
      if (!secFracInto(tr[2], this.#t)) {
        ctx.reject(Reason.InvalidField, `trade[${i}][2] (time) must be decimal epoch seconds`);
        return;
      }
      const side = tr[3] === 'b' ? SideCode.Buy : tr[3] === 's' ? SideCode.Sell : -1;
      if (side === -1) {
        ctx.reject(Reason.InvalidField, `trade[${i}][3] (side) must be "b" or "s"`);
        return;
      }
      const id = typeof tr[6] === 'number' && Number.isSafeInteger(tr[6]) ? tr[6] : Number.NaN;
      tb.push(px, sz, side, id, this.#t.s, this.#t.ns);
    }
    if (tb.length > 0) ctx.emitTrades(tb);
    else ctx.ignored();
  }
}

/** The CRC32 in `c`: a decimal string of an unsigned 32-bit integer. NaN if it is not one. */
export function checksumOf(v: unknown): number {
  if (typeof v !== 'string' || v.length === 0 || v.length > 10) return Number.NaN;
  let n = 0;
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return Number.NaN;
    n = n * 10 + c;
  }
  return n <= 0xffffffff ? n : Number.NaN;
}
