import { crc32 as zlibCrc32 } from 'node:zlib';
import { LevelBuffer } from '@tickline/wire';
import { describe, expect, it } from 'vitest';
import { BookChecksum } from '../src/core/checksum.js';
import { crc32, crc32String, toSigned32 } from '../src/core/crc32.js';
import { L2Book } from '../src/core/l2-book.js';
import { VENUE_RULES } from '../src/core/venue-rules.js';
import { rng } from './helpers.js';

function book(ps: number, ss: number, bids: [number, number][], asks: [number, number][]): L2Book {
  const b = new L2Book(50, ps, ss);
  const lb = new LevelBuffer();
  const la = new LevelBuffer();
  for (const [p, s] of bids) lb.push(p, s);
  for (const [p, s] of asks) la.push(p, s);
  b.load(lb, la);
  return b;
}

describe('crc32', () => {
  it('matches the standard check value and node:zlib on random bytes', () => {
    expect(crc32String('123456789')).toBe(0xcbf43926);
    const rand = rng(5);
    for (let n = 0; n < 200; n++) {
      const bytes = Uint8Array.from({ length: Math.floor(rand() * 300) }, () => Math.floor(rand() * 256));
      expect(crc32(bytes)).toBe(zlibCrc32(bytes));
    }
    expect(toSigned32(0xffffffff)).toBe(-1);
  });
});

describe('venue checksums from mantissas', () => {
  const sum = new BookChecksum();

  it('OKX: bid1:ask1:bid2:ask2 in shortest form, signed, uneven sides', () => {
    // 3366.1 x 7, 3366 x 6 | 3366.8 x 9, 3368 x 8, 3370 x 0.5
    const b = book(
      1,
      1,
      [
        [33661, 70],
        [33660, 60],
      ],
      [
        [33668, 90],
        [33680, 80],
        [33700, 5],
      ],
    );
    const c = sum.okx(b, VENUE_RULES.okx);
    const text = '3366.1:7:3366.8:9:3366:6:3368:8:3370:0.5';
    expect(sum.lastText()).toBe(text);
    expect(c).toBe(zlibCrc32(text) | 0);
  });

  it('Kraken: asks then bids, dot removed, leading zeros stripped, padded width per instrument', () => {
    const b = book(
      5,
      8,
      [[4287, 233263400000]],
      [
        [4313, 1180277325050],
        [4314, 334853731567],
      ],
    );
    sum.kraken(b, VENUE_RULES['kraken-v1']);
    // 0.04313 / 11802.77325050 ... at scale 5 prints "0.04313" -> "4313"
    expect(sum.lastText()).toBe('4313118027732505043143348537315674287233263400000');
    b.priceText = 6; // the venue writes 6 decimals: "0.043130"
    const c = sum.kraken(b, VENUE_RULES['kraken-v1']);
    expect(sum.lastText()).toBe(['43130', '1180277325050', '43140', '334853731567', '42870', '233263400000'].join(''));
    expect(c).toBe(zlibCrc32(sum.lastText()));
  });

  it('formats fixed and trimmed numbers exactly (property vs string arithmetic)', () => {
    const rand = rng(11);
    const s = new BookChecksum();
    for (let n = 0; n < 2000; n++) {
      const ps = Math.floor(rand() * 9);
      const p = 1 + Math.floor(rand() * 10 ** Math.floor(1 + rand() * 12));
      const b = book(ps, 0, [[p, 1]], []);
      s.okx(b, VENUE_RULES.okx);
      const raw = String(p).padStart(ps + 1, '0');
      const fixed = ps > 0 ? `${raw.slice(0, raw.length - ps)}.${raw.slice(raw.length - ps)}` : raw;
      const trimmed = ps > 0 ? fixed.replace(/0+$/, '').replace(/\.$/, '') : fixed;
      expect(s.lastText()).toBe(`${trimmed}:1`);
    }
  });
});
