/**
 * In-place readers. A RecordReader wraps the bytes records live in (a ring's data region, a
 * recording's buffer) once; `open(offset, length)` verifies one record and points reusable
 * views at it. Nothing is copied out and nothing is allocated per record: the views read the
 * FlatBuffer where it lies and stay valid until the next open() (or until the ring slot is
 * released).
 *
 * Level vectors are read through a Float64Array over the same memory when the record sits on
 * an 8-byte boundary (ring records always do), which is the hot path of the book stage.
 */

import * as flatbuffers from 'flatbuffers';
import type {
  BarLike,
  BookDeltaLike,
  BookSnapshotLike,
  BookViewLike,
  LevelsLike,
  QuoteBatchLike,
  SideCode,
  TradeBatchLike,
} from './canonical.js';
import {
  Bar,
  Body,
  BookDeltaBatch,
  BookSnapshot,
  BookView,
  DropMark,
  FeedState,
  Fill,
  HaltMark,
  OrderEvent,
  OrderIntent,
  Position,
  QuoteBatch,
  RawFrame,
  ResyncRequest,
  Signal,
  StaleMark,
  TradeBatch,
} from './generated/tickline_generated.js';
import { verifyEnvelope } from './verify.js';

/** A vector of Level structs read in place. */
class LevelsView implements LevelsLike {
  length = 0;
  #start = 0;
  #f64: Float64Array | null;
  #bb: flatbuffers.ByteBuffer;

  constructor(bb: flatbuffers.ByteBuffer, f64: Float64Array | null) {
    this.#bb = bb;
    this.#f64 = f64;
  }

  /** Points the view at the vector in field `slot` of the table at `pos`. */
  at(pos: number, vtableOffset: number): void {
    const bb = this.#bb;
    const o = bb.__offset(pos, vtableOffset);
    if (o === 0) {
      this.length = 0;
      return;
    }
    this.#start = bb.__vector(pos + o);
    this.length = bb.__vector_len(pos + o);
  }

  price(i: number): number {
    const s = this.#start + i * 16;
    const f = this.#f64;
    return f !== null && (s & 7) === 0 ? (f[s >> 3] as number) : this.#bb.readFloat64(s);
  }

  size(i: number): number {
    const s = this.#start + i * 16 + 8;
    const f = this.#f64;
    return f !== null && (s & 7) === 0 ? (f[s >> 3] as number) : this.#bb.readFloat64(s);
  }
}

const SLOT = (i: number) => 4 + 2 * i;

/** The generated tables every market-data view wraps share these header fields. */
interface HeaderTable {
  instrument(): number;
  venue(): number;
  priceScale(): number;
  sizeScale(): number;
  recvS(): number;
  recvNs(): number;
}

/** Header getters shared by the market-data views: each reads the wrapped table in place. */
abstract class HeaderView<T extends HeaderTable> {
  abstract readonly t: T;
  get instrument() {
    return this.t.instrument();
  }
  get venue() {
    return this.t.venue();
  }
  get priceScale() {
    return this.t.priceScale();
  }
  get sizeScale() {
    return this.t.sizeScale();
  }
  get recvS() {
    return this.t.recvS();
  }
  get recvNs() {
    return this.t.recvNs();
  }
}

class DeltaView extends HeaderView<BookDeltaBatch> implements BookDeltaLike {
  readonly t = new BookDeltaBatch();
  readonly bids: LevelsView;
  readonly asks: LevelsView;
  constructor(bb: flatbuffers.ByteBuffer, f64: Float64Array | null) {
    super();
    this.bids = new LevelsView(bb, f64);
    this.asks = new LevelsView(bb, f64);
  }
  init(pos: number, bb: flatbuffers.ByteBuffer): void {
    this.t.__init(pos, bb);
    this.bids.at(pos, SLOT(12));
    this.asks.at(pos, SLOT(13));
  }
  get exchS() {
    return this.t.exchS();
  }
  get exchNs() {
    return this.t.exchNs();
  }
  get firstSeq() {
    return this.t.firstSeq();
  }
  get lastSeq() {
    return this.t.lastSeq();
  }
  get prevSeq() {
    return this.t.prevSeq();
  }
  get checksum() {
    return this.t.checksum();
  }
}

class SnapshotView extends HeaderView<BookSnapshot> implements BookSnapshotLike {
  readonly t = new BookSnapshot();
  readonly bids: LevelsView;
  readonly asks: LevelsView;
  constructor(bb: flatbuffers.ByteBuffer, f64: Float64Array | null) {
    super();
    this.bids = new LevelsView(bb, f64);
    this.asks = new LevelsView(bb, f64);
  }
  init(pos: number, bb: flatbuffers.ByteBuffer): void {
    this.t.__init(pos, bb);
    this.bids.at(pos, SLOT(10));
    this.asks.at(pos, SLOT(11));
  }
  get exchS() {
    return this.t.exchS();
  }
  get exchNs() {
    return this.t.exchNs();
  }
  get seq() {
    return this.t.seq();
  }
  get checksum() {
    return this.t.checksum();
  }
}

class ViewView extends HeaderView<BookView> implements BookViewLike {
  readonly t = new BookView();
  readonly bids: LevelsView;
  readonly asks: LevelsView;
  constructor(bb: flatbuffers.ByteBuffer, f64: Float64Array | null) {
    super();
    this.bids = new LevelsView(bb, f64);
    this.asks = new LevelsView(bb, f64);
  }
  init(pos: number, bb: flatbuffers.ByteBuffer): void {
    this.t.__init(pos, bb);
    this.bids.at(pos, SLOT(12));
    this.asks.at(pos, SLOT(13));
  }
  get state() {
    return this.t.state();
  }
  get seq() {
    return this.t.seq();
  }
  get mid() {
    return this.t.mid();
  }
  get microprice() {
    return this.t.microprice();
  }
  get imbalance() {
    return this.t.imbalance();
  }
  get spread() {
    return this.t.spread();
  }
}

/** Struct vectors of fixed-size records (trades: 40 bytes, quotes: 48 bytes). */
abstract class TickVectorView<T extends HeaderTable> extends HeaderView<T> {
  readonly bb: flatbuffers.ByteBuffer;
  length = 0;
  protected start = 0;
  constructor(bb: flatbuffers.ByteBuffer) {
    super();
    this.bb = bb;
  }
  protected point(pos: number, slot: number): void {
    const o = this.bb.__offset(pos, SLOT(slot));
    this.start = o === 0 ? 0 : this.bb.__vector(pos + o);
    this.length = o === 0 ? 0 : this.bb.__vector_len(pos + o);
  }
}

class TradesView extends TickVectorView<TradeBatch> implements TradeBatchLike {
  readonly t = new TradeBatch();
  init(pos: number): void {
    this.t.__init(pos, this.bb);
    this.point(pos, 6);
  }
  price(i: number) {
    return this.bb.readFloat64(this.start + i * 40);
  }
  size(i: number) {
    return this.bb.readFloat64(this.start + i * 40 + 8);
  }
  tradeId(i: number) {
    return this.bb.readFloat64(this.start + i * 40 + 16);
  }
  exchS(i: number) {
    return this.bb.readUint32(this.start + i * 40 + 24);
  }
  exchNs(i: number) {
    return this.bb.readUint32(this.start + i * 40 + 28);
  }
  side(i: number) {
    return this.bb.readInt8(this.start + i * 40 + 32) as SideCode;
  }
}

class QuotesView extends TickVectorView<QuoteBatch> implements QuoteBatchLike {
  readonly t = new QuoteBatch();
  init(pos: number): void {
    this.t.__init(pos, this.bb);
    this.point(pos, 6);
  }
  bidPrice(i: number) {
    return this.bb.readFloat64(this.start + i * 48);
  }
  bidSize(i: number) {
    return this.bb.readFloat64(this.start + i * 48 + 8);
  }
  askPrice(i: number) {
    return this.bb.readFloat64(this.start + i * 48 + 16);
  }
  askSize(i: number) {
    return this.bb.readFloat64(this.start + i * 48 + 24);
  }
  seq(i: number) {
    return this.bb.readFloat64(this.start + i * 48 + 32);
  }
  exchS(i: number) {
    return this.bb.readUint32(this.start + i * 48 + 40);
  }
  exchNs(i: number) {
    return this.bb.readUint32(this.start + i * 48 + 44);
  }
}

class BarView implements BarLike {
  readonly t = new Bar();
  get instrument() {
    return this.t.instrument();
  }
  get venue() {
    return this.t.venue();
  }
  get kind() {
    return this.t.kind();
  }
  get priceScale() {
    return this.t.priceScale();
  }
  get sizeScale() {
    return this.t.sizeScale();
  }
  get startS() {
    return this.t.startS();
  }
  get startNs() {
    return this.t.startNs();
  }
  get endS() {
    return this.t.endS();
  }
  get endNs() {
    return this.t.endNs();
  }
  get open() {
    return this.t.open();
  }
  get high() {
    return this.t.high();
  }
  get low() {
    return this.t.low();
  }
  get close() {
    return this.t.close();
  }
  get volume() {
    return this.t.volume();
  }
  get vwap() {
    return this.t.vwap();
  }
  get tradeCount() {
    return this.t.tradeCount();
  }
  get spreadAvg() {
    return this.t.spreadAvg();
  }
  get spreadMax() {
    return this.t.spreadMax();
  }
}

export class RecordReader {
  readonly bb: flatbuffers.ByteBuffer;
  readonly bytes: Uint8Array;
  /** Body type of the record last opened (Body.NONE if it failed verification). */
  type: Body = Body.NONE;
  /** Position of the body table of the record last opened. */
  bodyPos = 0;
  readonly #pos = { body: 0 };

  readonly delta: DeltaView;
  readonly snapshot: SnapshotView;
  readonly view: ViewView;
  readonly trades: TradesView;
  readonly quotes: QuotesView;
  readonly bar = new BarView();
  readonly raw = new RawFrame();
  readonly signal = new Signal();
  readonly intent = new OrderIntent();
  readonly orderEvent = new OrderEvent();
  readonly fill = new Fill();
  readonly position = new Position();
  readonly dropMark = new DropMark();
  readonly resync = new ResyncRequest();
  readonly feedState = new FeedState();
  readonly staleMark = new StaleMark();
  readonly haltMark = new HaltMark();

  /** `bytes`: the memory records live in. Records are opened by offset into it. */
  constructor(bytes: Uint8Array) {
    this.bytes = bytes;
    this.bb = new flatbuffers.ByteBuffer(bytes);
    const aligned = bytes.byteOffset % 8 === 0;
    const f64 = aligned ? new Float64Array(bytes.buffer, bytes.byteOffset, bytes.byteLength >> 3) : null;
    this.delta = new DeltaView(this.bb, f64);
    this.snapshot = new SnapshotView(this.bb, f64);
    this.view = new ViewView(this.bb, f64);
    this.trades = new TradesView(this.bb);
    this.quotes = new QuotesView(this.bb);
  }

  /**
   * Verifies the record at [offset, offset+length) and points the matching view at it.
   * Returns its Body type, or Body.NONE for a truncated or corrupt record (count and skip it).
   * `trusted`: only for records this process encoded itself and kept in its own memory (a
   * backtest's prepared records): the envelope is checked, the body's fields are not.
   */
  open(offset: number, length: number, trusted = false): Body {
    const type = verifyEnvelope(this.bb, offset, length, this.#pos, trusted);
    this.type = type;
    if (type === Body.NONE) return type;
    const pos = this.#pos.body;
    this.bodyPos = pos;
    const bb = this.bb;
    switch (type) {
      case Body.BookDeltaBatch:
        this.delta.init(pos, bb);
        break;
      case Body.BookSnapshot:
        this.snapshot.init(pos, bb);
        break;
      case Body.BookView:
        this.view.init(pos, bb);
        break;
      case Body.TradeBatch:
        this.trades.init(pos);
        break;
      case Body.QuoteBatch:
        this.quotes.init(pos);
        break;
      case Body.Bar:
        this.bar.t.__init(pos, bb);
        break;
      case Body.RawFrame:
        this.raw.__init(pos, bb);
        break;
      case Body.Signal:
        this.signal.__init(pos, bb);
        break;
      case Body.OrderIntent:
        this.intent.__init(pos, bb);
        break;
      case Body.OrderEvent:
        this.orderEvent.__init(pos, bb);
        break;
      case Body.Fill:
        this.fill.__init(pos, bb);
        break;
      case Body.Position:
        this.position.__init(pos, bb);
        break;
      case Body.DropMark:
        this.dropMark.__init(pos, bb);
        break;
      case Body.ResyncRequest:
        this.resync.__init(pos, bb);
        break;
      case Body.FeedState:
        this.feedState.__init(pos, bb);
        break;
      case Body.StaleMark:
        this.staleMark.__init(pos, bb);
        break;
      case Body.HaltMark:
        this.haltMark.__init(pos, bb);
        break;
    }
    return type;
  }

  /**
   * The raw frame's payload bytes, as a view into the record (no copy). Valid while the record
   * is. Call after open() returned Body.RawFrame.
   */
  rawBytes(): Uint8Array {
    const bb = this.bb;
    const o = bb.__offset(this.bodyPos, SLOT(7));
    if (o === 0) return this.bytes.subarray(0, 0);
    const start = bb.__vector(this.bodyPos + o);
    return this.bytes.subarray(start, start + bb.__vector_len(this.bodyPos + o));
  }
}
