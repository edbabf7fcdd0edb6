import { describe, expect, it } from 'vitest';
import { formatUnits, parseUnits } from '../src/decimal.js';
import { generateUniverse } from '../src/instruments.js';
import { Market, type MarketConfig } from '../src/market.js';
import type { SimBook } from '../src/sim-book.js';

const config = (over: Partial<MarketConfig> = {}): MarketConfig => ({
  seed: 42,
  stepMs: 2,
  eventsPerSecond: 50_000,
  profile: 'steady',
  openEventsPerSecond: 200_000,
  openWindowMs: 100,
  minLevels: 10,
  maxLevels: 50,
  ...over,
});

function fingerprint(m: Market): string {
  return m.books
    .map((b) => `${b.seq}|${b.bids.prices.join(',')}:${b.bids.sizes.join(',')}|${b.asks.prices.join(',')}:${b.asks.sizes.join(',')}`)
    .join('\n');
}

/** Runs steps like the server does: after each step every dirty book publishes one delta. */
function run(m: Market, steps: number, onDelta?: (b: SimBook) => void): void {
  for (let s = 0; s < steps; s++) {
    m.step();
    for (const i of m.dirty) {
      const b = m.books[i] as SimBook;
      if (b.hasPending()) {
        b.seq++;
        onDelta?.(b);
      }
      b.clearPending();
    }
    m.dirty.length = 0;
  }
}

describe('instrument universe', () => {
  it('is deterministic per seed, unique, and mixes equities and crypto', () => {
    const a = generateUniverse(5500, 1);
    const b = generateUniverse(5500, 1);
    const c = generateUniverse(5500, 2);
    expect(a.map((i) => i.symbol)).toEqual(b.map((i) => i.symbol));
    expect(a.map((i) => i.symbol)).not.toEqual(c.map((i) => i.symbol));
    expect(new Set(a.map((i) => i.symbol)).size).toBe(5500);
    expect(a.slice(0, 4).map((i) => i.symbol)).toEqual(['AAPL', 'BTC-USD', 'MSFT', 'ETH-USD']);
    const crypto = a.filter((i) => i.kind === 'crypto').length;
    expect(crypto).toBeGreaterThan(300);
    expect(crypto).toBeLessThan(1000);
    for (const i of a) {
      expect(i.symbol).toMatch(/^[A-Z]{2,4}$|^[A-Z]{3,5}-USDT?$/);
      expect(i.pricePrecision + i.sizePrecision).toBeLessThanOrEqual(8);
      expect(parseUnits(i.tickSize, i.pricePrecision)).toBe(i.tickUnits);
      expect(parseUnits(i.lotSize, i.sizePrecision)).toBe(i.lotUnits);
    }
  });
});

describe('Market', () => {
  it('is deterministic: same seed and steps give the same books and seqs; another seed differs', () => {
    const u = generateUniverse(200, 3);
    const a = new Market(u, config());
    const b = new Market(u, config());
    const c = new Market(u, config({ seed: 43 }));
    run(a, 300);
    run(b, 300);
    run(c, 300);
    expect(fingerprint(a)).toBe(fingerprint(b));
    expect(fingerprint(a)).not.toBe(fingerprint(c));
  });

  it('generates the configured event rate, and the opening profile runs faster for its window', () => {
    const u = generateUniverse(500, 3);
    const m = new Market(u, config({ eventsPerSecond: 20_000 }));
    run(m, 500); // 1 s of virtual time
    expect(m.eventsGenerated).toBeGreaterThanOrEqual(20_000);
    expect(m.eventsGenerated).toBeLessThan(20_000 + 60);
    const o = new Market(u, config({ profile: 'open', eventsPerSecond: 20_000, openEventsPerSecond: 100_000, openWindowMs: 500 }));
    run(o, 500); // 0.5 s at 100k + 0.5 s at 20k
    expect(o.eventsGenerated).toBeGreaterThanOrEqual(60_000);
    expect(o.eventsGenerated).toBeLessThan(60_000 + 60);
  });

  it('keeps every book sorted, uncrossed, positive and within the level bounds', () => {
    const u = generateUniverse(100, 5);
    const m = new Market(u, config({ eventsPerSecond: 200_000 }));
    for (let k = 0; k < 20; k++) {
      run(m, 25);
      const bad: string[] = [];
      for (const b of m.books) {
        const bp = b.bids.prices;
        const ap = b.asks.prices;
        const problems = [
          bp.some((p, i) => i > 0 && (bp[i - 1] as number) <= p) && 'bids not descending',
          ap.some((p, i) => i > 0 && (ap[i - 1] as number) >= p) && 'asks not ascending',
          (bp.length < 10 || bp.length > 50 || ap.length < 10 || ap.length > 50) && `levels ${bp.length}/${ap.length}`,
          (bp[0] as number) >= (ap[0] as number) && 'crossed',
          (bp.at(-1) as number) <= 0 && 'non-positive price',
          [...b.bids.sizes, ...b.asks.sizes].some((x) => x <= 0 || !Number.isInteger(x)) && 'bad size',
        ].filter((x) => x !== false);
        if (problems.length > 0) bad.push(`${b.index}: ${problems.join(', ')}`);
      }
      expect(bad).toEqual([]);
    }
  });

  it('property: replaying published deltas onto the initial books reproduces the books exactly', () => {
    const u = generateUniverse(300, 9);
    const m = new Market(u, config({ eventsPerSecond: 100_000 }));
    // Client-side copies at seq 0, keyed by decimal strings as a client would hold them.
    const copies = m.books.map((b) => {
      const inst = u[b.index];
      if (inst === undefined) throw new Error('missing instrument');
      const side = (prices: number[], sizes: number[]): Map<string, string> =>
        new Map(
          prices.map((p, i) => [
            formatUnits(p * inst.tickUnits, inst.pricePrecision),
            formatUnits((sizes[i] as number) * inst.lotUnits, inst.sizePrecision),
          ]),
        );
      return { bids: side(b.bids.prices, b.bids.sizes), asks: side(b.asks.prices, b.asks.sizes), seq: 0 };
    });
    let deltas = 0;
    run(m, 400, (b) => {
      const inst = u[b.index];
      const copy = copies[b.index];
      if (inst === undefined || copy === undefined) throw new Error('missing');
      expect(b.seq).toBe(copy.seq + 1);
      copy.seq = b.seq;
      deltas++;
      for (const [side, pending] of [
        [copy.bids, b.bids.pending],
        [copy.asks, b.asks.pending],
      ] as const) {
        for (const [p, l] of pending) {
          const key = formatUnits(p * inst.tickUnits, inst.pricePrecision);
          if (l === 0) side.delete(key);
          else side.set(key, formatUnits(l * inst.lotUnits, inst.sizePrecision));
        }
      }
    });
    expect(deltas).toBeGreaterThan(5000);
    for (const b of m.books) {
      const inst = u[b.index];
      const copy = copies[b.index];
      if (inst === undefined || copy === undefined) throw new Error('missing');
      const want = (prices: number[], sizes: number[]): string[] =>
        prices
          .map(
            (p, i) =>
              `${formatUnits(p * inst.tickUnits, inst.pricePrecision)}=${formatUnits((sizes[i] as number) * inst.lotUnits, inst.sizePrecision)}`,
          )
          .sort();
      const got = (side: Map<string, string>): string[] => [...side].map(([p, s]) => `${p}=${s}`).sort();
      expect(got(copy.bids)).toEqual(want(b.bids.prices, b.bids.sizes));
      expect(got(copy.asks)).toEqual(want(b.asks.prices, b.asks.sizes));
      expect(copy.seq).toBe(b.seq);
    }
  });

  it('reports trades to the trade listener with the level they hit', () => {
    const u = generateUniverse(50, 2);
    const m = new Market(u, config());
    let trades = 0;
    m.onTrade = (inst, price, lots, aggressor) => {
      const b = m.books[inst.index] as SimBook;
      const t = b.pendingTrades.at(-1);
      expect(t).toEqual({ id: t?.id, priceTicks: price, lots, aggressor });
      expect(lots).toBeGreaterThan(0);
      trades++;
    };
    run(m, 200);
    expect(trades).toBeGreaterThan(100);
  });
});
