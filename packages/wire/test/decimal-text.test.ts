import { describe, expect, it } from 'vitest';
import {
  addDecimals,
  compareDecimals,
  decimalString,
  divRoundHalfEven,
  moneyScale,
  mulDecimals,
  parseBigDecimal,
  roundDecimal,
  subDecimals,
  sumDecimals,
} from '../src/index.js';

describe('exact decimals at the edges', () => {
  it('writes plain strings without exponent or trailing zeros, and reads them back exactly', () => {
    expect(decimalString(13, 3)).toBe('0.013');
    expect(decimalString(-7, 5)).toBe('-0.00007');
    expect(decimalString(4200, 2)).toBe('42');
    expect(decimalString(0, 8)).toBe('0');
    expect(decimalString(123456789012345678901234567890n, 20)).toBe('1234567890.1234567890123456789');
    expect(() => decimalString(0.5, 2)).toThrow(RangeError);
    expect(parseBigDecimal('-0.00007', 8)).toBe(-7000n);
    expect(parseBigDecimal('42.10', 1)).toBe(421n);
    for (const bad of ['1e-5', '0.123', '', '.5', '1.2.3']) expect(parseBigDecimal(bad, 2), bad).toBeNull();
    // round trip over random mantissas and scales
    let seed = 11;
    for (let i = 0; i < 2000; i++) {
      seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
      const scale = seed % 19;
      const m = BigInt(seed) * BigInt(seed % 7919) - 10_000_000_000n;
      expect(parseBigDecimal(decimalString(m, scale), scale)).toBe(m);
    }
  });

  it('rounds half to even, and sizes money to hold every price x size and 10^-8 fee', () => {
    expect([5n, 15n, 25n, -5n, -15n, 7n, -7n].map((n) => divRoundHalfEven(n, 10n))).toEqual([0n, 2n, 2n, 0n, -2n, 1n, -1n]);
    expect(moneyScale({ priceScale: 2, sizeScale: 8 })).toBe(10);
    expect(moneyScale({ priceScale: 2, sizeScale: 0 })).toBe(8);
  });

  it('does arithmetic on decimal strings exactly', () => {
    expect(addDecimals('0.1', '0.2')).toBe('0.3');
    expect(subDecimals('0.013', '0.1301')).toBe('-0.1171');
    expect(sumDecimals(['0.003', '0.01', '-0.00007'])).toBe('0.01293');
    expect(mulDecimals('3000.05', '-0.013')).toBe('-39.00065');
    expect(roundDecimal('-39.00065', 4)).toBe('-39.0006');
    expect([compareDecimals('0.10', '0.1'), compareDecimals('-1', '0.5'), compareDecimals('2', '1.999')]).toEqual([0, -1, 1]);
    expect(() => addDecimals('1e3', '1')).toThrow(TypeError);
  });
});
