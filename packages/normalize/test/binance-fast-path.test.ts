import { InstrumentRegistry, VENUES } from '@tickline/wire';
import { describe, expect, it } from 'vitest';
import { inferInstruments, Normalizer, registryOf } from '../src/index.js';
import { loadCapture } from './helpers/capture.js';
import { CollectSink } from './helpers/collect.js';
import { corrupt, fastAndJson } from './helpers/differential.js';
import { rng } from './helpers/rng.js';

/** The Binance scanner must be an exact shortcut: same output as the JSON path on every frame. */

for (const [venue, file] of [
  ['binance-spot', 'binance-spot-depth-2021-10-12.cap'],
  ['binance-usdm', 'binance-usdm-depth-2021-07-22.cap'],
] as const) {
  describe(`${venue} fast path`, () => {
    const frames = loadCapture(file);
    const registry = registryOf(inferInstruments(venue, frames));
    const { run } = fastAndJson(venue, registry);

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
        const t = corrupt(f.text, next);
        const [fast, slow] = run(t);
        expect(fast, t).toEqual(slow);
      }
    });
  });
}

describe('binance fast path edge cases', () => {
  const registry = new InstrumentRegistry();
  registry.add({ venue: 'binance-spot', symbol: 'BTCUSDT', priceScale: 2, sizeScale: 5, tickSize: 1, lotSize: 1 });
  const { run } = fastAndJson('binance-spot', registry);
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
