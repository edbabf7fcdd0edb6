/**
 * Instrument lists of every venue, read from responses written from the venues' documentation
 * (test/fixtures/instrument-lists) and from the real Kraken AssetPairs capture: scales, ticks and
 * lots come out exact; malformed entries are skipped with a counted, named reason; a document of
 * the wrong shape is refused naming the venue.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  INSTRUMENT_LISTS,
  krakenV2Symbol,
  okxInstTypes,
  parseBinanceExchangeInfo,
  parseKrakenAssetPairs,
  SKIP_REASONS,
  skippedTotal,
} from '../src/index.js';

const LISTS = fileURLToPath(new URL('../../../test/fixtures/instrument-lists/', import.meta.url));
const CAPTURES = fileURLToPath(new URL('../../../test/fixtures/captures/', import.meta.url));
const json = (name: string): unknown => JSON.parse(readFileSync(LISTS + name, 'utf8'));
const assetPairs = (): unknown => {
  const line = readFileSync(`${CAPTURES}kraken-assetpairs-2021-04-17.rest`, 'utf8').split('\n')[0] as string;
  return JSON.parse(line.slice(line.indexOf(': ') + 2));
};

const spec = (list: { instruments: { symbol: string }[] }, symbol: string) => list.instruments.find((i) => i.symbol === symbol);

describe('instrument lists from the venues documented responses', () => {
  it('binance spot, USD-M and COIN-M exchangeInfo: scales from tickSize and stepSize', () => {
    const spot = INSTRUMENT_LISTS['binance-spot'].parse([json('binance-spot-exchangeInfo.json')]);
    expect(spot.instruments).toHaveLength(4);
    expect(spec(spot, 'BTCUSDT')).toEqual({
      venue: 'binance-spot',
      symbol: 'BTCUSDT',
      priceScale: 2,
      sizeScale: 5,
      tickSize: 1,
      lotSize: 1,
    });
    expect(spec(spot, 'NKNUSDT')).toMatchObject({ priceScale: 4, sizeScale: 0 });
    const usdm = INSTRUMENT_LISTS['binance-usdm'].parse([json('binance-usdm-exchangeInfo.json')]);
    // tickSize "0.10" has one significant decimal: scale 1, tick 1
    expect(spec(usdm, 'BTCUSDT')).toEqual({
      venue: 'binance-usdm',
      symbol: 'BTCUSDT',
      priceScale: 1,
      sizeScale: 3,
      tickSize: 1,
      lotSize: 1,
    });
    expect(spec(usdm, 'SUSHIUSDT')).toMatchObject({ priceScale: 3, sizeScale: 0 });
    const coinm = INSTRUMENT_LISTS['binance-coinm'].parse([json('binance-coinm-exchangeInfo.json')]);
    expect(coinm.instruments.map((i) => i.symbol)).toEqual(['BTCUSD_PERP', 'BTCUSD_240927', 'ETHUSD_PERP']);
    expect(spec(coinm, 'BTCUSD_PERP')).toMatchObject({ venue: 'binance-coinm', priceScale: 1, sizeScale: 0 });
    for (const r of [spot, usdm, coinm]) expect(skippedTotal(r)).toBe(0);
  });

  it('coinbase Advanced Trade products and Exchange products', () => {
    const at = INSTRUMENT_LISTS.coinbase.parse([json('coinbase-products.json')]);
    expect(spec(at, 'BTC-USD')).toEqual({ venue: 'coinbase', symbol: 'BTC-USD', priceScale: 2, sizeScale: 8, tickSize: 1, lotSize: 1 });
    expect(spec(at, 'DOGE-USD')).toMatchObject({ priceScale: 5, sizeScale: 1 });
    const ex = INSTRUMENT_LISTS['coinbase-legacy'].parse([json('coinbase-exchange-products.json')]);
    expect(spec(ex, 'BAND-GBP')).toEqual({
      venue: 'coinbase-legacy',
      symbol: 'BAND-GBP',
      priceScale: 4,
      sizeScale: 2,
      tickSize: 1,
      lotSize: 1,
    });
  });

  it('okx instruments: one request per instrument type the symbols need, bodies merged', () => {
    expect(okxInstTypes(['BTC-USDT'])).toEqual(['SPOT']);
    expect(okxInstTypes(['BTC-USDT-SWAP', 'BTC-USD-220527', 'ETH-USDT'])).toEqual(['FUTURES', 'SPOT', 'SWAP']);
    expect(INSTRUMENT_LISTS.okx.requests(['BTC-USDT', 'BTC-USDT-SWAP'])).toEqual([
      '/api/v5/public/instruments?instType=SPOT',
      '/api/v5/public/instruments?instType=SWAP',
    ]);
    const r = INSTRUMENT_LISTS.okx.parse([json('okx-instruments-spot.json'), json('okx-instruments-swap.json')]);
    expect(r.instruments.map((i) => i.symbol)).toEqual(['BTC-USDT', 'ETH-USDT', 'BTC-USDT-SWAP']);
    expect(spec(r, 'BTC-USDT')).toMatchObject({ priceScale: 1, sizeScale: 8 });
    expect(spec(r, 'BTC-USDT-SWAP')).toMatchObject({ priceScale: 1, sizeScale: 2 });
    expect(() => INSTRUMENT_LISTS.okx.parse([{ code: '51001', msg: 'Instrument ID does not exist', data: [] }])).toThrow(/51001/);
  });

  it('kraken AssetPairs (real capture): v1 keeps wsname, v2 spells XBT and XDG as BTC and DOGE', () => {
    const v1 = parseKrakenAssetPairs('kraken-v1', assetPairs());
    const v2 = parseKrakenAssetPairs('kraken', assetPairs());
    expect(v1.instruments).toHaveLength(293);
    expect(v2.instruments).toHaveLength(v1.instruments.length);
    expect(spec(v1, 'XMR/USD')).toMatchObject({ venue: 'kraken-v1', priceScale: 2, sizeScale: 8 });
    expect(spec(v1, 'XBT/USD')).toBeDefined();
    expect(spec(v2, 'BTC/USD')).toMatchObject({ venue: 'kraken', priceScale: 1, sizeScale: 8 });
    expect(spec(v2, 'XBT/USD')).toBeUndefined();
    expect(krakenV2Symbol('XDG/XBT')).toBe('DOGE/BTC');
    // dark-pool pairs (".d") have no wsname: skipped and counted, never thrown
    expect(v1.skipped.missing_symbol).toBeGreaterThan(0);
    expect(v1.samples[0]?.detail).toMatch(/wsname/);
  });
});

describe('bad entries and bad documents', () => {
  it('a malformed entry is skipped with a named reason and counted; the rest are kept', () => {
    const doc = json('binance-spot-exchangeInfo.json') as { symbols: unknown[] };
    const good = doc.symbols[1] as Record<string, unknown>;
    doc.symbols.push(
      42,
      { ...good, symbol: '' },
      { ...good, symbol: 'NOTICK', filters: [] },
      {
        ...good,
        symbol: 'BADSTEP',
        filters: [
          { filterType: 'PRICE_FILTER', tickSize: '0.01' },
          { filterType: 'LOT_SIZE', stepSize: 'abc' },
        ],
      },
      {
        ...good,
        symbol: 'ZEROTICK',
        filters: [
          { filterType: 'PRICE_FILTER', tickSize: '0.00' },
          { filterType: 'LOT_SIZE', stepSize: '1' },
        ],
      },
      { ...good },
    );
    const r = parseBinanceExchangeInfo('binance-spot', doc);
    expect(r.instruments.map((i) => i.symbol)).toEqual(['ETHBTC', 'BTCUSDT', 'ETHUSDT', 'NKNUSDT']);
    expect(r.skipped).toEqual({ not_an_object: 1, missing_symbol: 1, missing_increment: 1, invalid_increment: 2, duplicate_symbol: 1 });
    expect(Object.keys(r.skipped)).toEqual([...SKIP_REASONS]);
    expect(r.samples.map((s) => [s.at, s.symbol, s.reason])).toEqual([
      ['symbols[4]', null, 'not_an_object'],
      ['symbols[5]', null, 'missing_symbol'],
      ['symbols[6]', 'NOTICK', 'missing_increment'],
      ['symbols[7]', 'BADSTEP', 'invalid_increment'],
      ['symbols[8]', 'ZEROTICK', 'invalid_increment'],
      ['symbols[9]', 'BTCUSDT', 'duplicate_symbol'],
    ]);
    expect(r.samples[3]?.detail).toContain('LOT_SIZE.stepSize "abc"');
  });

  it('a document of the wrong shape (an error body, another venue) throws naming the venue', () => {
    expect(() => INSTRUMENT_LISTS['binance-usdm'].parse([{ code: -1121, msg: 'Invalid symbol.' }])).toThrow(
      /binance-usdm exchangeInfo must be an object with a "symbols" array \(got an object with keys code, msg\)/,
    );
    expect(() => INSTRUMENT_LISTS.kraken.parse([{ error: ['EGeneral:Temporary lockout'] }])).toThrow(/Temporary lockout/);
    expect(() => INSTRUMENT_LISTS['coinbase-legacy'].parse([{ products: [] }])).toThrow(/coinbase-legacy products must be an array/);
  });
});
