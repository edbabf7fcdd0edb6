import { describe, expect, it } from 'vitest';
import { closeMatches } from '../src/connection/index.js';

const BINANCE = ['BTCUSDT', 'BTCUSDC', 'ETHUSDT', 'ETHBTC', 'BNBUSDT', 'SOLUSDT'];

describe('closeMatches (unknown symbol: did you mean)', () => {
  it('finds the same code in another case or spelling first, then the nearest by edit distance', () => {
    expect(closeMatches('btcusdt', BINANCE)).toEqual(['BTCUSDT', 'BTCUSDC']);
    expect(closeMatches('BTC-USDT', BINANCE)).toEqual(['BTCUSDT', 'BTCUSDC']);
    expect(closeMatches('BTCUSTD', BINANCE)).toEqual(['BTCUSDT']);
    expect(closeMatches('BTCUSDX', BINANCE)).toEqual(['BTCUSDC', 'BTCUSDT']);
    expect(closeMatches('BTCUSD', ['BTC/USD', 'ETH/USD', 'XBT/USD'])).toEqual(['BTC/USD']);
    expect(closeMatches('ethusd_perp', ['BTCUSD_PERP', 'ETHUSD_PERP', 'ETHUSD_240927'])).toEqual(['ETHUSD_PERP', 'BTCUSD_PERP']);
  });

  it('says nothing for codes far from every known one, and at most three', () => {
    expect(closeMatches('DOGEEUR', BINANCE)).toEqual([]);
    expect(closeMatches('AAA', ['AAB', 'AAC', 'AAD', 'AAE'])).toHaveLength(3);
  });
});
