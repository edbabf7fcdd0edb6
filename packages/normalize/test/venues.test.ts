import { InstrumentRegistry, VENUES, type VenueName } from '@tickline/wire';
import { describe, expect, it } from 'vitest';
import { Normalizer, simInstruments } from '../src/index.js';
import { CollectSink } from './helpers/collect.js';

/** Dialects without a shared capture, checked on messages in the shape of the venues' documentation. */

const registry = new InstrumentRegistry();
registry.add({ venue: 'coinbase', symbol: 'BTC-USD', priceScale: 2, sizeScale: 8, tickSize: 1, lotSize: 1 });
registry.add({ venue: 'kraken', symbol: 'BTC/USD', priceScale: 1, sizeScale: 8, tickSize: 1, lotSize: 1 });
registry.add({ venue: 'binance-coinm', symbol: 'BTCUSD_PERP', priceScale: 1, sizeScale: 0, tickSize: 1, lotSize: 1 });
registry.add({ venue: 'okx', symbol: 'BTC-USDT', priceScale: 1, sizeScale: 8, tickSize: 1, lotSize: 1 });
for (const spec of simInstruments({
  instruments: [
    { symbol: 'AAPL', kind: 'equity', tickSize: '0.01', lotSize: '1', pricePrecision: 2, sizePrecision: 0, base: 'AAPL', quote: 'USD' },
  ],
})) {
  registry.add(spec);
}

function feed(venue: VenueName, frames: (string | [number, string | null, string])[]) {
  const n = new Normalizer({ registry });
  const sink = new CollectSink();
  for (const f of frames) {
    const [kind, ctx, text] = typeof f === 'string' ? [0, null, f] : f;
    n.handleFrame(VENUES[venue], kind, ctx, Buffer.from(text), 1, 0, sink);
  }
  return { out: sink.plain(), stats: n.stats() };
}

describe('coinbase (Advanced Trade)', () => {
  it('maps l2_data snapshot/update with sequence_num, sorts snapshot sides best first', () => {
    const { out, stats } = feed('coinbase', [
      '{"channel":"subscriptions","client_id":"","timestamp":"2023-02-09T20:32:50.714964855Z","sequence_num":0,"events":[{"subscriptions":{"level2":["BTC-USD"]}}]}',
      '{"channel":"l2_data","client_id":"","timestamp":"2023-02-09T20:32:50.714964855Z","sequence_num":1,"events":[{"type":"snapshot","product_id":"BTC-USD","updates":[{"side":"bid","event_time":"1970-01-01T00:00:00Z","price_level":"21921.73","new_quantity":"0.06317902"},{"side":"bid","event_time":"1970-01-01T00:00:00Z","price_level":"21921.74","new_quantity":"1"},{"side":"offer","event_time":"1970-01-01T00:00:00Z","price_level":"21922.10","new_quantity":"0.5"}]}]}',
      '{"channel":"l2_data","client_id":"","timestamp":"2023-02-09T20:32:51.1Z","sequence_num":2,"events":[{"type":"update","product_id":"BTC-USD","updates":[{"side":"offer","event_time":"2023-02-09T20:32:51Z","price_level":"21922.10","new_quantity":"0"},{"side":"bid","event_time":"2023-02-09T20:32:51Z","price_level":"21921.00","new_quantity":"2.5"}]}]}',
    ]);
    expect(stats.rejectedTotal).toBe(0);
    expect(stats.control).toBe(1);
    expect(out).toEqual([
      {
        t: 'snapshot',
        instrument: 1,
        bids: [
          ['21921.74', '1'],
          ['21921.73', '0.06317902'],
        ],
        asks: [['21922.1', '0.5']],
        seq: 1,
        checksum: Number.NaN,
      },
      {
        t: 'delta',
        instrument: 1,
        bids: [['21921', '2.5']],
        asks: [['21922.1', '0']],
        firstSeq: 2,
        lastSeq: 2,
        prevSeq: Number.NaN,
        checksum: Number.NaN,
      },
    ]);
  });

  it('maps ticker to quotes and market_trades (maker side) to aggressor trades', () => {
    const { out } = feed('coinbase', [
      '{"channel":"ticker","client_id":"","timestamp":"2023-02-09T20:30:37.167359596Z","sequence_num":7,"events":[{"type":"snapshot","tickers":[{"type":"ticker","product_id":"BTC-USD","price":"21932.98","volume_24_h":"16038.28770938","best_bid":"21931.98","best_bid_quantity":"8000.21","best_ask":"21933.98","best_ask_quantity":"8038.07770938"}]}]}',
      '{"channel":"market_trades","client_id":"","timestamp":"2023-02-09T20:19:35.39625135Z","sequence_num":8,"events":[{"type":"snapshot","trades":[{"trade_id":"000000000","product_id":"BTC-USD","price":"1260.01","size":"0.3","side":"BUY","time":"2019-08-14T20:42:27.265Z"}]}]}',
    ]);
    expect(out).toEqual([
      { t: 'quote', instrument: 1, quotes: [{ bid: '21931.98', bidSize: '8000.21', ask: '21933.98', askSize: '8038.07770938', seq: 7 }] },
      { t: 'trade', instrument: 1, trades: [{ price: '1260.01', size: '0.3', side: 1, id: 0 }] },
    ]);
  });
});

describe('kraken (WebSocket v2)', () => {
  it('reads JSON-number prices exactly at the instrument precision, with checksums', () => {
    const { out, stats } = feed('kraken', [
      '{"method":"subscribe","result":{"channel":"book","depth":10,"snapshot":true,"symbol":"BTC/USD"},"success":true,"time_in":"2023-09-25T09:04:31.742599Z","time_out":"2023-09-25T09:04:31.742648Z"}',
      '{"channel":"book","type":"snapshot","data":[{"symbol":"BTC/USD","bids":[{"price":45283.5,"qty":0.10000000},{"price":45283.4,"qty":1.54582015}],"asks":[{"price":45285.2,"qty":0.00100000}],"checksum":3310070434}]}',
      '{"channel":"book","type":"update","data":[{"symbol":"BTC/USD","bids":[{"price":45283.4,"qty":0}],"asks":[],"checksum":2345,"timestamp":"2023-10-06T17:35:55.440295Z"}]}',
      '{"channel":"trade","type":"update","data":[{"symbol":"BTC/USD","side":"sell","price":45283.5,"qty":0.5,"ord_type":"market","trade_id":4665906,"timestamp":"2023-09-25T07:49:37.708706Z"}]}',
      '{"channel":"heartbeat"}',
    ]);
    expect(stats.rejectedTotal).toBe(0);
    expect(stats.control).toBe(2);
    expect(out).toEqual([
      {
        t: 'snapshot',
        instrument: 2,
        bids: [
          ['45283.5', '0.1'],
          ['45283.4', '1.54582015'],
        ],
        asks: [['45285.2', '0.001']],
        seq: Number.NaN,
        checksum: 3310070434,
      },
      {
        t: 'delta',
        instrument: 2,
        bids: [['45283.4', '0']],
        asks: [],
        firstSeq: Number.NaN,
        lastSeq: Number.NaN,
        prevSeq: Number.NaN,
        checksum: 2345,
      },
      { t: 'trade', instrument: 2, trades: [{ price: '45283.5', size: '0.5', side: 1, id: 4665906 }] },
    ]);
  });

  it('refuses a number finer than the precision', () => {
    const { out } = feed('kraken', [
      '{"channel":"book","type":"update","data":[{"symbol":"BTC/USD","bids":[{"price":45283.45,"qty":1}],"asks":[],"checksum":1}]}',
    ]);
    expect(out).toMatchObject([{ t: 'reject', reason: 'precision_exceeded' }]);
  });
});

describe('binance-coinm', () => {
  it('maps the /dapi depth diff with pu and the REST /dapi/v1/depth snapshot', () => {
    const { out, stats } = feed('binance-coinm', [
      [
        2,
        '/dapi/v1/depth?symbol=BTCUSD_PERP&limit=1000',
        '{"lastUpdateId":16769853,"symbol":"BTCUSD_PERP","pair":"BTCUSD","E":1591250106370,"T":1591250106368,"bids":[["9638.0","431"]],"asks":[["9638.2","12"]]}',
      ],
      '{"stream":"btcusd_perp@depth","data":{"e":"depthUpdate","E":1591270260907,"T":1591270260891,"s":"BTCUSD_PERP","ps":"BTCUSD","U":17285681,"u":17285702,"pu":17285675,"b":[["9517.6","10"]],"a":[["9518.5","45"]]}}',
    ]);
    expect(stats.rejectedTotal).toBe(0);
    expect(out).toEqual([
      { t: 'snapshot', instrument: 3, bids: [['9638', '431']], asks: [['9638.2', '12']], seq: 16769853, checksum: Number.NaN },
      {
        t: 'delta',
        instrument: 3,
        bids: [['9517.6', '10']],
        asks: [['9518.5', '45']],
        firstSeq: 17285681,
        lastSeq: 17285702,
        prevSeq: 17285675,
        checksum: Number.NaN,
      },
    ]);
  });
});

describe('okx with seqId/prevSeqId', () => {
  it('carries seqId, prevSeqId and the signed checksum', () => {
    const { out } = feed('okx', [
      '{"arg":{"channel":"books","instId":"BTC-USDT"},"action":"snapshot","data":[{"asks":[["8477.0","415","0","13"]],"bids":[["8476.9","256","0","12"]],"ts":"1597026383085","checksum":-855196043,"prevSeqId":-1,"seqId":123456}]}',
      '{"arg":{"channel":"books","instId":"BTC-USDT"},"action":"update","data":[{"asks":[],"bids":[["8476.9","0","0","0"]],"ts":"1597026383086","checksum":-1200119424,"prevSeqId":123456,"seqId":123457}]}',
    ]);
    expect(out).toEqual([
      { t: 'snapshot', instrument: 4, bids: [['8476.9', '256']], asks: [['8477', '415']], seq: 123456, checksum: -855196043 },
      {
        t: 'delta',
        instrument: 4,
        bids: [['8476.9', '0']],
        asks: [],
        firstSeq: 123457,
        lastSeq: 123457,
        prevSeq: 123456,
        checksum: -1200119424,
      },
    ]);
  });
});

describe('sim (embedded exchange)', () => {
  it('maps the documented snapshot, delta, trade and REST book frames', () => {
    const { out, stats } = feed('sim', [
      '{"type":"welcome","channel":"system","connectionId":7,"account":"default","ts":1718000000000,"heartbeatMs":1000}',
      '{"type":"ack","channel":"system","id":1,"action":"subscribe","channels":2,"added":2,"total":2}',
      '{"type":"snapshot","channel":"book:AAPL","seq":1843,"ts":1718000000000,"bids":[["189.96","2802"],["189.95","1215"]],"asks":[["189.98","5994"]]}',
      '{"type":"delta","channel":"book:AAPL","seq":1844,"prevSeq":1843,"ts":1718000000002,"bids":[["189.96","0"],["189.94","700"]],"asks":[["189.97","150"]]}',
      '{"type":"trade","channel":"trades:AAPL","ts":1718000000002,"trades":[{"id":412,"price":"189.98","size":"20","side":"buy"}]}',
      [
        2,
        '/v1/book/AAPL?depth=10',
        '{"instrument":"AAPL","seq":1843,"ts":1718000000000,"bids":[["189.96","2802"]],"asks":[["189.98","5994"]]}',
      ],
      '{"type":"execution","channel":"orders","account":"default","seq":3,"event":"new","ts":1718000000000}',
      '{"type":"delta","channel":"book:ZZZZ","seq":1,"prevSeq":0,"ts":1,"bids":[],"asks":[]}',
    ]);
    expect(stats.control).toBe(2);
    expect(stats.ignored).toBe(1);
    expect(out).toEqual([
      {
        t: 'snapshot',
        instrument: 5,
        bids: [
          ['189.96', '2802'],
          ['189.95', '1215'],
        ],
        asks: [['189.98', '5994']],
        seq: 1843,
        checksum: Number.NaN,
      },
      {
        t: 'delta',
        instrument: 5,
        bids: [
          ['189.96', '0'],
          ['189.94', '700'],
        ],
        asks: [['189.97', '150']],
        firstSeq: 1844,
        lastSeq: 1844,
        prevSeq: 1843,
        checksum: Number.NaN,
      },
      { t: 'trade', instrument: 5, trades: [{ price: '189.98', size: '20', side: 0, id: 412 }] },
      { t: 'snapshot', instrument: 5, bids: [['189.96', '2802']], asks: [['189.98', '5994']], seq: 1843, checksum: Number.NaN },
      { t: 'reject', reason: 'unknown_instrument', detail: 'sim: channel symbol "ZZZZ" is not a registered sim instrument' },
    ]);
  });
});
