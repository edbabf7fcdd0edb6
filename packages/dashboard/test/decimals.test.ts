import { describe, expect, it } from 'vitest';
import { addDec, dec, signDec, unrealizedDec } from '../src/decimals.js';

describe('figures at the dashboard edge', () => {
  it('takes plain decimal strings as they are and numbers at their shortest form, refusing the rest', () => {
    expect(dec('0.0130')).toBe('0.013');
    expect(dec('-0.00007')).toBe('-0.00007');
    expect(dec(7e-5)).toBe('0.00007');
    expect(dec(12.5)).toBe('12.5');
    expect(dec(1e21)).toBeNull(); // no plain form
    for (const bad of ['x', '1e-5', '', '0x10', Number.NaN, null, {}]) expect(dec(bad)).toBeNull();
  });

  it('adds exactly where doubles would not, and signs and derives unrealized P&L', () => {
    expect(addDec('0.1', '0.2')).toBe('0.3');
    expect(addDec('0.003', '0.01')).toBe('0.013');
    expect(addDec(null, '1')).toBe('1');
    expect(addDec(null, null)).toBeNull();
    expect([signDec('-0.00007'), signDec('0.000'), signDec('5'), signDec(null)]).toEqual([-1, 0, 1, 0]);
    // (3000.1 - 3000.05) x -0.013 = -0.00065
    expect(unrealizedDec('3000.1', '3000.05', '-0.013', 8)).toBe('-0.00065');
    // rounded half to even at the scale
    expect(unrealizedDec('1.005', '1', '1', 2)).toBe('0');
    expect(unrealizedDec('1.015', '1', '1', 2)).toBe('0.02');
  });
});
