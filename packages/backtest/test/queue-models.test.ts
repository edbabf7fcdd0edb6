import { describe, expect, it } from 'vitest';
import { createQueueModel, type QueuePosition, queueProbability } from '../src/index.js';
import { harness, levels, order } from './helpers.js';

function setup(model: Parameters<typeof createQueueModel>[0], n = 1) {
  const h = harness({ queue: createQueueModel(model, n) });
  h.venue.snapshot(0, 1, levels([[10000, 5]]), levels([[10010, 5]]));
  return h;
}

const filled = (h: ReturnType<typeof harness>) => h.fills().map((f) => [f.clientOrderId, f.price, f.size, f.maker]);

describe('risk-averse queue (advances on trades only; a decrease caps the queue ahead)', () => {
  it('worked example', () => {
    const h = setup('risk-averse');
    h.venue.newOrder(order('a', 0, 10000, 3)); // joins behind 5
    h.run(0);
    h.venue.trade(1, 1, 10000, 2, 1); // front 5 -> 3
    h.venue.level(2, 1, 0, 10000, 3); // the print: front min(3, 3) = 3
    h.venue.level(3, 1, 0, 10000, 6); // others join behind: front 3
    h.venue.level(4, 1, 0, 10000, 1); // a cancel somewhere: front min(3, 1) = 1
    h.run(4);
    expect(filled(h)).toEqual([]);
    h.venue.trade(5, 1, 10000, 2, 1); // front 1 - 2 = -1: 1 fills
    h.run(5);
    expect(filled(h)).toEqual([['a', 10000, 1, true]]);
    h.venue.trade(6, 1, 10000, 5, 1); // at the front: the rest (2) fills
    h.run(6);
    expect(filled(h).slice(1)).toEqual([['a', 10000, 2, true]]);
    expect(h.reports().at(-1)?.order.status).toBe('filled');
  });

  it('our own earlier order at the price is ahead of the later one', () => {
    const h = setup('risk-averse');
    h.venue.level(0, 1, 0, 10000, 2);
    h.venue.newOrder(order('A', 0, 10000, 3)); // behind 2
    h.run(0);
    h.venue.level(1, 1, 0, 10000, 5); // 3 more join behind A
    h.venue.newOrder(order('B', 0, 10000, 4)); // behind 5 market + A
    h.run(1);
    // Queue: [2 market][A 3][3 market][B 4]; a trade of 8 reaches exactly B.
    h.venue.trade(2, 1, 10000, 8, 1);
    h.run(2);
    expect(filled(h)).toEqual([['A', 10000, 3, true]]);
    h.venue.trade(3, 1, 10000, 2, 1);
    h.run(3);
    expect(filled(h).slice(1)).toEqual([['B', 10000, 2, true]]);
  });

  it('a trade through the price fills completely whatever its size; a crossing level fills at the order price', () => {
    const h = setup('risk-averse');
    h.venue.newOrder(order('s', 1, 10010, 3));
    h.venue.newOrder(order('b', 0, 10000, 2));
    h.run(0);
    h.venue.trade(1, 1, 10011, 1, 0); // buy aggressor above the sell
    h.run(2);
    h.venue.level(2, 1, 1, 9999, 1); // an ask at 9999 crosses the buy at 10000
    h.run(2);
    expect(filled(h)).toEqual([
      ['s', 10010, 3, true],
      ['b', 10000, 2, true],
    ]);
  });

  it("throughTrades 'trade-size' fills through orders only up to the trade's size, in time priority", () => {
    const h = harness({ throughTrades: 'trade-size' });
    h.venue.snapshot(0, 1, levels([[10000, 5]]), levels([[10010, 5]]));
    h.venue.newOrder(order('a', 0, 10000, 3));
    h.venue.newOrder(order('b', 0, 10000, 3));
    h.run(0);
    h.venue.trade(1, 1, 9998, 4, 1); // through both: 3 to a, 1 to b
    h.run(1);
    h.venue.trade(2, 1, 9998, 1, 1);
    h.run(2);
    expect(filled(h)).toEqual([
      ['a', 10000, 3, true],
      ['b', 10000, 1, true],
      ['b', 10000, 1, true],
    ]);
    expect(h.venue.settings().throughTrades).toBe('trade-size');
  });

  it('an unknown aggressor is inferred from the book; whole lots only', () => {
    const h = harness();
    h.venue.snapshot(0, 2, levels([[10000, 50]]), levels([[10010, 50]]));
    h.venue.newOrder(order('e', 0, 10000, 20, { instrument: 2 }));
    h.run(0);
    h.venue.trade(1, 2, 10000, 60, 2); // at the best bid: a sell; 10 past the front of 50
    h.run(1);
    h.venue.trade(2, 2, 10005, 100, 2); // inside the spread: no side, ignored
    h.run(2);
    expect(h.fills().map((f) => [f.clientOrderId, f.size])).toEqual([['e', 10]]);
    h.venue.trade(3, 2, 10000, 9, 1); // 9 < one lot of 10: nothing
    h.run(3);
    expect(h.fills().length).toBe(1);
  });

  it('a snapshot re-seeds queue positions (capped at the new size) and fills crossed orders', () => {
    const h = setup('risk-averse');
    h.venue.newOrder(order('a', 0, 10000, 2));
    h.venue.newOrder(order('x', 1, 10020, 2));
    h.run(0);
    h.venue.snapshot(1, 1, levels([[10000, 1]]), levels([[10019, 4]])); // x at 10020 is above the best ask: not crossed
    h.venue.trade(2, 1, 10000, 2, 1); // front 1 -> -1: one fills
    h.run(2);
    expect(filled(h)).toEqual([['a', 10000, 1, true]]);
    h.venue.snapshot(3, 1, levels([[10021, 1]]), levels([[10022, 4]])); // bids jumped above x: crossed
    h.run(3);
    // The buy at 10000 is below the new best ask and stays; the sell at 10020 is crossed.
    expect(filled(h).slice(1)).toEqual([['x', 10020, 2, true]]);
  });
});

describe('probabilistic queue (hftbacktest ProbQueueModel family)', () => {
  it('worked example with prob-power n = 1: p = back / (back + front)', () => {
    const h = setup('prob-power', 1);
    h.venue.level(0, 1, 0, 10000, 10);
    h.venue.newOrder(order('a', 0, 10000, 3)); // front 10, back 0
    h.run(0);
    h.venue.level(1, 1, 0, 10000, 20); // increase: front stays 10, back 10
    h.venue.level(2, 1, 0, 10000, 15); // chg 5, p = 10 / 20 = 0.5: front = 10 - 2.5 + min(10 - 2.5, 0) = 7.5
    h.venue.trade(3, 1, 10000, 4, 1); // front 3.5
    h.venue.level(4, 1, 0, 10000, 11); // the print of that trade: chg = 4 - 4 = 0, front stays 3.5
    h.run(4);
    expect(filled(h)).toEqual([]);
    h.venue.trade(5, 1, 10000, 5, 1); // front -1.5: one whole lot fills
    h.run(5);
    expect(filled(h)).toEqual([['a', 10000, 1, true]]);
  });

  it('the same sequence under risk-averse fills nothing', () => {
    const h = setup('risk-averse');
    h.venue.level(0, 1, 0, 10000, 10);
    h.venue.newOrder(order('a', 0, 10000, 3));
    h.run(0);
    h.venue.level(1, 1, 0, 10000, 20);
    h.venue.level(2, 1, 0, 10000, 15);
    h.venue.trade(3, 1, 10000, 4, 1);
    h.venue.level(4, 1, 0, 10000, 11);
    h.venue.trade(5, 1, 10000, 5, 1); // front 10 -> 6 -> 1: no fill
    h.run(5);
    expect(filled(h)).toEqual([]);
  });

  it("sampling 'draw': each decrease is behind with probability p, else ahead; seeded", () => {
    const outcomes = (seed: number): number[] => {
      const m = createQueueModel('prob-power', 1, 'draw', seed);
      return Array.from({ length: 2000 }, () => {
        const q: QueuePosition = { front: 10, tradedSinceChange: 0 };
        m.depth(q, 20, 15); // p = 10 / 20: behind -> 10, ahead -> 5
        return q.front;
      });
    };
    const a = outcomes(1);
    expect(new Set(a)).toEqual(new Set([10, 5]));
    const behind = a.filter((x) => x === 10).length;
    expect(behind).toBeGreaterThan(900);
    expect(behind).toBeLessThan(1100);
    expect(outcomes(1)).toEqual(a);
    expect(outcomes(2)).not.toEqual(a);
    // A decrease larger than the queue behind moves the order by the excess even when drawn behind.
    const m = createQueueModel('prob-log', 3, 'draw', 5);
    for (let i = 0; i < 50; i++) {
      const q: QueuePosition = { front: 4, tradedSinceChange: 0 };
      m.depth(q, 6, 1); // chg 5, back 2: behind -> 4 - 3 = 1, ahead -> 0
      expect([0, 1]).toContain(q.front);
    }
  });

  it('probability functions match their formulas', () => {
    const cases: [Parameters<typeof queueProbability>[0], number, number][] = [
      ['prob-power', 3 ** 2 / (3 ** 2 + 1 ** 2), 2],
      ['prob-power2', 3 ** 2 / 4 ** 2, 2],
      ['prob-power3', 1 - (1 / 4) ** 2, 2],
      ['prob-log', Math.log(4) / (Math.log(4) + Math.log(2)), 1],
      ['prob-log2', Math.log(4) / Math.log(5), 1],
    ];
    for (const [name, want, n] of cases) expect(queueProbability(name, n)(1, 3)).toBeCloseTo(want, 12);
  });

  it('a decrease larger than everything behind moves the order up by the excess; increases never do', () => {
    const m = createQueueModel('prob-log');
    const q: QueuePosition = { front: 4, tradedSinceChange: 0 };
    m.depth(q, 6, 0); // all 6 gone: front 0
    expect(q.front).toBe(0);
    const r: QueuePosition = { front: 4, tradedSinceChange: 0 };
    m.depth(r, 6, 9);
    expect(r.front).toBe(4);
    expect(() => createQueueModel('fifo' as never)).toThrow(/queue model must be one of risk-averse, prob-power/);
  });
});
