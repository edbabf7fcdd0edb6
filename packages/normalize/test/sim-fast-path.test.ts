import { BookDeltaDraft, InstrumentRegistry, TradeBatchDraft } from '@tickline/wire';
import { describe, expect, it } from 'vitest';
import { simStream } from '../bench/sim-frames.js';
import { ParseContext } from '../src/core/context.js';
import { SimScanner } from '../src/core/venues/sim-scan.js';
import { corrupt, fastAndJson } from './helpers/differential.js';
import { pick, rng } from './helpers/rng.js';

/**
 * The sim scanner must be an exact shortcut: on frames from the embedded exchange's own market
 * and encoders, and on every way of bending them, the fast path's records (every field, every
 * level) and reject counters are exactly the JSON path's.
 */

type Json = Record<string, unknown>;

const stream = simStream({ frames: 6000, instruments: 5500, seed: 7 });
const live = stream.frames;

function scanner() {
  const ctx = new ParseContext(stream.registry);
  const scan = new SimScanner(ctx, new BookDeltaDraft(), new TradeBatchDraft());
  return (text: string) => scan.tryFrame(Buffer.from(text));
}

function shuffled<T>(list: T[], next: () => number): T[] {
  const out = [...list];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

function reorder(o: Json, next: () => number): Json {
  const out: Json = {};
  for (const k of shuffled(Object.keys(o), next)) {
    const v = o[k];
    out[k] = k === 'trades' && Array.isArray(v) ? v.map((t: Json) => reorder(t, next)) : v;
  }
  return out;
}

const BAD_NUMBERS: unknown[] = [-1, 1.5, 1e21, '12', '', 2 ** 60, 2 ** 53 + 2, null, true, [], {}];
const BAD_DECIMALS: unknown[] = [
  '1.23456789012',
  '',
  '-1',
  '+1',
  '.5',
  '5.',
  '1e2',
  '0',
  '0.000',
  '-0',
  'abc',
  ' 1',
  '99999999999999999999',
  1.5,
  null,
];
const BAD_CHANNELS = ['book:ZZZZZZZ', 'book:aapl', 'trades:AAPL', 'book:AAPL', 'book:', 'book', 'orders', 'book:AAPL:X', 'BOOK:AAPL'];
const BAD_TYPES: unknown[] = ['snapshot', 'Delta', 'trade', 'delta', 'heartbeat', 'error', 5, null];
const BAD_LEVELS: unknown[] = [[['1.00', '1', 'x']], [{ p: '1', s: '1' }], [[]], [['1.00']], [[1, 2]], 'x', {}, [[['1', '1']]]];
const BAD_TRADES: unknown[] = [[], {}, [{}], [1], [{ id: 1, price: '1.00', size: '1', side: 'BUY' }]];

/** A valid frame bent one way; all of them are also run through the JSON path for comparison. */
const BENDS: ((o: Json, text: string, next: () => number) => string | Buffer)[] = [
  // Key order (the JSON path does not care; neither may the scanner).
  (o, _t, next) => JSON.stringify(reorder(o, next)),
  // Whitespace, pretty-printed or one space.
  (o) => JSON.stringify(o, null, 1),
  (_o, t, next) => {
    const at = t.indexOf(pick(next, [':', ',', '[', '{']), Math.floor(next() * t.length));
    return at < 0 ? `${t} ` : `${t.slice(0, at + 1)} ${t.slice(at + 1)}`;
  },
  // A character of a string value written as a \u escape.
  (_o, t, next) => {
    const at = t.indexOf('"', Math.floor(next() * t.length) + 1);
    if (at < 0 || at + 1 >= t.length || t.charCodeAt(at + 1) < 48) return t.replace('AAPL', 'AA\\u0050L');
    return `${t.slice(0, at + 1)}\\u00${t
      .charCodeAt(at + 1)
      .toString(16)
      .padStart(2, '0')}${t.slice(at + 2)}`;
  },
  // Missing or extra fields, at the top or in a trade.
  (o, _t, next) => {
    delete o[pick(next, Object.keys(o))];
    return JSON.stringify(o);
  },
  (o, _t, next) =>
    JSON.stringify(reorder({ ...o, [pick(next, ['x', 'extra', 'id', 'snapshot'])]: pick(next, [1, 'x', null, { a: [1] }]) }, next)),
  (o, _t, next) => {
    const trades = o.trades as Json[] | undefined;
    const tr = trades?.[0];
    if (tr === undefined) return JSON.stringify({ ...o, trades: [] });
    if (next() < 0.5) delete tr[pick(next, Object.keys(tr))];
    else tr[pick(next, ['x', 'ts', 'id'])] = 7;
    return JSON.stringify(o);
  },
  // A repeated key (JSON keeps the last).
  (_o, t, next) => `${t.slice(0, -1)},${pick(next, ['"seq":5', '"ts":1', '"bids":[]', '"channel":"book:MSFT"', '"type":"trade"'])}}`,
  // Bad numbers, decimals, channels, types, levels, trades, sides.
  (o, _t, next) => {
    o[pick(next, ['seq', 'prevSeq', 'ts'])] = pick(next, BAD_NUMBERS);
    return JSON.stringify(o);
  },
  (_o, t, next) => t.replace(/"(seq|prevSeq|ts|id)":(\d)/, `"$1":${pick(next, ['0', '-', '00', '1.', '1e'])}$2`),
  (o, _t, next) => {
    const side = (o.trades ?? o[pick(next, ['bids', 'asks'])]) as unknown[];
    if (!Array.isArray(side) || side.length === 0) return JSON.stringify({ ...o, bids: [[pick(next, BAD_DECIMALS), '1']] });
    const i = Math.floor(next() * side.length);
    const v = side[i];
    if (Array.isArray(v)) v[next() < 0.5 ? 0 : 1] = pick(next, BAD_DECIMALS);
    else (v as Json)[pick(next, ['price', 'size', 'id', 'side'])] = pick(next, [...BAD_DECIMALS, ...BAD_NUMBERS, 'BUY', 'Sell']);
    return JSON.stringify(o);
  },
  (o, _t, next) => JSON.stringify({ ...o, channel: pick(next, BAD_CHANNELS) }),
  (o, _t, next) => JSON.stringify({ ...o, type: pick(next, BAD_TYPES) }),
  (o, _t, next) =>
    JSON.stringify(o.trades === undefined ? { ...o, asks: pick(next, BAD_LEVELS) } : { ...o, trades: pick(next, BAD_TRADES) }),
  // Truncation and random text corruption.
  (_o, t, next) => t.slice(0, Math.floor(next() * t.length)),
  (_o, t, next) => corrupt(t, next),
  // Bytes that are not ASCII: UTF-8 characters, and bytes that are not UTF-8 at all.
  (_o, t, next) => {
    const at = Math.floor(next() * t.length);
    return `${t.slice(0, at)}${pick(next, ['é', 'Ä', '€', '\u{1F600}'])}${t.slice(at + 1)}`;
  },
  (_o, t, next) => {
    const b = Buffer.from(t);
    for (let k = 0; k < 1 + Math.floor(next() * 2); k++) b[Math.floor(next() * b.length)] = 0x80 + Math.floor(next() * 128);
    return b;
  },
];

describe('sim fast path', () => {
  it('takes every delta and trade frame the exchange encodes, in any key order, and no snapshot', () => {
    const tryFrame = scanner();
    const next = rng(11);
    let trades = 0;
    for (const text of live) {
      expect(tryFrame(text), text).toBe(true);
      expect(tryFrame(JSON.stringify(reorder(JSON.parse(text) as Json, next))), text).toBe(true);
      if (text.startsWith('{"type":"trade"')) trades++;
    }
    expect(trades).toBeGreaterThan(live.length / 10);
    for (const text of stream.snapshots.slice(0, 200)) expect(tryFrame(text)).toBe(false);
  });

  it('emits exactly what the JSON path emits on the live stream, snapshots and control frames', () => {
    const { run, fast, json } = fastAndJson('sim', stream.registry);
    const control = ['{"type":"heartbeat","channel":"system","ts":1718000000000}', '{"type":"pong","channel":"system","id":1,"ts":1}'];
    let records = 0;
    for (const text of [...stream.snapshots.slice(0, 300), ...live, ...control]) {
      const [a, b] = run(text);
      expect(a, text).toEqual(b);
      records += a.length;
    }
    expect(records).toBe(300 + live.length);
    expect(fast.stats()).toEqual(json.stats());
    expect(fast.stats().rejectedTotal).toBe(0);
  });

  it('agrees with the JSON path on bent and broken frames (and never throws)', () => {
    const { run, fast, json } = fastAndJson('sim', stream.registry);
    const next = rng(2024);
    let accepted = 0;
    for (let k = 0; k < 24000; k++) {
      const text = pick(next, live);
      const bend = BENDS[k % BENDS.length] as (typeof BENDS)[number];
      const bent = bend(JSON.parse(text) as Json, text, next);
      const [a, b] = run(bent);
      expect(a, typeof bent === 'string' ? bent : bent.toString('latin1')).toEqual(b);
      if (a.length > 0 && a[0]?.t !== 'reject') accepted++;
    }
    const stats = fast.stats();
    expect(stats).toEqual(json.stats());
    // The bends must reach both outcomes: records emitted and each kind of reject on the way.
    expect(accepted).toBeGreaterThan(2000);
    for (const reason of ['unknown_instrument', 'malformed_json', 'invalid_field', 'missing_field', 'precision_exceeded'] as const)
      expect(stats.rejected[reason], reason).toBeGreaterThan(0);
  });
});

describe('sim fast path edge cases', () => {
  const { run } = fastAndJson('sim', stream.registry);
  const d = '{"type":"delta","channel":"book:AAPL","seq":5,"prevSeq":4,"ts":1718000000002';
  const tr = '{"type":"trade","channel":"trades:AAPL","ts":1718000000002';
  const cases = [
    `${d},"bids":[["189.96","0"],["189.94","700"]],"asks":[["189.97","150"]]}`,
    `${d},"bids":[],"asks":[]}`,
    `${d},"bids":[["189.96","-0"]],"asks":[]}`,
    `${d},"bids":[["-0","1"]],"asks":[]}`,
    `${d},"bids":[["189.961","1"]],"asks":[]}`,
    `${d},"bids":[["189.960000","1"]],"asks":[]}`,
    `${d},"bids":[["189.96","1"]],"asks":[],"asks":[]}`,
    `${d},"bids":[["189.96","1"]]}`,
    '{"bids":[["189.96","1"]],"asks":[],"type":"delta","seq":5,"prevSeq":4,"ts":1718000000002,"channel":"book:AAPL"}',
    '{"bids":[["189.961","1"]],"asks":[],"type":"delta","seq":5,"prevSeq":4,"ts":1718000000002,"channel":"book:AAPL"}',
    '{"bids":[],"asks":[],"type":"delta","seq":5,"prevSeq":4,"ts":1718000000002,"channel":"trades:AAPL"}',
    '{"type":"delta","channel":"book:AAPL","seq":9007199254740993,"prevSeq":4,"ts":1,"bids":[],"asks":[]}',
    '{"type":"delta","channel":"book:AAPL","seq":-0,"prevSeq":4,"ts":1,"bids":[],"asks":[]}',
    '{"type":"delta","channel":"book:AAPL","seq":5,"prevSeq":null,"ts":1,"bids":[],"asks":[]}',
    '{"type":"delta","channel":"book:AAPL","seq":5,"prevSeq":4,"ts":1.5,"bids":[],"asks":[]}',
    '{"type":"delta","channel":"book:AAPL","seq":5,"prevSeq":4,"ts":"1718000000002","bids":[],"asks":[]}',
    '{"type":"delta","channel":"book:AA\\"PL","seq":5,"prevSeq":4,"ts":1,"bids":[],"asks":[]}',
    `${tr},"trades":[{"id":412,"price":"189.98","size":"20","side":"buy"},{"id":413,"price":"189.97","size":"0","side":"sell"}]}`,
    '{"trades":[{"side":"sell","size":"20","price":"189.98","id":412}],"ts":1718000000002,"channel":"trades:AAPL","type":"trade"}',
    '{"channel":"trades:AAPL","trades":[{"side":"sell","size":"20","price":"189.98","id":412}],"ts":1718000000002,"type":"trade"}',
    '{"ts":1718000000002,"trades":[{"side":"sell","size":"20","price":"189.981","id":412}],"channel":"trades:AAPL","type":"trade"}',
    `${tr},"trades":[]}`,
    `${tr},"trades":[{"id":"412","price":"189.98","size":"20","side":"buy"}]}`,
    `${tr},"trades":[{"id":412,"price":"189.98","size":"20","side":"buy","id":413}]}`,
    `${tr},"trades":[{"id":412,"price":"189.98","size":"-1","side":"buy"}]}`,
    `${tr},"trades":[{"id":412,"price":"189.98","size":"-0","side":"buy"}]}`,
    `${tr},"trades":[{"id":412,"price":"189.98","size":"20","side":"buy"}]}\n`,
    `${tr},"trades":[{"id":412,"price":"189.98","size":"20","side":"buy"}],"seq":1}`,
    `${tr},"trades":[{"id":412,"price":"189.98","size":"20","side":"buy"}]}}`,
    `${tr},"trades":[{"id":412,"price":"189.98","size":"20","side":"buy"}]}x`,
    `${d},"bids":[],"asks":[]}{}`,
  ];
  it.each(cases)('%s', (text) => {
    const [a, b] = run(text);
    expect(a).toEqual(b);
  });

  it('leaves symbols that are not printable ASCII to the JSON path', () => {
    // 'Ã\u0089' is what the UTF-8 bytes of 'É' spell one byte per character.
    const registry = new InstrumentRegistry();
    for (const symbol of ['Ã\u0089', 'É']) registry.add({ venue: 'sim', symbol, priceScale: 2, sizeScale: 0, tickSize: 1, lotSize: 1 });
    const both = fastAndJson('sim', registry);
    const [a, b] = both.run('{"type":"delta","channel":"book:É","seq":1,"prevSeq":0,"ts":1,"bids":[["1.00","1"]],"asks":[]}');
    expect(a).toEqual(b);
    expect(a[0]).toMatchObject({ t: 'delta', instrument: registry.lookup('sim', 'É')?.id });
  });

  it('compares symbols as JSON strings, not as raw text', () => {
    // Symbols spelled like JSON escapes: the frame text X\nY means X, newline, Y, not the symbol
    // spelled X, backslash, n, Y.
    const registry = new InstrumentRegistry();
    registry.add({ venue: 'sim', symbol: 'X\\nY', priceScale: 2, sizeScale: 0, tickSize: 1, lotSize: 1 });
    registry.add({ venue: 'sim', symbol: 'X\nY', priceScale: 2, sizeScale: 0, tickSize: 1, lotSize: 1 });
    const both = fastAndJson('sim', registry);
    for (const text of [
      '{"type":"delta","channel":"book:X\\nY","seq":1,"prevSeq":0,"ts":1,"bids":[["1.00","1"]],"asks":[]}',
      '{"type":"delta","channel":"book:X\\\\nY","seq":1,"prevSeq":0,"ts":1,"bids":[["1.00","1"]],"asks":[]}',
    ]) {
      const [a, b] = both.run(text);
      expect(a, text).toEqual(b);
      expect(a[0]?.t).toBe('delta');
    }
  });
});
