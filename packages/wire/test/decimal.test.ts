import { describe, expect, it } from 'vitest';
import { formatDecimal, InstrumentRegistry, parseDecimal, partitionOf, rescale } from '../src/index.js';

describe('exact decimals', () => {
  it('parses venue strings exactly at the instrument scale', () => {
    expect(parseDecimal('0.05005000', 8)).toBe(5_005_000);
    expect(parseDecimal('29000.1', 2)).toBe(2_900_010);
    expect(parseDecimal('42', 3)).toBe(42_000);
    expect(parseDecimal('-0.0012', 4)).toBe(-12);
    expect(parseDecimal('0.10000000', 1)).toBe(1); // trailing zeros beyond the scale are fine
  });

  it('refuses what it cannot represent exactly', () => {
    expect(parseDecimal('0.123', 2)).toBeNaN(); // precision finer than the scale
    expect(parseDecimal('1e5', 0)).toBeNaN();
    expect(parseDecimal('', 2)).toBeNaN();
    expect(parseDecimal('.', 2)).toBeNaN();
    expect(parseDecimal('1.2.3', 2)).toBeNaN();
    expect(parseDecimal('NaN', 2)).toBeNaN();
    expect(parseDecimal('90071992547409.92', 2)).toBeNaN(); // mantissa reaches 2^53
  });

  it('property: format then parse is the identity, and parse agrees with integer arithmetic', () => {
    let seed = 3;
    const rand = (n: number) => {
      seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
      return seed % n;
    };
    for (let i = 0; i < 20_000; i++) {
      const scale = rand(10);
      const mantissa = (rand(2) ? -1 : 1) * (rand(1_000_000) * 1_000_000 + rand(1_000_000));
      const text = formatDecimal(mantissa, scale);
      expect(parseDecimal(text, scale)).toBe(mantissa);
      expect(BigInt(mantissa)).toBe(BigInt(text.replace('.', '')));
    }
  });

  it('rescales only when exact', () => {
    expect(rescale(123, 2, 4)).toBe(12_300);
    expect(rescale(12_300, 4, 2)).toBe(123);
    expect(rescale(12_301, 4, 2)).toBeNaN();
  });
});

describe('instrument registry and partitioning', () => {
  it('assigns dense ids, looks up case-sensitively, and refuses bad specs with the field named', () => {
    const reg = new InstrumentRegistry();
    const a = reg.add({ venue: 'sim', symbol: 'AAPL', priceScale: 2, sizeScale: 0, tickSize: 1, lotSize: 1 });
    const b = reg.add({ venue: 'binance-spot', symbol: 'BTCUSDT', priceScale: 2, sizeScale: 8, tickSize: 1, lotSize: 1 });
    expect([a.id, b.id]).toEqual([1, 2]);
    expect(reg.add({ venue: 'sim', symbol: 'AAPL', priceScale: 2, sizeScale: 0, tickSize: 1, lotSize: 1 })).toBe(a);
    expect(reg.lookup('sim', 'aapl')).toBeUndefined();
    expect(InstrumentRegistry.from(reg.toJSON()).lookup('binance-spot', 'BTCUSDT')?.id).toBe(2);
    expect(() => reg.add({ venue: 'sim', symbol: 'X', priceScale: 19, sizeScale: 0, tickSize: 1, lotSize: 1 })).toThrow(
      /instrument.priceScale/,
    );
    expect(() => reg.add({ venue: 'nope' as never, symbol: 'X', priceScale: 1, sizeScale: 0, tickSize: 1, lotSize: 1 })).toThrow(
      /instrument.venue/,
    );
  });

  it('spreads dense ids evenly over partitions', () => {
    const counts = [0, 0, 0, 0];
    for (let id = 1; id <= 5500; id++) counts[partitionOf(id, 4)] = (counts[partitionOf(id, 4)] ?? 0) + 1;
    for (const c of counts) expect(Math.abs(c - 1375)).toBeLessThan(120);
  });
});
