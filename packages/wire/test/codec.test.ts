import { describe, expect, it } from 'vitest';
import {
  Body,
  BookDeltaDraft,
  BookSnapshotDraft,
  Encoder,
  FrameKind,
  QuoteBatchDraft,
  RecordReader,
  SideCode,
  TradeBatchDraft,
} from '../src/index.js';

/** Copies an encoded record into a larger buffer at an 8-aligned offset, as a ring slot would. */
function place(bytes: Uint8Array, at = 64): { buf: Uint8Array; at: number } {
  const buf = new Uint8Array(new SharedArrayBuffer(at + bytes.length + 64));
  buf.set(bytes, at);
  return { buf, at };
}

function delta(): BookDeltaDraft {
  const d = new BookDeltaDraft().reset();
  d.instrument = 4242;
  d.venue = 2;
  d.priceScale = 2;
  d.sizeScale = 8;
  d.recvS = 1_700_000_000;
  d.recvNs = 123_456_789;
  d.exchS = 1_699_999_999;
  d.exchNs = 999_999_999;
  d.firstSeq = 2 ** 52 + 1;
  d.lastSeq = 2 ** 52 + 3;
  d.prevSeq = 2 ** 52;
  d.checksum = -1_234_567_890;
  for (let i = 0; i < 64; i++) d.bids.push(1_000_000 - i, i * 100_000_000);
  for (let i = 0; i < 3; i++) d.asks.push(1_000_001 + i, 0);
  return d;
}

describe('codec round trips', () => {
  it('book delta batch: every field and level survives, read in place', () => {
    const enc = new Encoder();
    const d = delta();
    const { buf, at } = place(enc.bookDelta(d));
    expect(enc.kind).toBe(Body.BookDeltaBatch);
    const r = new RecordReader(buf);
    expect(r.open(at, buf.length - at - 64)).toBe(Body.BookDeltaBatch);
    const v = r.delta;
    expect([v.instrument, v.venue, v.priceScale, v.sizeScale, v.recvS, v.recvNs, v.exchS, v.exchNs]).toEqual([
      4242, 2, 2, 8, 1_700_000_000, 123_456_789, 1_699_999_999, 999_999_999,
    ]);
    expect([v.firstSeq, v.lastSeq, v.prevSeq, v.checksum]).toEqual([2 ** 52 + 1, 2 ** 52 + 3, 2 ** 52, -1_234_567_890]);
    expect(v.bids.length).toBe(64);
    expect(v.asks.length).toBe(3);
    for (let i = 0; i < 64; i++) {
      expect(v.bids.price(i)).toBe(1_000_000 - i);
      expect(v.bids.size(i)).toBe(i * 100_000_000);
    }
    expect([v.asks.price(2), v.asks.size(2)]).toEqual([1_000_003, 0]);
  });

  it('absent sequence fields and checksums read back as NaN', () => {
    const enc = new Encoder();
    const d = new BookDeltaDraft().reset();
    d.bids.push(1, 1);
    const { buf, at } = place(enc.bookDelta(d));
    const r = new RecordReader(buf);
    r.open(at, buf.length - at - 64);
    expect(Number.isNaN(r.delta.firstSeq)).toBe(true);
    expect(Number.isNaN(r.delta.prevSeq)).toBe(true);
    expect(Number.isNaN(r.delta.checksum)).toBe(true);
  });

  it('snapshot, trades and quotes', () => {
    const enc = new Encoder();
    const s = new BookSnapshotDraft().reset();
    s.instrument = 7;
    s.seq = 99;
    s.bids.push(100, 5);
    s.asks.push(101, 6);
    let p = place(enc.bookSnapshot(s));
    let r = new RecordReader(p.buf);
    expect(r.open(p.at, p.buf.length - p.at - 64)).toBe(Body.BookSnapshot);
    expect([r.snapshot.instrument, r.snapshot.seq, r.snapshot.bids.price(0), r.snapshot.asks.size(0)]).toEqual([7, 99, 100, 6]);

    const t = new TradeBatchDraft().reset();
    t.instrument = 8;
    t.push(12345, 10, SideCode.Sell, 555, 1_700_000_001, 42);
    t.push(12346, 11, SideCode.Buy, Number.NaN, 1_700_000_002, 43);
    p = place(enc.trades(t));
    r = new RecordReader(p.buf);
    expect(r.open(p.at, p.buf.length - p.at - 64)).toBe(Body.TradeBatch);
    expect(r.trades.length).toBe(2);
    expect([r.trades.price(0), r.trades.size(0), r.trades.side(0), r.trades.tradeId(0), r.trades.exchS(0), r.trades.exchNs(0)]).toEqual([
      12345,
      10,
      SideCode.Sell,
      555,
      1_700_000_001,
      42,
    ]);
    expect(r.trades.side(1)).toBe(SideCode.Buy);
    expect(Number.isNaN(r.trades.tradeId(1))).toBe(true);

    const q = new QuoteBatchDraft().reset();
    q.instrument = 9;
    q.push(100, 1, 101, 2, 77, 5, 6);
    p = place(enc.quotes(q));
    r = new RecordReader(p.buf);
    expect(r.open(p.at, p.buf.length - p.at - 64)).toBe(Body.QuoteBatch);
    expect([r.quotes.bidPrice(0), r.quotes.bidSize(0), r.quotes.askPrice(0), r.quotes.askSize(0), r.quotes.seq(0)]).toEqual([
      100, 1, 101, 2, 77,
    ]);
  });

  it('raw frames carry bytes, context and receive time; the payload is read in place', () => {
    const enc = new Encoder();
    const payload = new TextEncoder().encode('{"lastUpdateId":1,"bids":[],"asks":[]}');
    const { buf, at } = place(enc.rawFrame(2, 17, 1_700_000_000, 5, 42, FrameKind.RestResponse, '/api/v3/depth?symbol=BTCUSDT', payload));
    const r = new RecordReader(buf);
    expect(r.open(at, buf.length - at - 64)).toBe(Body.RawFrame);
    expect([r.raw.venue(), r.raw.connId(), r.raw.recvS(), r.raw.recvNs(), r.raw.frameSeq(), r.raw.kind()]).toEqual([
      2,
      17,
      1_700_000_000,
      5,
      42,
      FrameKind.RestResponse,
    ]);
    expect(r.raw.context()).toBe('/api/v3/depth?symbol=BTCUSDT');
    const bytes = r.rawBytes();
    expect(bytes.buffer).toBe(buf.buffer);
    expect(Buffer.from(bytes).toString()).toBe('{"lastUpdateId":1,"bids":[],"asks":[]}');
  });

  it('trading records and marks', () => {
    const enc = new Encoder();
    const inputs = [
      { name: 'imbalance', value: 0.8 },
      { name: 'spread', value: 0.01 },
    ];
    let p = place(
      enc.orderIntent({
        intentId: 1,
        instrument: 3,
        venue: 1,
        strategy: 'imbalance',
        side: 0,
        type: 0,
        tif: 1,
        price: 100,
        size: 5,
        priceScale: 2,
        sizeScale: 0,
        reduceOnly: false,
        reason: 'bid imbalance 0.8 > 0.6',
        inputs,
        createdS: 1,
        createdNs: 2,
        recvS: 3,
        recvNs: 4,
      }),
    );
    let r = new RecordReader(p.buf);
    expect(r.open(p.at, p.buf.length - p.at - 64)).toBe(Body.OrderIntent);
    expect(r.intent.reason()).toBe('bid imbalance 0.8 > 0.6');
    expect(r.intent.inputsLength()).toBe(2);
    expect(r.intent.inputs(1)?.name()).toBe('spread');
    p = place(enc.dropMark(12, 2, 'normalize->book'));
    r = new RecordReader(p.buf);
    expect(r.open(p.at, p.buf.length - p.at - 64)).toBe(Body.DropMark);
    expect([r.dropMark.count(), r.dropMark.reason(), r.dropMark.edge()]).toEqual([12, 2, 'normalize->book']);
  });
});

describe('corrupt and truncated records', () => {
  it('every truncation of a record is refused, never thrown', () => {
    const enc = new Encoder();
    const bytes = enc.bookDelta(delta()).slice();
    const { buf, at } = place(bytes);
    const r = new RecordReader(buf);
    for (let len = 0; len < bytes.length; len++) {
      // a prefix shorter than the record: the level vectors or the table run past its end
      const t = r.open(at, len);
      if (t !== Body.NONE) {
        // only acceptable if every vector the views read lies inside the prefix
        expect(len).toBeGreaterThanOrEqual(bytes.length - 8);
      }
    }
    expect(r.open(at, bytes.length)).toBe(Body.BookDeltaBatch);
  });

  it('property: random bit flips and garbage never throw and never yield an out-of-bounds vector', () => {
    const enc = new Encoder();
    const good = enc.bookDelta(delta()).slice();
    let seed = 7;
    const rand = (n: number) => {
      seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
      return seed % n;
    };
    for (let trial = 0; trial < 3000; trial++) {
      const bytes = good.slice();
      const flips = 1 + rand(8);
      for (let f = 0; f < flips; f++) bytes[rand(bytes.length)] = rand(256);
      const { buf, at } = place(trial % 10 === 0 ? Uint8Array.from({ length: 200 }, () => rand(256)) : bytes);
      const r = new RecordReader(buf);
      const type = r.open(at, buf.length - at - 64);
      if (type === Body.BookDeltaBatch || type === Body.BookSnapshot || type === Body.BookView) {
        const v = type === Body.BookDeltaBatch ? r.delta : type === Body.BookSnapshot ? r.snapshot : r.view;
        expect(v.bids.length * 16).toBeLessThanOrEqual(buf.length);
        for (let i = 0; i < v.bids.length; i++) expect(typeof v.bids.price(i)).toBe('number');
      }
    }
  });
});
