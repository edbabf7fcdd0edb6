import { describe, expect, it } from 'vitest';
import { median, summarize } from '../src/index.js';

describe('bench report', () => {
  it('reports median, min and max per metric over runs', () => {
    const r = summarize('x', [{ a: 3 }, { a: 1 }, { a: 2 }, { a: 10 }]);
    expect(r.median.a).toBe(2.5);
    expect(r.min.a).toBe(1);
    expect(r.max.a).toBe(10);
    expect(median([5])).toBe(5);
  });

  it('leaves out runs that measured nothing for a metric (NaN), and says NaN when none did', () => {
    const r = summarize('x', [
      { p50: Number.NaN, n: 0, never: Number.NaN },
      { p50: 200, n: 10, never: Number.NaN },
      { p50: 100, n: 12, never: Number.NaN },
    ]);
    expect(r.median.p50).toBe(150);
    expect(r.min.p50).toBe(100);
    expect(r.max.p50).toBe(200);
    expect(r.min.n).toBe(0);
    expect(Number.isNaN(r.median.never)).toBe(true);
  });
});
