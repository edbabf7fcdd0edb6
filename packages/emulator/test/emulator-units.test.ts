import { L2Book } from '@tickline/book';
import { describe, expect, it } from 'vitest';
import { fixed, trimmed } from '../src/format.js';
import { resolveOptions } from '../src/options.js';
import { DepthViews, v1Name } from '../src/venues/kraken-views.js';

describe('emulator options', () => {
  it('reports every violation at once, with the field and what is allowed', () => {
    let err: Error & { code?: string } = new Error('none');
    try {
      resolveOptions({
        venue: 'sim' as never,
        file: '',
        instruments: null as never,
        speed: 0,
        port: 70_000,
        heartbeatMs: -1,
        faults: { bogus: 1 } as never,
      });
    } catch (e) {
      err = e as Error & { code?: string };
    }
    expect(err.code).toBe('ERR_EMULATOR_INVALID_OPTIONS');
    for (const part of [
      'venue: must be one of binance-spot, binance-usdm, binance-coinm, coinbase, coinbase-legacy, kraken, kraken-v1, okx',
      'file: must be a non-empty path',
      'instruments: must be the instrument list of the file',
      'speed: must be a number in (0, 1000000] or "max", got 0',
      'port: must be an integer from 0 to 65535, got 70000',
      'heartbeatMs: must be an integer from 0 to 3600000, got -1',
      'bogus',
    ])
      expect(err.message).toContain(part);
  });

  it('defaults: recorded pace from the first subscription; Binance connections closed at 24 h', () => {
    const o = resolveOptions({ venue: 'binance-usdm', file: 'x.cap', instruments: [] });
    expect([o.speed, o.start, o.maxConnectionMs, o.host, o.port]).toEqual([1, 'subscribe', 86_400_000, '127.0.0.1', 0]);
    expect(resolveOptions({ venue: 'okx', file: 'x.cap', instruments: [] }).maxConnectionMs).toBe(0);
  });
});

describe('venue number formats', () => {
  it('fixed pads to the width a venue writes; trimmed is the shortest form', () => {
    expect([fixed(35415, 2, 8), fixed(12, 0, 2), fixed(5, 8)]).toEqual(['354.15000000', '12.00', '0.00000005']);
    expect([trimmed(302440, 1), trimmed(8, 2), trimmed(144679, 5), trimmed(0, 3)]).toEqual(['30244', '0.08', '1.44679', '0']);
  });
});

describe('Kraken per-depth views', () => {
  const book = (bids: [number, number][], asks: [number, number][]) => {
    const b = new L2Book(1000, 1, 0);
    for (const [p, q] of bids) b.bids.set(p, q);
    for (const [p, q] of asks) b.asks.set(p, q);
    return b;
  };

  it('sends the levels that leave the window first (deleted), then the changed and entering ones', () => {
    const v = new DepthViews();
    const b = book(
      [
        [100, 1],
        [99, 1],
        [98, 1],
      ],
      [[101, 1]],
    );
    v.seed(7, 2, b);
    // the best bid goes: 98 enters the depth-2 window
    b.bids.set(100, 0);
    expect(v.diff(7, 2, b)).toEqual({
      bids: [
        [100, 0],
        [98, 1],
      ],
      asks: [],
    });
    v.commit(7);
    // a better bid arrives: 98 leaves the window
    b.bids.set(100, 5);
    expect(v.diff(7, 2, b)).toEqual({
      bids: [
        [98, 0],
        [100, 5],
      ],
      asks: [],
    });
  });

  it('REST and v1 spell bitcoin and dogecoin XBT and XDG', () => {
    expect([v1Name('BTC/USD'), v1Name('DOGE/BTC'), v1Name('ETH/EUR')]).toEqual(['XBT/USD', 'XDG/XBT', 'ETH/EUR']);
  });
});
