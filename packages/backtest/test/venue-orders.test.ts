import { describe, expect, it } from 'vitest';
import { createLatencyModel, VENUE_CODES, VenueTimeError } from '../src/index.js';
import { harness, levels, order } from './helpers.js';

const BOOK_BIDS = levels([
  [10000, 5],
  [9999, 7],
  [9998, 9],
]);
const BOOK_ASKS = levels([
  [10001, 4],
  [10002, 6],
  [10003, 8],
]);

function seeded(opts = {}) {
  const h = harness(opts);
  h.venue.snapshot(0, 1, BOOK_BIDS, BOOK_ASKS);
  return h;
}

describe('LocalVenue order entry', () => {
  it('a marketable limit takes level by level, then rests the remainder behind the displayed size', () => {
    const h = seeded();
    h.clock.t = 1;
    h.venue.newOrder(order('a', 0, 10002, 15));
    h.run(1);
    const r = h.reports();
    expect(r.map((x) => x.event)).toEqual(['new', 'trade', 'trade']);
    expect(r.map((x) => x.seq)).toEqual([1, 2, 3]);
    expect(h.fills().map((f) => [f.price, f.size, f.maker])).toEqual([
      [10001, 4, false],
      [10002, 6, false],
    ]);
    expect(r[2]?.order.status).toBe('partially_filled');
    // The taken liquidity stays taken until the feed sets those levels again.
    expect(h.venue.book(1)!.asks.price(0)).toBe(10003);
    // The remainder (5) rests at 10002 as the best bid.
    h.venue.openOrders();
    h.run(2);
    const open = h.got.at(-1)?.m;
    expect(open?.kind === 'open-orders' && open.orders.map((o) => [o.clientOrderId, o.filled, o.status])).toEqual([
      ['a', 10, 'partially_filled'],
    ]);
  });

  it('IOC and market remainders are canceled with their reasons; a market order walks any price', () => {
    const h = seeded();
    h.venue.newOrder(order('ioc', 1, 9999, 20, { tif: 1 }));
    h.venue.newOrder(order('mkt', 0, 0, 30, { type: 1 }));
    h.run(0);
    const r = h.reports();
    expect(r.map((x) => [x.order.clientOrderId, x.event, x.fill?.price ?? null, x.fill?.size ?? null, x.reason])).toEqual([
      ['ioc', 'new', null, null, ''],
      ['ioc', 'trade', 10000, 5, ''],
      ['ioc', 'trade', 9999, 7, ''],
      ['ioc', 'canceled', null, null, VENUE_CODES.iocRemainder],
      ['mkt', 'new', null, null, ''],
      ['mkt', 'trade', 10001, 4, ''],
      ['mkt', 'trade', 10002, 6, ''],
      ['mkt', 'trade', 10003, 8, ''],
      ['mkt', 'canceled', null, null, VENUE_CODES.marketRemainder],
    ]);
    expect(h.venue.book(1)!.asks.length).toBe(0);
    // The feed sets a level again: it is back at the feed's size.
    h.venue.level(1, 1, 1, 10002, 3);
    expect(h.venue.book(1)!.asks.sizeAt(10002)).toBe(3);
  });

  it('rejects bad requests with the reason, duplicates and unknown instruments with order errors', () => {
    const h = seeded();
    h.venue.newOrder(order('p', 0, 0, 1));
    h.venue.newOrder(order('s', 0, 10000, 0));
    h.venue.newOrder(order('lot', 0, 10000, 15, { instrument: 2 }));
    h.venue.newOrder(order('tick', 0, 10001, 10, { instrument: 2 }));
    h.venue.newOrder(order('side', 2, 10000, 1));
    h.venue.newOrder(order('p', 0, 10000, 1));
    h.venue.newOrder(order('x', 0, 10000, 1, { instrument: 99 }));
    h.run(0);
    expect(
      h.got.map((g) =>
        g.m.kind === 'report' ? `${g.m.order.clientOrderId}:${g.m.event}:${g.m.reason}` : `${g.m.kind}:${'code' in g.m ? g.m.code : ''}`,
      ),
    ).toEqual([
      'p:rejected:bad_price',
      's:rejected:bad_size',
      'lot:rejected:bad_size',
      'tick:rejected:bad_price',
      'side:rejected:bad_request',
      'order-error:duplicate_client_order_id',
      'order-error:unknown_instrument',
    ]);
  });

  it('rejects orders while the book is not live; resting orders stay but cannot fill', () => {
    const h = harness();
    h.venue.newOrder(order('early', 0, 10000, 1));
    h.run(0);
    expect(h.reports()[0]?.reason).toBe(VENUE_CODES.bookNotLive);
    h.venue.snapshot(1, 1, BOOK_BIDS, BOOK_ASKS);
    h.clock.t = 1;
    h.venue.newOrder(order('rest', 0, 10000, 2));
    h.run(2);
    h.venue.bookDown(3, 1);
    h.venue.newOrder(order('down', 1, 10000, 1));
    h.run(4);
    h.venue.trade(5, 1, 9990, 100, 1); // through the resting buy, but the book is down
    h.run(6);
    expect(h.reports().map((r) => `${r.order.clientOrderId}:${r.event}:${r.reason}`)).toEqual([
      'early:rejected:book_not_live',
      'rest:new:',
      'down:rejected:book_not_live',
    ]);
    expect(h.venue.counters.rejectedNotLive).toBe(2);
    h.venue.bookUp(7, 1);
    h.venue.trade(7, 1, 9990, 1, 1);
    h.run(7);
    expect(h.fills().map((f) => [f.clientOrderId, f.price, f.size, f.maker, f.tsMs])).toEqual([['rest', 10000, 2, true, 7]]);
    // An order that the book crossed while it was down fills when the book is back up.
    h.venue.newOrder(order('late', 1, 10002, 1));
    h.run(8);
    h.venue.bookDown(9, 1);
    h.venue.level(9, 1, 0, 10003, 4); // a bid above the resting sell, unseen while down
    h.run(10);
    expect(h.fills().length).toBe(1);
    h.venue.bookUp(11, 1);
    h.run(11);
    expect(
      h
        .fills()
        .map((f) => [f.clientOrderId, f.price, f.size, f.tsMs])
        .slice(1),
    ).toEqual([['late', 10002, 1, 11]]);
  });

  it('cancel, cancel of an order already filled (the fill wins the race), cancel-all, fills query', () => {
    const h = seeded({
      entryLatency: createLatencyModel({ kind: 'constant', ms: 5 }, 0),
      responseLatency: createLatencyModel({ kind: 'constant', ms: 3 }, 0),
    });
    h.venue.newOrder(order('a', 0, 10000, 2));
    h.venue.newOrder(order('b', 0, 9999, 2));
    h.venue.newOrder(order('c', 1, 10005, 2));
    h.run(5);
    // The cancel of a is sent at 6 and arrives at 11; a trade through it at 10 fills it first.
    h.clock.t = 6;
    h.venue.cancel('a');
    h.run(10);
    h.venue.trade(10, 1, 9995, 1, 1);
    h.run(20);
    const tail = h.got
      .filter((g) => g.at > 8)
      .map((g) => [g.m.kind, g.m.kind === 'report' ? g.m.event : '', g.m.kind === 'report' ? g.m.order.clientOrderId : '', g.at]);
    expect(tail).toEqual([
      ['report', 'trade', 'a', 13], // b (9999) is through as well
      ['report', 'trade', 'b', 13],
      ['cancel-error', '', '', 14],
    ]);
    h.clock.t = 20;
    h.venue.cancelAll();
    h.venue.fills(4);
    h.run(40);
    const last = h.got.slice(-3).map((g) => g.m);
    expect(last[0]?.kind === 'report' && [last[0].order.clientOrderId, last[0].event, last[0].reason]).toEqual([
      'c',
      'canceled',
      'canceled_by_user',
    ]);
    expect(last[1]?.kind).toBe('cancel-all-done');
    expect(last[2]?.kind === 'fills' && last[2].fills.map((f) => f.clientOrderId)).toEqual(['b']);
    expect(h.got.every((g) => g.at === 28 || g.at <= 14)).toBe(true);
  });

  it('processes arrivals at exactly T before the market event at T, and refuses input while events are pending', () => {
    const h = seeded({ entryLatency: createLatencyModel({ kind: 'constant', ms: 10 }, 0) });
    h.venue.newOrder(order('a', 0, 10001, 4)); // arrives at 10
    expect(h.venue.nextEventTime()).toBe(10);
    expect(() => h.venue.level(10, 1, 1, 10001, 0)).toThrow(VenueTimeError);
    h.run(10);
    h.venue.level(10, 1, 1, 10001, 0); // the ask it took is gone only after the order took it
    expect(h.fills().map((f) => [f.price, f.size, f.tsMs])).toEqual([[10001, 4, 10]]);
    expect(() => h.venue.trade(9, 1, 10000, 1, 0)).toThrow(/before venue time 10/);
  });
});

describe('LocalVenue statistics and settings', () => {
  it('counts orders, fills, fill ratio, queue waits and unfilled cancels per instrument', () => {
    const h = seeded({ entryLatency: createLatencyModel({ kind: 'samples', source: 'inline', samples: [1, 2] }, 3) });
    h.venue.newOrder(order('take', 0, 10001, 2)); // taker 2 of 2
    h.venue.newOrder(order('rest1', 0, 10000, 4)); // rests behind 5
    h.venue.newOrder(order('rest2', 1, 10010, 3)); // rests, canceled unfilled later
    h.venue.newOrder(order('bad', 1, 10010, 0)); // rejected
    h.run(2);
    h.venue.trade(10, 1, 10000, 7, 1); // 2 past the front: rest1 fills 2 at 10, rested at 1 or 2
    h.run(20);
    h.clock.t = 20;
    h.venue.cancel('rest2');
    h.run(30);
    const st = h.venue.stats()['binance-spot:BTCUSDT'];
    const restedAt = h.reports().find((r) => r.order.clientOrderId === 'rest1' && r.event === 'new')?.tsMs as number;
    expect(st).toEqual({
      orders: 3,
      rejected: 1,
      makerFills: 1,
      takerFills: 1,
      placedSize: '0.009',
      filledSize: '0.004',
      fillRatio: 4 / 9,
      makerShare: 0.5,
      queueWaitMs: { count: 1, p50: 10 - restedAt, max: 10 - restedAt },
      canceledUnfilled: 1,
    });
    expect(h.venue.settings()).toEqual({
      queue: { model: 'risk-averse' },
      throughTrades: 'full',
      latency: {
        feed: { kind: 'constant', ms: 0 },
        entry: { kind: 'samples', source: 'inline', count: 2, min: 1, p50: 1, max: 2, seed: 3 },
        response: { kind: 'constant', ms: 0 },
      },
      fees: { 'binance-spot:BTCUSDT': { makerBps: 10, takerBps: 10, feeScale: 8 } },
    });
  });
});

describe('LocalVenue feed times', () => {
  it('adds a feed draw and keeps feed order', () => {
    const h = harness({ feedLatency: createLatencyModel({ kind: 'samples', source: 'inline', samples: [1, 10] }, 9) });
    const times = [0, 0.5, 1, 1.5, 2, 2.5, 3, 30].map((t) => [t, h.venue.feedTime(t)] as const);
    for (const [i, [t, at]] of times.entries()) {
      expect(at - t === 1 || at - t === 10 || at === times[i - 1]?.[1]).toBe(true);
      if (i > 0) expect(at).toBeGreaterThanOrEqual(times[i - 1]?.[1] as number);
    }
    expect(new Set(times.map(([t, at]) => at - t)).size).toBeGreaterThan(1);
  });
});
