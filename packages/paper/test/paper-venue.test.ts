/**
 * The paper venue (a real LocalVenue behind the execution stage's venue link): requests go to the
 * local engine only, arrive after the entry latency, meet the book before the market input that
 * follows them, and are answered through onMessage; group commit holds requests until release;
 * with the wall clock, a timer delivers answers when no market data comes; closed, nothing is sent.
 */
import { resolveFillModelConfig } from '@tickline/backtest';
import type { VenueMessage } from '@tickline/execution';
import { levels } from '@tickline/runtime/testing';
import { InstrumentRegistry } from '@tickline/wire';
import { describe, expect, it } from 'vitest';
import { PaperVenue } from '../src/index.js';

const registry = InstrumentRegistry.from([
  { id: 1, venue: 'binance-spot', symbol: 'BTCUSDT', priceScale: 2, sizeScale: 5, tickSize: 1, lotSize: 1 },
]);
const order = (clientOrderId: string, side: number, price: number, size: number, tif = 1) => ({
  clientOrderId,
  instrument: 1,
  side,
  type: 0,
  tif,
  price,
  size,
});
const reports = (ms: VenueMessage[]) => ms.filter((m): m is Extract<VenueMessage, { kind: 'report' }> => m.kind === 'report');

describe('PaperVenue', () => {
  it('answers from the local engine: entry latency, then the book as it was before the next market input', async () => {
    let now = 1_000;
    const got: VenueMessage[] = [];
    const pv = new PaperVenue({
      registry,
      fill: resolveFillModelConfig({ latency: { entry: 5, response: 1 } }),
      onMessage: (m) => got.push(m),
      clock: () => now,
    });
    expect(pv.newOrder(order('early', 0, 10_010, 100))).toBe(false); // not connected yet
    pv.connect();
    await Promise.resolve();
    expect(got).toEqual([{ kind: 'connected' }]);
    pv.snapshot(1, levels([[10_000, 100_000]]), levels([[10_010, 50_000]]));
    now = 1_001;
    expect(pv.newOrder(order('a', 0, 10_010, 20_000))).toBe(true);
    expect(reports(got)).toEqual([]); // arrives at 1,006
    // the ask is taken away at 1,010: the order (arrived at 1,006) took 20,000 of it before
    now = 1_010;
    pv.level(1, 1, 10_010, 0);
    // filled at its arrival (venue time 1,006)
    const fills = reports(got).filter((r) => r.fill !== null);
    expect(fills.map((r) => [r.fill?.price, r.fill?.size, r.fill?.maker, r.tsMs])).toEqual([[10_010, 20_000, false, 1_006]]);
    // a later IOC finds no ask: canceled, no fill
    now = 1_020;
    pv.newOrder(order('b', 0, 10_010, 10_000));
    now = 1_030;
    pv.trade(1, 10_000, 1, 1);
    expect(
      reports(got)
        .filter((r) => r.order.clientOrderId === 'b')
        .map((r) => [r.event, r.fill]),
    ).toEqual([
      ['new', null],
      ['canceled', null],
    ]);
    expect(pv.counters.arrivals).toBe(2);
    pv.close();
    expect(pv.connected).toBe(false);
    expect(pv.newOrder(order('c', 0, 10_010, 1))).toBe(false);
  });

  it('group commit: held requests reach the engine only at release, discarded ones never', () => {
    let now = 5_000;
    const pv = new PaperVenue({ registry, fill: resolveFillModelConfig({}), onMessage: () => {}, clock: () => now });
    pv.connect();
    pv.snapshot(1, levels([[10_000, 100_000]]), levels([[10_010, 50_000]]));
    pv.hold();
    expect(pv.newOrder(order('x', 1, 10_020, 100, 0))).toBe(true);
    expect(pv.newOrder(order('y', 1, 10_030, 100, 0))).toBe(true);
    expect(pv.cancel('x')).toBe(true);
    expect([pv.held, pv.isHeld('x'), pv.venue.pending]).toEqual([3, true, 0]);
    expect(pv.discardHeld('y')).toBe(true);
    expect(pv.discardHeld('y')).toBe(false);
    now = 5_001;
    expect(pv.release()).toBe(2);
    expect([pv.held, pv.isHeld('x'), pv.venue.pending]).toEqual([0, false, 2]);
    pv.close();
  });

  it('on the wall clock, a timer delivers the answers when no market data comes', async () => {
    const got: VenueMessage[] = [];
    const pv = new PaperVenue({
      registry,
      fill: resolveFillModelConfig({ latency: { entry: 2, response: 2 } }),
      onMessage: (m) => got.push(m),
    });
    pv.connect();
    pv.snapshot(1, levels([[10_000, 100_000]]), levels([[10_010, 50_000]]));
    pv.newOrder(order('w', 1, 10_000, 1_000));
    const deadline = Date.now() + 5_000;
    while (reports(got).length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    expect(reports(got).map((r) => [r.event, r.fill?.size ?? null])).toEqual([
      ['new', null],
      ['trade', 1_000],
    ]);
    pv.close();
  });
});
