import { InstrumentRegistry, VENUES, type VenueName } from '@tickline/wire';
import { describe, expect, it } from 'vitest';
import { inferInstruments, Normalizer, registryOf } from '../src/index.js';
import { loadCapture } from './helpers/capture.js';
import { CollectSink } from './helpers/collect.js';

/** The Binance scanner must be an exact shortcut: same output as the JSON path on every frame. */

function both(venue: VenueName, registry: InstrumentRegistry) {
  const fast = new Normalizer({ registry });
  const slow = new Normalizer({ registry, fastPaths: false });
  const a = new CollectSink();
  const b = new CollectSink();
  return (text: string, kind = 0, context: string | null = null) => {
    a.clear();
    b.clear();
    const bytes = Buffer.from(text, 'utf8');
    fast.handleFrame(VENUES[venue], kind, context, bytes, 1, 2, a);
    slow.handleFrame(VENUES[venue], kind, context, bytes, 1, 2, b);
    return [a.out, b.out] as const;
  };
}

// Small seeded PRNG (mulberry32) so failures reproduce.
function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const MUTATIONS = [
  '\n',
  '\u0001',
  '"',
  ',',
  ']',
  '[',
  '}',
  '{',
  '\\',
  '-',
  '.',
  '0',
  '9',
  'e',
  ' ',
  ':',
  'null',
  '"x"',
  '1e5',
  '-1',
  '99999999999999999',
];

for (const [venue, file] of [
  ['binance-spot', 'binance-spot-depth-2021-10-12.cap'],
  ['binance-usdm', 'binance-usdm-depth-2021-07-22.cap'],
] as const) {
  describe(`${venue} fast path`, () => {
    const frames = loadCapture(file);
    const registry = registryOf(inferInstruments(venue, frames));
    const run = both(venue, registry);

    it('emits exactly what the JSON path emits on every capture frame', () => {
      let fastHits = 0;
      const n = new Normalizer({ registry });
      for (const f of frames) {
        const [fast, slow] = run(f.text, f.kind, f.context);
        expect(fast).toEqual(slow);
        if (f.kind === 0) n.handleFrame(VENUES[venue], 0, null, f.bytes, 0, 0, new CollectSink());
        fastHits += fast.length;
      }
      expect(fastHits).toBeGreaterThan(0);
      expect(n.stats().rejectedTotal).toBe(0);
    });

    it('agrees with the JSON path on randomly corrupted frames (and never throws)', () => {
      let next = rng(1);
      const ws = frames.filter((f) => f.kind === 0);
      for (let k = 0; k < 12000; k++) {
        if (k % 4000 === 0) next = rng(venue.length * 7919 + k);
        const f = ws[Math.floor(next() * ws.length)];
        if (f === undefined) continue;
        let t = f.text;
        const edits = 1 + Math.floor(next() * 3);
        for (let e = 0; e < edits; e++) {
          const at = Math.floor(next() * t.length);
          const op = next();
          const ins = MUTATIONS[Math.floor(next() * MUTATIONS.length)] as string;
          if (op < 0.4) t = t.slice(0, at) + ins + t.slice(at + 1);
          else if (op < 0.7) t = t.slice(0, at) + ins + t.slice(at);
          else t = t.slice(0, at) + t.slice(at + 1 + Math.floor(next() * 5));
        }
        const [fast, slow] = run(t);
        expect(fast, t).toEqual(slow);
      }
    });
  });
}

describe('binance fast path edge cases', () => {
  const registry = new InstrumentRegistry();
  registry.add({ venue: 'binance-spot', symbol: 'BTCUSDT', priceScale: 2, sizeScale: 5, tickSize: 1, lotSize: 1 });
  const run = both('binance-spot', registry);
  const cases = [
    '{"e":"depthUpdate","E":1,"s":"BTCUSDT","U":5,"u":6,"b":[["1.00","2"]],"a":[]}',
    '{"e":"depthUpdate","E":1,"s":"BTCUSDT","U":5,"u":6,"b":[["1.00","2"]],"a":[],"b":[["3","4"]]}',
    '{"e":"depthUpdate","E":1,"s":"BTCUSDT","U":5,"u":6,"b":"1","a":[]}',
    '{"e":"depthUpdate","E":1,"s":"BTCUSDT","s":"BTCUSDT","U":5,"u":6,"b":[],"a":[]}',
    '{"e":"depthUpdate","E":1,"s":"BTCUSDT","U":5,"u":6,"b":[["1.001","2"]],"a":[]}',
    '{"e":"depthUpdate","E":1,"s":"BTCUSDT","U":5,"u":6,"b":[["0","2"]],"a":[]}',
    '{"e":"depthUpdate","E":1,"s":"BTCUSDT","U":5,"u":6,"b":[["1","-2"]],"a":[]}',
    '{"e":"depthUpdate","E":1,"s":"BTC\\u0055SDT","U":5,"u":6,"b":[],"a":[]}',
    '{"e":"depthUpdate","E":1,"s":"btcusdt","U":5,"u":6,"b":[],"a":[]}',
    '{"e":"depthUpdate","E":1,"s":"BTCUSDT","U":5,"u":6,"b":[],"a":[]} ',
    '{"e":"depthUpdate","E":1,"s":"BTCUSDT","U":5,"u":6,"b":[],"a":[]}x',
    '{"e":"depthUpdate","E":1.5,"s":"BTCUSDT","U":5,"u":6,"b":[],"a":[]}',
    '{"e":"depthUpdate","E":1,"s":"BTCUSDT","U":5,"u":6,"pu":4,"b":[],"a":[]}',
    '{"u":7,"s":"BTCUSDT","b":"1.00","B":"2","a":"1.01","A":"3"}',
    '{"u":7,"s":"BTCUSDT","b":"1.00","B":"2","a":"1.01"}',
    '{"u":7,"s":"BTCUSDT","b":"0.00","B":"0","a":"1.01","A":"3"}',
    '{"stream":"btcusdt@depth5@100ms","data":{"lastUpdateId":9,"bids":[["1","1"]],"asks":[["2","1"]]}}',
    '{"stream":"btcusdt@depth@100ms","data":{"e":"depthUpdate","E":1,"s":"BTCUSDT","U":5,"u":6,"b":[],"a":[]}}',
    '{"stream":"btcusdt@depth@100ms","data":{"e":"depthUpdate","E":1,"s":"BTCUSDT","U":5,"u":6,"b":[],"a":[]}}}',
    '{"result":null,"id":1}',
    '{"code":-1121,"msg":"Invalid symbol."}',
  ];
  it.each(cases)('%s', (text) => {
    const [fast, slow] = run(text);
    expect(fast).toEqual(slow);
  });
});
