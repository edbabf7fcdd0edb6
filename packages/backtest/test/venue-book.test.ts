import { Prng } from '@tickline/exchange';
import { describe, expect, it } from 'vitest';
import { VenueBookSide } from '../src/index.js';
import { levels } from './helpers.js';

describe('VenueBookSide', () => {
  for (const sign of [1, -1] as const)
    it(`matches a Map reference over random sets and loads (${sign === 1 ? 'bids' : 'asks'})`, () => {
      const rnd = new Prng(sign === 1 ? 3 : 4);
      const side = new VenueBookSide(sign, 4);
      let ref = new Map<number, number>();
      for (let i = 0; i < 20_000; i++) {
        if (rnd.chance(0.002)) {
          const pairs = Array.from(
            { length: rnd.range(0, 300) },
            () => [rnd.range(1, 2000), rnd.chance(0.1) ? 0 : rnd.range(1, 99)] as const,
          );
          const ordered = rnd.chance(0.5);
          // Best first and strictly ordered (the fast path), or any order with repeats.
          const uniq = ordered ? [...new Map(pairs.map((p) => [p[0], p] as const)).values()].sort((a, b) => sign * (b[0] - a[0])) : pairs;
          side.load(levels(uniq));
          ref = new Map();
          for (const [p, s] of uniq)
            if (s > 0) ref.set(p, s);
            else ref.delete(p);
        } else {
          const p = rnd.range(1, 2000);
          const s = rnd.chance(0.3) ? 0 : rnd.range(1, 99);
          expect(side.set(p, s)).toBe(ref.get(p) ?? 0);
          if (s > 0) ref.set(p, s);
          else ref.delete(p);
        }
        const q = rnd.range(1, 2000);
        expect(side.sizeAt(q)).toBe(ref.get(q) ?? 0);
      }
      const want = [...ref.entries()].sort((a, b) => sign * (b[0] - a[0]));
      expect(Array.from({ length: side.length }, (_, i) => [side.price(i), side.size(i)])).toEqual(want);
      expect(side.bestPrice()).toBe(want[0]?.[0] ?? Number.NaN);
    });
});
