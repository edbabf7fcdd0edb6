import { LevelBuffer } from '@tickline/wire';
import { describe, expect, it } from 'vitest';
import { BookSide } from '../src/core/book-side.js';
import { Cross, L2Book } from '../src/core/l2-book.js';
import { levelsOf, RefSide, rng } from './helpers.js';

function buf(levels: [number, number][]): LevelBuffer {
  const b = new LevelBuffer();
  for (const [p, s] of levels) b.push(p, s);
  return b;
}

describe('BookSide vs a Map reference (random streams)', () => {
  for (const depth of [1, 2, 5, 50, 300]) {
    it(`agrees exactly at depth ${depth}`, () => {
      const rand = rng(depth * 7919);
      for (const isBid of [true, false]) {
        const side = new BookSide(isBid ? 1 : -1, depth);
        const ref = new RefSide(isBid, depth);
        let touch = 100_000;
        for (let step = 0; step < 40_000; step++) {
          const r = rand();
          if (r < 0.002) {
            // snapshot: a fresh best-first ladder, with a zero size mixed in
            const levels: [number, number][] = [];
            const n = Math.floor(rand() * (depth + 10));
            let p = touch;
            for (let i = 0; i < n; i++) {
              levels.push([p, i === 3 ? 0 : 1 + Math.floor(rand() * 1000)]);
              p += isBid ? -(1 + Math.floor(rand() * 3)) : 1 + Math.floor(rand() * 3);
            }
            expect(side.load(buf(levels))).toBe(true);
            ref.load(levels);
          } else {
            if (r < 0.05) touch += Math.floor(rand() * 7) - 3;
            // mostly within a few ticks of the touch, sometimes far away
            const far = rand() < 0.1;
            const dist = far ? Math.floor(rand() * depth * 4) : Math.floor(-Math.log(1 - rand()) * 3) - 1;
            const price = isBid ? touch - dist : touch + dist;
            const size = rand() < 0.35 ? 0 : 1 + Math.floor(rand() * 1_000_000);
            side.set(price, size);
            ref.set(price, size);
          }
          if (step % 97 === 0 || step > 39_900) expect(levelsOf(side)).toEqual(ref.sorted());
        }
        expect(levelsOf(side)).toEqual(ref.sorted());
        expect(side.length).toBeLessThanOrEqual(depth);
      }
    });
  }

  it('keeps large mantissas exact (no float keys)', () => {
    const side = new BookSide(-1, 10);
    const big = 2 ** 52 + 1;
    side.set(big, 1);
    side.set(big + 1, 2);
    side.set(big - 1, 3);
    expect(levelsOf(side)).toEqual([
      [big - 1, 3],
      [big, 1],
      [big + 1, 2],
    ]);
    side.set(big, 0);
    expect(levelsOf(side)).toEqual([
      [big - 1, 3],
      [big + 1, 2],
    ]);
  });

  it('reports unsorted snapshots and rejects bad depth', () => {
    const side = new BookSide(1, 5);
    expect(
      side.load(
        buf([
          [10, 1],
          [11, 1],
        ]),
      ),
    ).toBe(false);
    expect(() => new BookSide(1, 0)).toThrow(RangeError);
  });
});

describe('L2Book figures', () => {
  const book = new L2Book(10, 2, 3);
  book.load(
    buf([
      [10_000, 2_000],
      [9_990, 6_000],
    ]),
    buf([
      [10_010, 1_000],
      [10_020, 3_000],
    ]),
  );

  it('gives BBO, spread, mid, microprice and imbalance', () => {
    expect(book.bestBid()).toBe(10_000);
    expect(book.bestAsk()).toBe(10_010);
    expect(book.spreadMantissa()).toBe(10);
    expect(book.spread()).toBeCloseTo(0.1, 12);
    expect(book.mid()).toBeCloseTo(100.05, 12);
    // (100.00 * 1 + 100.10 * 2) / 3
    expect(book.microprice()).toBeCloseTo((100 * 1 + 100.1 * 2) / 3, 12);
    expect(book.imbalance(1)).toBeCloseTo((2 - 1) / 3, 12);
    expect(book.imbalance(2)).toBeCloseTo((8 - 4) / 12, 12);
    expect(book.cross()).toBe(Cross.Normal);
  });

  it('detects locked, crossed and one-sided books', () => {
    const b = new L2Book(5);
    expect(b.cross()).toBe(Cross.OneSided);
    expect(Number.isNaN(b.mid())).toBe(true);
    b.apply(buf([[100, 1]]), buf([[100, 1]]));
    expect(b.isLocked()).toBe(true);
    b.apply(buf([[101, 1]]), buf([]));
    expect(b.isCrossed()).toBe(true);
    b.apply(buf([[101, 0]]), buf([[100, 0]]));
    expect(b.cross()).toBe(Cross.OneSided);
  });

  it('applies levels in array order (a later level of the same price wins)', () => {
    const b = new L2Book(5);
    b.apply(
      buf([
        [100, 5],
        [100, 0],
        [99, 1],
        [99, 7],
      ]),
      buf([]),
    );
    expect(levelsOf(b.bids)).toEqual([[99, 7]]);
  });
});

describe('LadderSide (the measured alternative) vs the Map reference', () => {
  it('agrees exactly on random near-touch streams with far levels and re-centring', async () => {
    const { LadderSide } = await import('../bench/ladder-side.js');
    for (const depth of [3, 50]) {
      const rand = rng(depth * 31);
      for (const isBid of [true, false]) {
        const tick = 5;
        const side = new LadderSide(isBid ? 1 : -1, depth, tick, 64);
        const ref = new RefSide(isBid, depth);
        let touch = 1_000_000;
        for (let step = 0; step < 30_000; step++) {
          if (rand() < 0.05) touch += (Math.floor(rand() * 41) - 20) * tick;
          const far = rand() < 0.1;
          const dist = far ? Math.floor(rand() * depth * 6) : Math.floor(-Math.log(1 - rand()) * 3) - 1;
          const price = isBid ? touch - dist * tick : touch + dist * tick;
          const size = rand() < 0.35 ? 0 : 1 + Math.floor(rand() * 1000);
          side.set(price, size);
          ref.set(price, size);
          if (step % 101 === 0) expect(levelsOf(side)).toEqual(ref.sorted());
        }
        expect(levelsOf(side)).toEqual(ref.sorted());
      }
    }
  });
});
