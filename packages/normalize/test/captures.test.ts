import { crc32 } from 'node:zlib';
import { formatDecimal, type InstrumentRegistry, type VenueName, VENUES } from '@tickline/wire';
import { describe, expect, it } from 'vitest';
import { inferInstruments, inferScales, krakenV1Instruments, Normalizer, registryOf } from '../src/index.js';
import { type CapFrame, loadCapture, norm } from './helpers/capture.js';
import { CollectSink, type Out } from './helpers/collect.js';

/**
 * Replaying each real capture through the normalize core reproduces every frame's content
 * exactly in canonical form. For every frame, the expected canonical records are derived
 * independently from the source JSON (decimal strings compared in shortest form) and must equal
 * what the core emitted, with zero rejects over the whole capture.
 */

type Lv = [string, string];
const L = (arr: [string, string, ...unknown[]][]): Lv[] => arr.map((l) => [norm(l[0]), norm(l[1])]);
// biome-ignore lint/suspicious/noExplicitAny: the oracles read raw venue JSON
type J = any;
type Expect = (msg: J, f: CapFrame, id: (symbol: string) => number) => unknown[];

function replay(venue: VenueName, file: string, expectOf: Expect, reg?: InstrumentRegistry) {
  const frames = loadCapture(file);
  const registry = reg ?? registryOf(inferInstruments(venue, frames));
  const n = new Normalizer({ registry });
  const sink = new CollectSink();
  const all: Out[] = [];
  const id = (s: string) => {
    const spec = registry.lookup(venue, s);
    if (spec === undefined) throw new Error(`no instrument ${s}`);
    return spec.id;
  };
  let emitted = 0;
  for (const f of frames) {
    sink.clear();
    n.handleFrame(VENUES[venue], f.kind, f.context, f.bytes, f.recvS, f.recvNs, sink);
    const want = expectOf(JSON.parse(f.text), f, id);
    expect(sink.plain(), f.text.slice(0, 120)).toEqual(want);
    emitted += sink.out.length;
    all.push(...sink.out);
  }
  return { frames, registry, stats: n.stats(), emitted, all };
}

const binance: Expect = (msg, f, id) => {
  if (f.kind === 2) {
    const sym = new URLSearchParams((f.context ?? '').split('?')[1]).get('symbol') as string;
    return [{ t: 'snapshot', instrument: id(sym), bids: L(msg.bids), asks: L(msg.asks), seq: msg.lastUpdateId, checksum: Number.NaN }];
  }
  const d = msg.data ?? msg;
  if (d.e === 'depthUpdate') {
    return [
      {
        t: 'delta',
        instrument: id(d.s),
        bids: L(d.b),
        asks: L(d.a),
        firstSeq: d.U,
        lastSeq: d.u,
        prevSeq: d.pu ?? Number.NaN,
        checksum: Number.NaN,
      },
    ];
  }
  if (d.e === 'bookTicker' || (d.e === undefined && 'u' in d)) {
    return [
      { t: 'quote', instrument: id(d.s), quotes: [{ bid: norm(d.b), bidSize: norm(d.B), ask: norm(d.a), askSize: norm(d.A), seq: d.u }] },
    ];
  }
  if (d.e === 'aggTrade')
    return [{ t: 'trade', instrument: id(d.s), trades: [{ price: norm(d.p), size: norm(d.q), side: d.m ? 1 : 0, id: d.a }] }];
  return [];
};

const coinbaseLegacy: Expect = (m, _f, id) => {
  switch (m.type) {
    case 'snapshot':
      return [{ t: 'snapshot', instrument: id(m.product_id), bids: L(m.bids), asks: L(m.asks), seq: Number.NaN, checksum: Number.NaN }];
    case 'l2update': {
      const side = (s: string) =>
        m.changes.filter((c: string[]) => c[0] === s).map((c: string[]) => [norm(c[1] as string), norm(c[2] as string)]);
      return [
        {
          t: 'delta',
          instrument: id(m.product_id),
          bids: side('buy'),
          asks: side('sell'),
          firstSeq: Number.NaN,
          lastSeq: Number.NaN,
          prevSeq: Number.NaN,
          checksum: Number.NaN,
        },
      ];
    }
    case 'ticker':
      return [
        {
          t: 'quote',
          instrument: id(m.product_id),
          quotes: [{ bid: norm(m.best_bid), bidSize: 'NaN', ask: norm(m.best_ask), askSize: 'NaN', seq: m.sequence }],
        },
      ];
    case 'match':
    case 'last_match':
      return [
        {
          t: 'trade',
          instrument: id(m.product_id),
          trades: [{ price: norm(m.price), size: norm(m.size), side: m.side === 'sell' ? 0 : 1, id: m.trade_id }],
        },
      ];
    default:
      return [];
  }
};

const krakenV1: Expect = (m, _f, id) => {
  if (!Array.isArray(m)) return [];
  const payloads = m.slice(1, -2) as Record<string, J>[];
  const pair = m[m.length - 1] as string;
  const cat = (k: string) => payloads.flatMap((p) => (p[k] ? L(p[k]) : []));
  if (payloads.some((p) => p.as || p.bs))
    return [{ t: 'snapshot', instrument: id(pair), bids: cat('bs'), asks: cat('as'), seq: Number.NaN, checksum: Number.NaN }];
  const c = payloads.find((p) => p.c !== undefined)?.c;
  return [
    {
      t: 'delta',
      instrument: id(pair),
      bids: cat('b'),
      asks: cat('a'),
      firstSeq: Number.NaN,
      lastSeq: Number.NaN,
      prevSeq: Number.NaN,
      checksum: c === undefined ? Number.NaN : Number(c),
    },
  ];
};

const okx: Expect = (m, _f, id) => {
  if (m.event) return [];
  const ch = m.arg.channel;
  if (ch === 'books') {
    return m.data.map((d: J) =>
      m.action === 'update'
        ? {
            t: 'delta',
            instrument: id(m.arg.instId),
            bids: L(d.bids),
            asks: L(d.asks),
            firstSeq: d.seqId ?? Number.NaN,
            lastSeq: d.seqId ?? Number.NaN,
            prevSeq: d.prevSeqId ?? Number.NaN,
            checksum: d.checksum,
          }
        : {
            t: 'snapshot',
            instrument: id(m.arg.instId),
            bids: L(d.bids),
            asks: L(d.asks),
            seq: d.seqId ?? Number.NaN,
            checksum: d.checksum,
          },
    );
  }
  if (ch === 'tickers') {
    return m.data.map((d: J) => ({
      t: 'quote',
      instrument: id(d.instId),
      quotes: [{ bid: norm(d.bidPx), bidSize: norm(d.bidSz), ask: norm(d.askPx), askSize: norm(d.askSz), seq: Number.NaN }],
    }));
  }
  if (ch === 'trades') {
    return [
      {
        t: 'trade',
        instrument: id(m.arg.instId),
        trades: m.data.map((d: J) => ({ price: norm(d.px), size: norm(d.sz), side: d.side === 'buy' ? 0 : 1, id: Number(d.tradeId) })),
      },
    ];
  }
  return [];
};

/** A price -> size book over mantissas, as the book stage keeps it. */
class MiniBook {
  bids = new Map<number, number>();
  asks = new Map<number, number>();
  constructor(readonly depth = Number.POSITIVE_INFINITY) {}
  load(o: { raw: { bids: number[][]; asks: number[][] } }): void {
    this.bids.clear();
    this.asks.clear();
    this.apply(o);
  }
  apply(o: { raw: { bids: number[][]; asks: number[][] } }): void {
    for (const [side, list] of [[this.bids, o.raw.bids] as const, [this.asks, o.raw.asks] as const]) {
      for (const [p, s] of list as number[][]) {
        if (s === 0) side.delete(p as number);
        else side.set(p as number, s as number);
      }
    }
    this.#truncate();
  }
  top(side: 'bids' | 'asks', n: number): number[][] {
    const m = this[side];
    const keys = [...m.keys()].sort((a, b) => (side === 'bids' ? b - a : a - b)).slice(0, n);
    return keys.map((k) => [k, m.get(k) as number]);
  }
  #truncate(): void {
    if (!Number.isFinite(this.depth)) return;
    for (const side of ['bids', 'asks'] as const) {
      const keep = new Set(this.top(side, this.depth).map((l) => l[0]));
      for (const k of [...this[side].keys()]) if (!keep.has(k)) this[side].delete(k);
    }
  }
}

describe('real captures through the normalize core', () => {
  it('binance-spot: depthUpdate, bookTicker, aggTrade and REST /api/v3/depth snapshots', () => {
    const r = replay('binance-spot', 'binance-spot-depth-2021-10-12.cap', binance);
    expect(r.stats.rejectedTotal).toBe(0);
    expect(r.stats.deltas).toBe(177);
    expect(r.stats.quoteBatches).toBe(84);
    expect(r.stats.snapshots).toBe(4);
    expect(r.stats.ignored).toBe(2); // kline
  });

  it('binance-usdm: depthUpdate with pu, bookTicker, aggTrade and REST /fapi/v1/depth snapshots', () => {
    const r = replay('binance-usdm', 'binance-usdm-depth-2021-07-22.cap', binance);
    expect(r.stats.rejectedTotal).toBe(0);
    expect(r.stats.deltas).toBe(764);
    expect(r.stats.quoteBatches).toBe(613);
    expect(r.stats.tradeBatches).toBe(91);
    expect(r.stats.snapshots).toBe(4);
    // pu chain: every delta after the first of an instrument has pu = previous u.
    const last = new Map<number, number>();
    let chained = 0;
    for (const o of r.all) {
      if (o.t !== 'delta') continue;
      const prev = last.get(o.instrument);
      if (prev !== undefined) {
        expect(o.prevSeq).toBe(prev);
        chained++;
      }
      last.set(o.instrument, o.lastSeq);
    }
    expect(chained).toBeGreaterThan(700);
  });

  it('coinbase-legacy: snapshot, l2update, ticker, match', () => {
    const r = replay('coinbase-legacy', 'coinbase-legacy-level2-2021-04-17.cap', coinbaseLegacy);
    expect(r.stats.rejectedTotal).toBe(0);
    expect(r.stats.snapshots).toBe(10);
    expect(r.stats.deltas).toBe(9719);
    expect(r.stats.control).toBe(3);
  });

  it('kraken-v1: book snapshots and updates at AssetPairs scales; every CRC32 "c" rebuilds from canonical mantissas', () => {
    const assetPairs = loadCapture('kraken-assetpairs-2021-04-17.rest')[0] as CapFrame;
    const registry = registryOf(krakenV1Instruments(JSON.parse(assetPairs.text)));
    const r = replay('kraken-v1', 'kraken-v1-book-2021-04-17.cap', krakenV1, registry);
    expect(r.stats.rejectedTotal).toBe(0);
    // The checksum is over the venue's padded strings: mantissa + (written - scale) zeros.
    const written = inferScales('kraken-v1', r.frames);
    const pad = new Map<number, [number, number]>();
    for (const [sym, d] of written) {
      const spec = registry.lookup('kraken-v1', sym);
      if (spec) pad.set(spec.id, [d.priceText - spec.priceScale, d.sizeText - spec.sizeScale]);
    }
    expect([...pad.values()].every(([p]) => p > 0)).toBe(true); // every pair pads prices past pair_decimals
    expect(r.stats.snapshots).toBe(5);
    expect(r.stats.control).toBe(37);
    const books = new Map<number, MiniBook>();
    let verified = 0;
    const fmt = (m: number, scale: number, zeros: number) =>
      (formatDecimal(m, scale).replace('.', '') + '0'.repeat(zeros)).replace(/^0+/, '');
    for (const o of r.all) {
      if (o.t === 'snapshot') {
        const b = new MiniBook(1000);
        b.load(o);
        books.set(o.instrument, b);
      } else if (o.t === 'delta') {
        const b = books.get(o.instrument) as MiniBook;
        b.apply(o);
        const { ps, ss } = o.raw;
        const [pp, sp] = pad.get(o.instrument) as [number, number];
        const text = [...b.top('asks', 10), ...b.top('bids', 10)]
          .map(([p, s]) => fmt(p as number, ps, pp) + fmt(s as number, ss, sp))
          .join('');
        expect(crc32(text)).toBe(o.checksum);
        verified++;
      }
    }
    expect(verified).toBe(2595);
  });

  it('okx: books snapshot/update, tickers, trades; every signed CRC32 rebuilds from shortest-form strings', () => {
    const r = replay('okx', 'okx-v5-books-2022-05-13.cap', okx);
    expect(r.stats.rejectedTotal).toBe(0);
    expect(r.stats.control).toBe(6);
    const book = new MiniBook();
    let verified = 0;
    const fmt = (m: number, scale: number) => norm(formatDecimal(m, scale));
    for (const o of r.all) {
      if (o.t !== 'snapshot' && o.t !== 'delta') continue;
      if (o.t === 'snapshot') book.load(o);
      else book.apply(o);
      const { ps, ss } = o.raw;
      const bids = book.top('bids', 25);
      const asks = book.top('asks', 25);
      const parts: string[] = [];
      for (let i = 0; i < 25; i++) {
        const b = bids[i];
        const a = asks[i];
        if (b) parts.push(`${fmt(b[0] as number, ps)}:${fmt(b[1] as number, ss)}`);
        if (a) parts.push(`${fmt(a[0] as number, ps)}:${fmt(a[1] as number, ss)}`);
      }
      expect(crc32(parts.join(':')) | 0).toBe(o.checksum);
      verified++;
    }
    expect(verified).toBe(98);
  });
});
