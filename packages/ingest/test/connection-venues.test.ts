import { describe, expect, it } from 'vitest';
import { DIALECTS } from '../src/connection/index.js';
import { type Peek, PeekKind, type StreamRef } from '../src/venues/types.js';

const opts = { wsBookDepth: 100, snapshotOnSubscribe: true };
const ids = () => {
  let n = 0;
  return () => ++n;
};
const peek = (venue: keyof typeof DIALECTS, text: string): Peek => {
  const p: Peek = { kind: PeekKind.Other, symbol: '' };
  DIALECTS[venue].peek(Buffer.from(text), p);
  return p;
};
const items = (symbols: string[]): StreamRef[] =>
  symbols.flatMap((symbol) => [
    { symbol, channel: 'book' as const },
    { symbol, channel: 'trades' as const },
  ]);

describe('venue dialects', () => {
  it('never build empty requests and split large ones', () => {
    for (const d of Object.values(DIALECTS)) {
      expect(d.requests('subscribe', [], ids(), opts)).toEqual([]);
      const many = items(Array.from({ length: 3000 }, (_, i) => `SYM${i}-USD`));
      const reqs = d.requests('subscribe', many, ids(), opts);
      expect(reqs.every((r) => r.items.length > 0 && r.text.length < 65_536)).toBe(true);
      expect(reqs.reduce((n, r) => n + r.items.length, 0)).toBe(many.length);
    }
  });

  it('build each venue subscribe message as documented', () => {
    const one = items(['BTCUSDT']);
    expect(DIALECTS['binance-spot'].requests('subscribe', one, ids(), opts)[0]?.text).toBe(
      '{"method":"SUBSCRIBE","params":["btcusdt@depth@100ms","btcusdt@aggTrade"],"id":1}',
    );
    expect(DIALECTS.okx.requests('unsubscribe', items(['BTC-USDT']), ids(), opts)[0]?.text).toBe(
      '{"id":"1","op":"unsubscribe","args":[{"channel":"books","instId":"BTC-USDT"},{"channel":"trades","instId":"BTC-USDT"}]}',
    );
    expect(DIALECTS.kraken.requests('subscribe', items(['BTC/USD']), ids(), opts).map((r) => r.text)).toEqual([
      '{"method":"subscribe","params":{"channel":"book","symbol":["BTC/USD"],"depth":100,"snapshot":true},"req_id":1}',
      '{"method":"subscribe","params":{"channel":"trade","symbol":["BTC/USD"],"snapshot":true},"req_id":2}',
    ]);
    expect(DIALECTS['kraken-v1'].requests('subscribe', items(['XBT/USD']), ids(), { ...opts, wsBookDepth: 300 })[0]?.text).toBe(
      '{"event":"subscribe","reqid":1,"pair":["XBT/USD"],"subscription":{"name":"book","depth":100}}',
    );
    expect(DIALECTS.coinbase.requests('subscribe', items(['BTC-USD']), ids(), opts).map((r) => r.text)).toEqual([
      '{"type":"subscribe","product_ids":["BTC-USD"],"channel":"level2"}',
      '{"type":"subscribe","product_ids":["BTC-USD"],"channel":"market_trades"}',
    ]);
    expect(DIALECTS['coinbase-legacy'].requests('subscribe', items(['BTC-USD']), ids(), opts)[0]?.text).toBe(
      '{"type":"subscribe","product_ids":["BTC-USD"],"channels":["level2_batch","heartbeat"]}',
    );
    expect(DIALECTS.sim.requests('subscribe', items(['AAPL']), ids(), { ...opts, snapshotOnSubscribe: false })[0]?.text).toBe(
      '{"action":"subscribe","id":1,"channels":["book:AAPL","trades:AAPL"],"snapshot":false}',
    );
    expect(DIALECTS['binance-spot'].restPath('BTCUSDT', 1000)).toBe('/api/v3/depth?symbol=BTCUSDT&limit=1000');
    expect(DIALECTS['binance-usdm'].restPath('BTCUSDT', 300)).toBe('/fapi/v1/depth?symbol=BTCUSDT&limit=500');
    expect(DIALECTS['binance-coinm'].restPath('BTCUSD_PERP', 5000)).toBe('/dapi/v1/depth?symbol=BTCUSD_PERP&limit=1000');
  });

  it('peek the instrument of data frames and spot control frames cheaply', () => {
    expect(peek('sim', '{"type":"delta","channel":"book:AAPL","seq":1}')).toEqual({ kind: PeekKind.Data, symbol: 'AAPL' });
    expect(peek('sim', '{"type":"ack","channel":"system","id":1}').kind).toBe(PeekKind.Control);
    expect(peek('sim', '{"type":"heartbeat","channel":"system","ts":1}').kind).toBe(PeekKind.Liveness);
    expect(peek('binance-spot', '{"stream":"btcusdt@depth@100ms","data":{}}')).toEqual({ kind: PeekKind.Data, symbol: 'btcusdt' });
    expect(peek('binance-spot', '{"result":null,"id":3}').kind).toBe(PeekKind.Control);
    expect(peek('okx', '{"arg":{"channel":"books","instId":"BTC-USDT"},"action":"update","data":[]}')).toEqual({
      kind: PeekKind.Data,
      symbol: 'BTC-USDT',
    });
    expect(peek('okx', 'pong').kind).toBe(PeekKind.Liveness);
    expect(peek('okx', '{"event":"error","code":"60012","msg":"x"}').kind).toBe(PeekKind.Control);
    // an answer to a request that carried an id starts with the id (OKX v5 docs)
    expect(peek('okx', '{"id":"1","event":"subscribe","arg":{"channel":"books","instId":"BTC-USDT"},"connId":"a"}').kind).toBe(
      PeekKind.Control,
    );
    expect(peek('kraken', '{"channel":"book","type":"update","data":[{"symbol":"BTC/USD","bids":[]}]}')).toEqual({
      kind: PeekKind.Data,
      symbol: 'BTC/USD',
    });
    expect(peek('kraken', '{"channel":"heartbeat"}').kind).toBe(PeekKind.Liveness);
    expect(peek('kraken-v1', '[336,{"a":[["5541.3","2.5","1534614248.456738"]]},"book-10","XBT/USD"]')).toEqual({
      kind: PeekKind.Data,
      symbol: 'XBT/USD',
    });
    expect(peek('kraken-v1', '{"event":"heartbeat"}').kind).toBe(PeekKind.Liveness);
    expect(
      peek(
        'coinbase',
        '{"channel":"l2_data","client_id":"","timestamp":"t","sequence_num":4,"events":[{"type":"update","product_id":"BTC-USD","updates":[]}]}',
      ),
    ).toEqual({
      kind: PeekKind.Data,
      symbol: 'BTC-USD',
    });
    expect(peek('coinbase', '{"channel":"subscriptions","events":[]}').kind).toBe(PeekKind.Control);
    expect(peek('coinbase-legacy', '{"type":"l2update","product_id":"BTC-USD","changes":[]}')).toEqual({
      kind: PeekKind.Data,
      symbol: 'BTC-USD',
    });
    expect(peek('coinbase-legacy', '{"type":"error","message":"Failed to subscribe"}').kind).toBe(PeekKind.Control);
  });

  it('recognise acks and errors, with the venue reason and rate-limit hints', () => {
    expect(
      DIALECTS.sim.control(
        '{"type":"error","channel":"system","id":4,"action":"subscribe","code":"rate_limited","message":"m","retryAfterMs":250}',
      ),
    ).toEqual({
      type: 'error',
      id: 4,
      items: null,
      reason: 'rate_limited: m',
      rateLimited: true,
      retryAfterMs: 250,
    });
    expect(DIALECTS.sim.control('{"type":"ack","channel":"system","id":2,"action":"subscribe","channels":4,"added":3}')).toMatchObject({
      type: 'ack',
      id: 2,
      duplicates: 1,
    });
    expect(DIALECTS['binance-spot'].control('{"result":null,"id":7}')).toMatchObject({ type: 'ack', id: 7 });
    expect(DIALECTS['binance-spot'].control('{"code":2,"msg":"Invalid request","id":7}')).toMatchObject({
      type: 'error',
      id: 7,
      reason: '2: Invalid request',
    });
    expect(DIALECTS.okx.control('{"event":"subscribe","arg":{"channel":"books","instId":"BTC-USDT"},"connId":"a"}')).toMatchObject({
      type: 'ack',
      items: [{ symbol: 'BTC-USDT', channel: 'book' }],
    });
    expect(DIALECTS.okx.control('{"event":"error","code":"60014","msg":"Requests too frequent."}')).toMatchObject({
      type: 'error',
      rateLimited: true,
    });
    expect(
      DIALECTS.kraken.control(
        '{"error":"Currency pair not supported XYZ/USD","method":"subscribe","req_id":3,"success":false,"symbol":"XYZ/USD"}',
      ),
    ).toMatchObject({
      type: 'error',
      id: 3,
      reason: 'Currency pair not supported XYZ/USD',
    });
    expect(
      DIALECTS['kraken-v1'].control(
        '{"event":"subscriptionStatus","status":"subscribed","pair":"XBT/USD","subscription":{"name":"book","depth":10},"reqid":5}',
      ),
    ).toMatchObject({
      type: 'ack',
      id: 5,
      items: [{ symbol: 'XBT/USD', channel: 'book' }],
    });
    expect(
      DIALECTS['coinbase-legacy'].control('{"type":"error","message":"Failed to subscribe","reason":"FOO-BAR is not a valid product"}'),
    ).toMatchObject({
      type: 'error',
      reason: 'Failed to subscribe: FOO-BAR is not a valid product',
    });
    expect(DIALECTS.okx.control('pong')).toEqual({ type: 'pong' });
  });
});
