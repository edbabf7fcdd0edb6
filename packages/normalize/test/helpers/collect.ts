import {
  type BookDeltaLike,
  type MarketHeader,
  type BookSnapshotLike,
  type CanonicalSink,
  formatDecimal,
  type LevelsLike,
  type QuoteBatchLike,
  type TradeBatchLike,
} from '@tickline/wire';
import { norm } from './capture.js';

export type Lv = [string, string];

/**
 * A record's header and, per entry, every raw number (mantissas, sequence, ids, exchange times;
 * for a book record its exchange time): kept in `raw`, so `plain()` leaves them out.
 */
export interface Hdr {
  venue: number;
  priceScale: number;
  sizeScale: number;
  recvS: number;
  recvNs: number;
  rows: number[][];
}

export type Out =
  | {
      t: 'delta';
      instrument: number;
      bids: Lv[];
      asks: Lv[];
      firstSeq: number;
      lastSeq: number;
      prevSeq: number;
      checksum: number;
      raw: { bids: number[][]; asks: number[][]; ps: number; ss: number; hdr: Hdr };
    }
  | {
      t: 'snapshot';
      instrument: number;
      bids: Lv[];
      asks: Lv[];
      seq: number;
      checksum: number;
      raw: { bids: number[][]; asks: number[][]; ps: number; ss: number; hdr: Hdr };
    }
  | {
      t: 'quote';
      instrument: number;
      quotes: { bid: string; bidSize: string; ask: string; askSize: string; seq: number }[];
      raw: { hdr: Hdr };
    }
  | { t: 'trade'; instrument: number; trades: { price: string; size: string; side: number; id: number }[]; raw: { hdr: Hdr } }
  | { t: 'reject'; reason: string; detail: string };

function levels(l: LevelsLike, ps: number, ss: number): Lv[] {
  const out: Lv[] = [];
  for (let i = 0; i < l.length; i++) out.push([norm(formatDecimal(l.price(i), ps)), norm(formatDecimal(l.size(i), ss))]);
  return out;
}

function raw(l: LevelsLike): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < l.length; i++) out.push([l.price(i), l.size(i)]);
  return out;
}

function hdr(h: MarketHeader, rows: number[][]): Hdr {
  return { venue: h.venue, priceScale: h.priceScale, sizeScale: h.sizeScale, recvS: h.recvS, recvNs: h.recvNs, rows };
}

function opt(v: number, ps: number): string {
  return Number.isNaN(v) ? 'NaN' : norm(formatDecimal(v, ps));
}

/** A sink that copies everything it gets into plain records (decimals re-formatted as shortest strings). */
export class CollectSink implements CanonicalSink {
  readonly out: Out[] = [];

  bookDelta(d: BookDeltaLike): void {
    this.out.push({
      t: 'delta',
      instrument: d.instrument,
      bids: levels(d.bids, d.priceScale, d.sizeScale),
      asks: levels(d.asks, d.priceScale, d.sizeScale),
      firstSeq: d.firstSeq,
      lastSeq: d.lastSeq,
      prevSeq: d.prevSeq,
      checksum: d.checksum,
      raw: { bids: raw(d.bids), asks: raw(d.asks), ps: d.priceScale, ss: d.sizeScale, hdr: hdr(d, [[d.exchS, d.exchNs]]) },
    });
  }

  bookSnapshot(s: BookSnapshotLike): void {
    this.out.push({
      t: 'snapshot',
      instrument: s.instrument,
      bids: levels(s.bids, s.priceScale, s.sizeScale),
      asks: levels(s.asks, s.priceScale, s.sizeScale),
      seq: s.seq,
      checksum: s.checksum,
      raw: { bids: raw(s.bids), asks: raw(s.asks), ps: s.priceScale, ss: s.sizeScale, hdr: hdr(s, [[s.exchS, s.exchNs]]) },
    });
  }

  quotes(q: QuoteBatchLike): void {
    const quotes = [];
    const rows = [];
    for (let i = 0; i < q.length; i++) {
      rows.push([q.bidPrice(i), q.bidSize(i), q.askPrice(i), q.askSize(i), q.seq(i), q.exchS(i), q.exchNs(i)]);
      quotes.push({
        bid: opt(q.bidPrice(i), q.priceScale),
        bidSize: opt(q.bidSize(i), q.sizeScale),
        ask: opt(q.askPrice(i), q.priceScale),
        askSize: opt(q.askSize(i), q.sizeScale),
        seq: q.seq(i),
      });
    }
    this.out.push({ t: 'quote', instrument: q.instrument, quotes, raw: { hdr: hdr(q, rows) } });
  }

  trades(b: TradeBatchLike): void {
    const trades = [];
    const rows = [];
    for (let i = 0; i < b.length; i++) {
      rows.push([b.price(i), b.size(i), b.side(i), b.tradeId(i), b.exchS(i), b.exchNs(i)]);
      trades.push({ price: opt(b.price(i), b.priceScale), size: opt(b.size(i), b.sizeScale), side: b.side(i), id: b.tradeId(i) });
    }
    this.out.push({ t: 'trade', instrument: b.instrument, trades, raw: { hdr: hdr(b, rows) } });
  }

  reject(reason: string, detail: string): void {
    this.out.push({ t: 'reject', reason, detail });
  }

  clear(): void {
    this.out.length = 0;
  }

  /** Everything without the raw mantissas, header and times (for deep-equal against expectations). */
  plain(): unknown[] {
    return this.out.map((o) => {
      if (o.t === 'reject') return o;
      const { raw: _r, ...rest } = o;
      return rest;
    });
  }
}
