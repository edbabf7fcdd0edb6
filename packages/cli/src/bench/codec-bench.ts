/**
 * `tickline bench codec`: what the wire format costs per record, against JSON as the peer,
 * measured side by side in one process: encode and decode of (a) one trade tick and (b) a
 * 64-level book delta batch. "decode" means reading every field and level back, in place for
 * FlatBuffers (RecordReader over the bytes, as a ring consumer does) and via JSON.parse for JSON.
 */

import { type BenchReport, type BenchResult, report, summarize } from '@tickline/runtime';
import { BookDeltaDraft, Encoder, RecordReader, SideCode, TradeBatchDraft } from '@tickline/wire';

export interface CodecBenchOptions {
  runs: number;
  /** Target milliseconds per measurement. */
  ms: number;
}

let sink = 0;

function timeIt(ms: number, op: () => void): number {
  // warm up, then find an iteration count that takes about `ms`
  for (let i = 0; i < 2000; i++) op();
  let iters = 1000;
  for (;;) {
    const t0 = performance.now();
    for (let i = 0; i < iters; i++) op();
    const dt = performance.now() - t0;
    if (dt >= ms) return (dt * 1e6) / iters;
    iters = Math.ceil(iters * Math.min(10, Math.max(1.5, (ms * 1.2) / Math.max(dt, 0.01))));
  }
}

function place(bytes: Uint8Array): { buf: Uint8Array; at: number; len: number } {
  const buf = new Uint8Array(new SharedArrayBuffer(bytes.length + 64));
  buf.set(bytes, 16);
  return { buf, at: 16, len: bytes.length };
}

export async function runCodecBench(opts: CodecBenchOptions): Promise<BenchReport> {
  const enc = new Encoder();
  const trade = new TradeBatchDraft().reset();
  trade.instrument = 42;
  trade.priceScale = 2;
  trade.sizeScale = 4;
  trade.recvS = 1_700_000_000;
  trade.recvNs = 123;
  trade.push(1_234_567, 15_000, SideCode.Buy, 987_654_321, 1_700_000_000, 99);
  const tradeObj = {
    instrument: 42,
    priceScale: 2,
    sizeScale: 4,
    recvS: 1_700_000_000,
    recvNs: 123,
    trades: [{ price: 1_234_567, size: 15_000, side: 0, tradeId: 987_654_321, exchS: 1_700_000_000, exchNs: 99 }],
  };

  const delta = new BookDeltaDraft().reset();
  Object.assign(delta, {
    instrument: 42,
    venue: 2,
    priceScale: 2,
    sizeScale: 8,
    recvS: 1_700_000_000,
    recvNs: 5,
    exchS: 1_700_000_000,
    exchNs: 1,
    firstSeq: 1001,
    lastSeq: 1064,
    prevSeq: 1000,
  });
  for (let i = 0; i < 32; i++) {
    delta.bids.push(1_000_000 - i, 100_000_000 + i);
    delta.asks.push(1_000_001 + i, 200_000_000 + i);
  }
  const deltaObj = {
    instrument: 42,
    venue: 2,
    priceScale: 2,
    sizeScale: 8,
    recvS: 1_700_000_000,
    recvNs: 5,
    firstSeq: 1001,
    lastSeq: 1064,
    prevSeq: 1000,
    bids: Array.from({ length: 32 }, (_, i) => [1_000_000 - i, 100_000_000 + i]),
    asks: Array.from({ length: 32 }, (_, i) => [1_000_001 + i, 200_000_000 + i]),
  };

  const tradeBytes = place(enc.trades(trade).slice());
  const deltaBytes = place(enc.bookDelta(delta).slice());
  const tradeJson = JSON.stringify(tradeObj);
  const deltaJson = JSON.stringify(deltaObj);
  const tr = new RecordReader(tradeBytes.buf);
  const dr = new RecordReader(deltaBytes.buf);

  const cases: [string, () => void, Record<string, string | number>][] = [
    ['flatbuffers:encode:tick', () => (sink += enc.trades(trade).length), { bytes: tradeBytes.len }],
    ['json:encode:tick', () => (sink += JSON.stringify(tradeObj).length), { bytes: tradeJson.length }],
    [
      'flatbuffers:decode:tick',
      () => {
        tr.open(tradeBytes.at, tradeBytes.len);
        const t = tr.trades;
        sink += t.instrument + t.recvS + t.price(0) + t.size(0) + t.side(0) + t.tradeId(0) + t.exchNs(0);
      },
      { bytes: tradeBytes.len },
    ],
    [
      'json:decode:tick',
      () => {
        const o = JSON.parse(tradeJson);
        const t = o.trades[0];
        sink += o.instrument + o.recvS + t.price + t.size + t.side + t.tradeId + t.exchNs;
      },
      { bytes: tradeJson.length },
    ],
    ['flatbuffers:encode:delta64', () => (sink += enc.bookDelta(delta).length), { bytes: deltaBytes.len, levels: 64 }],
    ['json:encode:delta64', () => (sink += JSON.stringify(deltaObj).length), { bytes: deltaJson.length, levels: 64 }],
    [
      'flatbuffers:decode:delta64',
      () => {
        dr.open(deltaBytes.at, deltaBytes.len);
        const d = dr.delta;
        let s = d.instrument + d.firstSeq + d.lastSeq;
        for (let i = 0; i < d.bids.length; i++) s += d.bids.price(i) + d.bids.size(i);
        for (let i = 0; i < d.asks.length; i++) s += d.asks.price(i) + d.asks.size(i);
        sink += s;
      },
      { bytes: deltaBytes.len, levels: 64 },
    ],
    [
      'json:decode:delta64',
      () => {
        const d = JSON.parse(deltaJson);
        let s = d.instrument + d.firstSeq + d.lastSeq;
        for (const [p, q] of d.bids) s += p + q;
        for (const [p, q] of d.asks) s += p + q;
        sink += s;
      },
      { bytes: deltaJson.length, levels: 64 },
    ],
  ];
  const results: BenchResult[] = [];
  const perCase = cases.map(() => [] as Record<string, number>[]);
  // interleave the cases within each run so machine noise hits them alike
  for (let r = 0; r < opts.runs; r++) {
    cases.forEach(([name, op], i) => {
      const ns = timeIt(opts.ms, op);
      const row: Record<string, number> = { nsPerOp: ns };
      if (name.endsWith('delta64')) row.nsPerLevel = ns / 64;
      perCase[i]?.push(row);
    });
  }
  cases.forEach(([name, , params], i) => {
    results.push(summarize(name, perCase[i] as Record<string, number>[], params));
  });
  if (sink === 0.5) console.log(sink);
  const ratio = (a: string, b: string) => {
    const x = results.find((r) => r.name === a)?.median.nsPerOp;
    const y = results.find((r) => r.name === b)?.median.nsPerOp;
    return x && y ? (y / x).toFixed(2) : 'n/a';
  };
  return report('codec', opts.runs, results, [
    `speed-up over JSON (json ns / flatbuffers ns): encode tick ${ratio('flatbuffers:encode:tick', 'json:encode:tick')}x, decode tick ${ratio('flatbuffers:decode:tick', 'json:decode:tick')}x, encode delta64 ${ratio('flatbuffers:encode:delta64', 'json:encode:delta64')}x, decode delta64 ${ratio('flatbuffers:decode:delta64', 'json:decode:delta64')}x`,
    'flatbuffers decode verifies the record and reads every field in place; json decode is JSON.parse plus the same reads',
  ]);
}
