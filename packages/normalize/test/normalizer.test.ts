import { InstrumentRegistry, VENUES, type VenueName } from '@tickline/wire';
import { describe, expect, it } from 'vitest';
import { Normalizer, REASON_CODES, Reason } from '../src/index.js';
import { CollectSink } from './helpers/collect.js';

const registry = new InstrumentRegistry();
for (const venue of Object.keys(VENUES) as VenueName[]) {
  registry.add({ venue, symbol: 'BTCUSDT', priceScale: 2, sizeScale: 4, tickSize: 1, lotSize: 1 });
}
registry.add({ venue: 'kraken-v1', symbol: 'XBT/USD', priceScale: 1, sizeScale: 8, tickSize: 1, lotSize: 1 });
registry.add({ venue: 'okx', symbol: 'BTC-USDT', priceScale: 1, sizeScale: 8, tickSize: 1, lotSize: 1 });
registry.add({ venue: 'coinbase-legacy', symbol: 'BTC-USD', priceScale: 2, sizeScale: 8, tickSize: 1, lotSize: 1 });

function run(venue: VenueName, text: string | Uint8Array, kind = 0, context: string | null = null, opts: { maxFrameBytes?: number } = {}) {
  const n = new Normalizer({ registry, ...opts });
  const sink = new CollectSink();
  const bytes = typeof text === 'string' ? Buffer.from(text) : text;
  expect(() => n.handleFrame(VENUES[venue], kind, context, bytes, 10, 20, sink)).not.toThrow();
  return { out: sink.out, stats: n.stats() };
}

function rejectOf(
  venue: VenueName,
  text: string | Uint8Array,
  kind = 0,
  context: string | null = null,
  opts: { maxFrameBytes?: number } = {},
) {
  const { out, stats } = run(venue, text, kind, context, opts);
  expect(out).toHaveLength(1);
  const r = out[0];
  if (r?.t !== 'reject') throw new Error(`expected a reject, got ${JSON.stringify(r)}`);
  expect(stats.rejectedTotal).toBe(1);
  expect(stats.rejected[r.reason as keyof typeof stats.rejected]).toBe(1);
  return r;
}

const depth = (b: string, a = '[]', extra = '') => `{"e":"depthUpdate","E":1,"s":"BTCUSDT","U":5,"u":6${extra},"b":${b},"a":${a}}`;

describe('Normalizer input validation', () => {
  it('validates its options', () => {
    expect(() => new Normalizer({ registry: {} as InstrumentRegistry })).toThrow(TypeError);
    expect(() => new Normalizer({ registry, maxFrameBytes: 0 })).toThrow(/maxFrameBytes/);
    expect(() => new Normalizer({ registry, maxFrameBytes: 1.5 })).toThrow(RangeError);
  });

  it('refuses binary garbage, truncated and empty frames as malformed_json', () => {
    const garbage = new Uint8Array([0xff, 0xfe, 0x00, 0x9c, 0x78, 0x01]);
    expect(rejectOf('binance-spot', garbage, 1).reason).toBe(Reason.MalformedJson);
    expect(rejectOf('okx', '{"arg":{"channel":"books","instId":"BTC-USDT"},"action":"upd').reason).toBe(Reason.MalformedJson);
    expect(rejectOf('kraken-v1', '').reason).toBe(Reason.MalformedJson);
    expect(rejectOf('binance-spot', depth('[["1.00","2"]').slice(0, -3)).reason).toBe(Reason.MalformedJson);
  });

  it('refuses oversized frames before reading them', () => {
    const r = rejectOf('binance-spot', depth('[["1.00","2"]]'), 0, null, { maxFrameBytes: 20 });
    expect(r.reason).toBe(Reason.FrameTooLarge);
    expect(r.detail).toMatch(/maxFrameBytes 20/);
  });

  it('refuses unknown venue ids and frame kinds', () => {
    const n = new Normalizer({ registry });
    const sink = new CollectSink();
    n.handleFrame(99, 0, null, Buffer.from('{}'), 0, 0, sink);
    n.handleFrame(VENUES.okx, 7, null, Buffer.from('{}'), 0, 0, sink);
    expect(sink.out.map((o) => (o.t === 'reject' ? o.reason : o.t))).toEqual([Reason.UnknownVenue, Reason.UnknownFrameKind]);
  });

  it('refuses unknown and mis-cased instruments', () => {
    expect(rejectOf('binance-spot', depth('[]').replace('BTCUSDT', 'btcusdt')).reason).toBe(Reason.UnknownInstrument);
    expect(rejectOf('binance-spot', depth('[]').replace('BTCUSDT', 'ETHUSDT')).detail).toMatch(/ETHUSDT/);
    expect(
      rejectOf('okx', '{"arg":{"channel":"books","instId":"btc-usdt"},"action":"update","data":[{"bids":[],"asks":[],"checksum":1}]}')
        .reason,
    ).toBe(Reason.UnknownInstrument);
  });

  it.each([
    ['NaN price', '[["NaN","1"]]', Reason.InvalidPrice, /b\[0\]\[0\]/],
    ['zero price', '[["0","1"]]', Reason.NonPositivePrice, /b\[0\]\[0\]/],
    ['negative price', '[["-1.00","1"]]', Reason.NonPositivePrice, /must be above zero/],
    ['negative size', '[["1.00","-1"]]', Reason.NegativeSize, /b\[0\]\[1\]/],
    ['NaN size', '[["1.00","nan"]]', Reason.InvalidSize, /size/],
    ['exponent', '[["1e2","1"]]', Reason.InvalidPrice, /price/],
    ['too precise', '[["1.001","1"]]', Reason.PrecisionExceeded, /price scale 2/],
    ['overflow', '[["99999999999999999","1"]]', Reason.InvalidPrice, /price/],
    ['too precise number', '[[1.555,"1"]]', Reason.PrecisionExceeded, /price/],
    ['boolean price', '[[true,"1"]]', Reason.InvalidPrice, /price/],
    ['short level', '[["1.00"]]', Reason.InvalidField, /\[price, size\]/],
  ])('refuses a %s, naming the field', (_name, levels, reason, detail) => {
    const r = rejectOf('binance-spot', depth(levels));
    expect(r.reason).toBe(reason);
    expect(r.detail).toMatch(detail);
  });

  it('refuses missing and mistyped fields', () => {
    expect(rejectOf('binance-spot', '{"e":"depthUpdate","E":1,"s":"BTCUSDT","u":6,"b":[],"a":[]}').detail).toMatch(/depthUpdate\.U/);
    expect(rejectOf('binance-spot', '{"e":"depthUpdate","E":1,"s":"BTCUSDT","U":5,"u":6,"a":[]}').reason).toBe(Reason.MissingField);
    expect(rejectOf('binance-spot', depth('[]', '[]').replace('"U":5', '"U":-5')).reason).toBe(Reason.InvalidField);
    expect(rejectOf('kraken-v1', '[1,{"a":[["1.0","1.00000000","1618678133.1"]],"c":"abc"},"book-10","XBT/USD"]').detail).toMatch(/\bc\b/);
    expect(
      rejectOf('okx', '{"arg":{"channel":"books","instId":"BTC-USDT"},"action":"update","data":[{"bids":[],"asks":[],"checksum":"7"}]}')
        .reason,
    ).toBe(Reason.InvalidField);
  });

  it('refuses crossed and unsorted snapshots', () => {
    const snap = (bids: string, asks: string) => `{"lastUpdateId":9,"bids":${bids},"asks":${asks}}`;
    const ctx = '/api/v3/depth?symbol=BTCUSDT&limit=5';
    expect(rejectOf('binance-spot', snap('[["2.00","1"]]', '[["2.00","1"]]'), 2, ctx).reason).toBe(Reason.CrossedBook);
    expect(rejectOf('binance-spot', snap('[["3.00","1"]]', '[["2.00","1"]]'), 2, ctx).reason).toBe(Reason.CrossedBook);
    expect(rejectOf('binance-spot', snap('[["1.00","1"],["1.50","1"]]', '[["2.00","1"]]'), 2, ctx).reason).toBe(Reason.UnsortedLevels);
    expect(rejectOf('binance-spot', snap('[["1.00","1"]]', '[["2.00","1"],["2.00","3"]]'), 2, ctx).reason).toBe(Reason.UnsortedLevels);
    expect(rejectOf('coinbase-legacy', '{"type":"snapshot","product_id":"BTC-USD","bids":[["5","1"]],"asks":[["4","1"]]}').reason).toBe(
      Reason.CrossedBook,
    );
    const ok = run('binance-spot', snap('[["1.00","1"]]', '[["2.00","1"]]'), 2, ctx);
    expect(ok.out[0]?.t).toBe('snapshot');
  });

  it('refuses REST responses for other paths and venue error bodies', () => {
    expect(rejectOf('binance-spot', '{"lastUpdateId":9,"bids":[],"asks":[]}', 2, '/fapi/v1/depth?symbol=BTCUSDT').reason).toBe(
      Reason.UnknownRequest,
    );
    expect(rejectOf('binance-spot', '{"lastUpdateId":9,"bids":[],"asks":[]}', 2, '/api/v3/depth').reason).toBe(Reason.MissingField);
    expect(rejectOf('binance-spot', '{"code":-1121,"msg":"Invalid symbol."}', 2, '/api/v3/depth?symbol=X').reason).toBe(Reason.VenueError);
  });

  it('counts venue errors as rejects and acks/heartbeats as control', () => {
    expect(rejectOf('okx', '{"event":"error","code":"60012","msg":"Invalid request"}').reason).toBe(Reason.VenueError);
    expect(
      rejectOf('kraken-v1', '{"event":"subscriptionStatus","status":"error","errorMessage":"Currency pair not supported"}').reason,
    ).toBe(Reason.VenueError);
    expect(rejectOf('coinbase-legacy', '{"type":"error","message":"Failed to subscribe"}').reason).toBe(Reason.VenueError);
    expect(rejectOf('sim', '{"type":"error","channel":"system","id":1,"code":"bad_channel","message":"x"}').reason).toBe(Reason.VenueError);
    const controls: [VenueName, string][] = [
      ['kraken-v1', '{"event":"heartbeat"}'],
      ['okx', 'pong'],
      ['okx', '{"event":"subscribe","arg":{"channel":"books","instId":"BTC-USDT"}}'],
      ['binance-spot', '{"result":null,"id":1}'],
      ['coinbase', '{"channel":"heartbeats","client_id":"","timestamp":"2023-06-23T20:31:26.122969572Z","sequence_num":0,"events":[]}'],
      ['kraken', '{"method":"subscribe","result":{"channel":"book"},"success":true}'],
      ['sim', '{"type":"heartbeat","channel":"system","ts":1718000000000}'],
    ];
    for (const [venue, text] of controls) {
      const { out, stats } = run(venue, text);
      expect(out, text).toEqual([]);
      expect(stats.control, text).toBe(1);
    }
  });

  it('refuses unknown message types and shapes', () => {
    expect(rejectOf('coinbase-legacy', '{"type":"surprise"}').reason).toBe(Reason.UnknownMessage);
    expect(rejectOf('binance-spot', '[1,2,3]').reason).toBe(Reason.UnknownMessage);
    expect(rejectOf('kraken-v1', '"just a string"').reason).toBe(Reason.UnknownMessage);
    expect(rejectOf('okx', '{"data":[]}').reason).toBe(Reason.MissingField);
  });

  it('reads frames from a SharedArrayBuffer view', () => {
    const text = depth('[["1.00","2"]]');
    const sab = new SharedArrayBuffer(256);
    const view = new Uint8Array(sab, 16, Buffer.byteLength(text));
    view.set(Buffer.from(text));
    const { out } = run('binance-spot', view);
    expect(out[0]).toMatchObject({ t: 'delta', bids: [['1', '2']], firstSeq: 5, lastSeq: 6 });
  });

  it('keeps every reason code in stats, zero when unused', () => {
    const { stats } = run('okx', '{"event":"subscribe"}');
    expect(Object.keys(stats.rejected).sort()).toEqual([...REASON_CODES].sort());
    expect(Object.values(stats.rejected).every((v) => v === 0)).toBe(true);
  });
});
