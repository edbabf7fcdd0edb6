import { describe, expect, it } from 'vitest';
import { formatBigUnits, formatUnits, parseUnits } from '../src/decimal.js';
import { Prng } from '../src/prng.js';

describe('decimal strings', () => {
  it('formats units at the precision', () => {
    expect(formatUnits(18925, 2)).toBe('189.25');
    expect(formatUnits(5, 2)).toBe('0.05');
    expect(formatUnits(0, 5)).toBe('0.00000');
    expect(formatUnits(7, 0)).toBe('7');
    expect(formatUnits(-150, 2)).toBe('-1.50');
    expect(formatBigUnits(-5n, 8)).toBe('-0.00000005');
    expect(formatBigUnits(123456789012345678n, 8)).toBe('1234567890.12345678');
  });

  it('parses exactly, accepting short and zero-padded decimals, refusing excess precision', () => {
    expect(parseUnits('189.25', 2)).toBe(18925);
    expect(parseUnits('189.2', 2)).toBe(18920);
    expect(parseUnits('189.250', 2)).toBe(18925);
    expect(parseUnits('189', 2)).toBe(18900);
    expect(parseUnits('189.255', 2)).toBeUndefined();
    for (const bad of ['', '.5', '5.', '-1', '+1', '1e3', ' 1', '0x10', '1,5', 'NaN']) expect(parseUnits(bad, 2)).toBeUndefined();
  });

  it('property: parse(format(x)) == x', () => {
    const prng = new Prng(1);
    for (let i = 0; i < 5000; i++) {
      const p = prng.int(9);
      const x = prng.int(2 ** 31);
      expect(parseUnits(formatUnits(x, p), p)).toBe(x);
    }
  });
});
