/**
 * Encoders for every data-plane record. Stages never touch a flatbuffers.Builder: they call
 * these. One Encoder reuses one Builder, so an encode allocates nothing once the builder has
 * grown to the largest record seen. The returned bytes are a view into the builder, valid until
 * the next encode: write them to a ring (which copies) before encoding again.
 */

import * as flatbuffers from 'flatbuffers';
import type { BarLike, BookDeltaLike, BookSnapshotLike, BookViewLike, LevelsLike, QuoteBatchLike, TradeBatchLike } from './canonical.js';
import {
  Bar,
  Body,
  BookDeltaBatch,
  BookSnapshot,
  BookView,
  DropMark,
  Envelope,
  FeedState,
  Fill,
  HaltMark,
  Level,
  OrderEvent,
  OrderIntent,
  Position,
  QuoteBatch,
  QuoteTick,
  RawFrame,
  ResyncRequest,
  Signal,
  SignalInput,
  StaleMark,
  TradeBatch,
  TradeTick,
} from './generated/tickline_generated.js';
import type { FillRecord, OrderEventRecord, OrderIntentRecord, PositionRecord, SignalRecord } from './trading.js';

const FILE_ID = 'TKL1';

export class Encoder {
  readonly #b: flatbuffers.Builder;
  /** Union type of the last record encoded (the ring record's `kind`). */
  kind = Body.NONE;

  constructor(initialBytes = 4096) {
    this.#b = new flatbuffers.Builder(initialBytes);
  }

  #finish(kind: Body, body: flatbuffers.Offset): Uint8Array {
    const b = this.#b;
    Envelope.startEnvelope(b);
    Envelope.addBodyType(b, kind);
    Envelope.addBody(b, body);
    b.finish(Envelope.endEnvelope(b), FILE_ID);
    this.kind = kind;
    return b.asUint8Array();
  }

  #levels(levels: LevelsLike): flatbuffers.Offset {
    const b = this.#b;
    const n = levels.length;
    b.startVector(16, n, 8);
    for (let i = n - 1; i >= 0; i--) Level.createLevel(b, levels.price(i), levels.size(i));
    return b.endVector();
  }

  #str(s: string | null | undefined): flatbuffers.Offset {
    return s ? this.#b.createString(s) : 0;
  }

  #inputs(inputs: readonly { name: string; value: number }[] | undefined): flatbuffers.Offset {
    if (!inputs || inputs.length === 0) return 0;
    const b = this.#b;
    const offs = inputs.map((x) => SignalInput.createSignalInput(b, b.createString(x.name), x.value));
    b.startVector(4, offs.length, 4);
    for (let i = offs.length - 1; i >= 0; i--) b.addOffset(offs[i] as number);
    return b.endVector();
  }

  rawFrame(
    venue: number,
    connId: number,
    recvS: number,
    recvNs: number,
    frameSeq: number,
    kind: number,
    context: string | null,
    bytes: Uint8Array,
  ): Uint8Array {
    const b = this.#b;
    b.clear();
    const data = RawFrame.createBytesVector(b, bytes);
    const ctx = this.#str(context);
    RawFrame.startRawFrame(b);
    RawFrame.addVenue(b, venue);
    RawFrame.addConnId(b, connId);
    RawFrame.addRecvS(b, recvS);
    RawFrame.addRecvNs(b, recvNs);
    RawFrame.addFrameSeq(b, frameSeq);
    RawFrame.addKind(b, kind);
    if (ctx) RawFrame.addContext(b, ctx);
    RawFrame.addBytes(b, data);
    return this.#finish(Body.RawFrame, RawFrame.endRawFrame(b));
  }

  bookDelta(d: BookDeltaLike): Uint8Array {
    const b = this.#b;
    b.clear();
    const bids = this.#levels(d.bids);
    const asks = this.#levels(d.asks);
    const off = BookDeltaBatch.createBookDeltaBatch(
      b,
      d.instrument,
      d.venue,
      d.priceScale,
      d.sizeScale,
      d.recvS,
      d.recvNs,
      d.exchS,
      d.exchNs,
      d.firstSeq,
      d.lastSeq,
      d.prevSeq,
      d.checksum,
      bids,
      asks,
    );
    return this.#finish(Body.BookDeltaBatch, off);
  }

  bookSnapshot(s: BookSnapshotLike): Uint8Array {
    const b = this.#b;
    b.clear();
    const bids = this.#levels(s.bids);
    const asks = this.#levels(s.asks);
    const off = BookSnapshot.createBookSnapshot(
      b,
      s.instrument,
      s.venue,
      s.priceScale,
      s.sizeScale,
      s.recvS,
      s.recvNs,
      s.exchS,
      s.exchNs,
      s.seq,
      s.checksum,
      bids,
      asks,
    );
    return this.#finish(Body.BookSnapshot, off);
  }

  trades(t: TradeBatchLike): Uint8Array {
    const b = this.#b;
    b.clear();
    const n = t.length;
    b.startVector(40, n, 8);
    for (let i = n - 1; i >= 0; i--)
      TradeTick.createTradeTick(b, t.price(i), t.size(i), t.tradeId(i), t.exchS(i), t.exchNs(i), t.side(i) as number);
    const vec = b.endVector();
    const off = TradeBatch.createTradeBatch(b, t.instrument, t.venue, t.priceScale, t.sizeScale, t.recvS, t.recvNs, vec);
    return this.#finish(Body.TradeBatch, off);
  }

  quotes(q: QuoteBatchLike): Uint8Array {
    const b = this.#b;
    b.clear();
    const n = q.length;
    b.startVector(48, n, 8);
    for (let i = n - 1; i >= 0; i--) {
      QuoteTick.createQuoteTick(b, q.bidPrice(i), q.bidSize(i), q.askPrice(i), q.askSize(i), q.seq(i), q.exchS(i), q.exchNs(i));
    }
    const vec = b.endVector();
    const off = QuoteBatch.createQuoteBatch(b, q.instrument, q.venue, q.priceScale, q.sizeScale, q.recvS, q.recvNs, vec);
    return this.#finish(Body.QuoteBatch, off);
  }

  bookView(v: BookViewLike): Uint8Array {
    const b = this.#b;
    b.clear();
    const bids = this.#levels(v.bids);
    const asks = this.#levels(v.asks);
    const off = BookView.createBookView(
      b,
      v.instrument,
      v.venue,
      v.priceScale,
      v.sizeScale,
      v.state,
      v.seq,
      v.recvS,
      v.recvNs,
      v.mid,
      v.microprice,
      v.imbalance,
      v.spread,
      bids,
      asks,
    );
    return this.#finish(Body.BookView, off);
  }

  bar(x: BarLike): Uint8Array {
    const b = this.#b;
    b.clear();
    const off = Bar.createBar(
      b,
      x.instrument,
      x.venue,
      x.kind,
      x.priceScale,
      x.sizeScale,
      x.startS,
      x.startNs,
      x.endS,
      x.endNs,
      x.open,
      x.high,
      x.low,
      x.close,
      x.volume,
      x.vwap,
      x.tradeCount,
      x.spreadAvg,
      x.spreadMax,
    );
    return this.#finish(Body.Bar, off);
  }

  signal(s: SignalRecord): Uint8Array {
    const b = this.#b;
    b.clear();
    const strategy = this.#str(s.strategy);
    const reason = this.#str(s.reason);
    const inputs = this.#inputs(s.inputs);
    const off = Signal.createSignal(b, s.instrument, strategy, s.side, s.strength, reason, inputs, s.recvS, s.recvNs);
    return this.#finish(Body.Signal, off);
  }

  orderIntent(o: OrderIntentRecord): Uint8Array {
    const b = this.#b;
    b.clear();
    const strategy = this.#str(o.strategy);
    const reason = this.#str(o.reason);
    const inputs = this.#inputs(o.inputs);
    const off = OrderIntent.createOrderIntent(
      b,
      o.intentId,
      o.instrument,
      o.venue,
      strategy,
      o.side,
      o.type,
      o.tif,
      o.price,
      o.size,
      o.priceScale,
      o.sizeScale,
      o.reduceOnly,
      reason,
      inputs,
      o.createdS,
      o.createdNs,
      o.recvS,
      o.recvNs,
    );
    return this.#finish(Body.OrderIntent, off);
  }

  orderEvent(e: OrderEventRecord): Uint8Array {
    const b = this.#b;
    b.clear();
    const cid = this.#str(e.clientOrderId);
    const vid = this.#str(e.venueOrderId);
    const reason = this.#str(e.reason);
    const off = OrderEvent.createOrderEvent(
      b,
      cid,
      vid,
      e.instrument,
      e.status,
      e.side,
      e.price,
      e.size,
      e.filled,
      e.priceScale,
      e.sizeScale,
      reason,
      e.venueSeq,
      e.tsS,
      e.tsNs,
    );
    return this.#finish(Body.OrderEvent, off);
  }

  fill(f: FillRecord): Uint8Array {
    const b = this.#b;
    b.clear();
    const cid = this.#str(f.clientOrderId);
    const vid = this.#str(f.venueOrderId);
    const fid = this.#str(f.fillId);
    const off = Fill.createFill(
      b,
      cid,
      vid,
      fid,
      f.instrument,
      f.side,
      f.price,
      f.size,
      f.priceScale,
      f.sizeScale,
      f.fee,
      f.liquidityMaker,
      f.venueSeq,
      f.tsS,
      f.tsNs,
      f.feeScale,
    );
    return this.#finish(Body.Fill, off);
  }

  position(p: PositionRecord): Uint8Array {
    const b = this.#b;
    b.clear();
    const off = Position.createPosition(
      b,
      p.instrument,
      p.sizeScale,
      p.priceScale,
      p.quantity,
      p.avgPrice,
      p.realizedPnl,
      p.unrealizedPnl,
      p.fees,
      p.tsS,
      p.tsNs,
      p.moneyScale,
    );
    return this.#finish(Body.Position, off);
  }

  dropMark(count: number, reason: number, edge: string): Uint8Array {
    const b = this.#b;
    b.clear();
    const e = this.#str(edge);
    return this.#finish(Body.DropMark, DropMark.createDropMark(b, count, reason, e));
  }

  resyncRequest(instrument: number, venue: number, reason: string): Uint8Array {
    const b = this.#b;
    b.clear();
    const r = this.#str(reason);
    return this.#finish(Body.ResyncRequest, ResyncRequest.createResyncRequest(b, instrument, venue, r));
  }

  feedState(venue: number, connId: number, up: boolean, reason: string, tsS: number, tsNs: number): Uint8Array {
    const b = this.#b;
    b.clear();
    const r = this.#str(reason);
    return this.#finish(Body.FeedState, FeedState.createFeedState(b, venue, connId, up, r, tsS, tsNs));
  }

  staleMark(instrument: number, venue: number, ageMs: number): Uint8Array {
    const b = this.#b;
    b.clear();
    return this.#finish(Body.StaleMark, StaleMark.createStaleMark(b, instrument, venue, ageMs));
  }

  haltMark(state: number, reason: string, tsS: number, tsNs: number): Uint8Array {
    const b = this.#b;
    b.clear();
    const r = this.#str(reason);
    return this.#finish(Body.HaltMark, HaltMark.createHaltMark(b, state, r, tsS, tsNs));
  }
}
