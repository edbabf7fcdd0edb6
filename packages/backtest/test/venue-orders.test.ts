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
