import { describe, expect, it } from 'vitest';
import { SeedPacer } from '../src/connection/seed-pacer.js';

function pacer(perSecond: number, burst: number) {
  const clock = { now: 0 };
  const open = { gate: true };
  const ran: number[] = [];
  const p = new SeedPacer({ perSecond, burst, gate: () => open.gate, now: () => clock.now, retryMs: 1_000_000 });
  const add = (key: number) => p.enqueue(key, () => ran.push(key));
  return { p, clock, open, ran, add };
}

describe('seed pacer', () => {
  it('validates its options, naming the one at fault', () => {
    expect(() => new SeedPacer({ perSecond: 0, burst: 1, gate: () => true })).toThrow(/options.perSecond/);
    expect(() => new SeedPacer({ perSecond: 1, burst: 0.5, gate: () => true })).toThrow(/options.burst/);
    expect(() => new SeedPacer({ perSecond: 1, burst: 1, gate: null as never })).toThrow(/options.gate/);
  });

  it('releases a burst, then at most perSecond, in the order asked', () => {
    const t = pacer(100, 10);
    for (let k = 0; k < 1000; k++) t.add(k);
    expect(t.ran).toHaveLength(10); // the burst
    for (let ms = 10; ms <= 5000; ms += 10) {
      t.clock.now = ms;
      t.p.pump();
      // never ahead of the budget: burst + rate x elapsed
      expect(t.ran.length).toBeLessThanOrEqual(10 + Math.floor(ms / 10));
    }
    expect(t.ran.length).toBe(510);
    expect(t.ran).toEqual([...Array(510).keys()]);
    t.p.stop();
  });

  it('asks once per key: a second request replaces the waiting one and keeps its place', () => {
    const t = pacer(100, 1);
    t.add(1); // released at once (burst of 1)
    t.add(2);
    t.add(3);
    let second = 0;
    t.p.enqueue(2, () => second++);
    expect(t.p.queued).toBe(2);
    t.clock.now = 10;
    t.p.pump();
    expect(second).toBe(1);
    expect(t.ran).toEqual([1]);
    t.p.cancel(3);
    t.clock.now = 1000;
    t.p.pump();
    expect(t.ran).toEqual([1]);
    expect(t.p.queued).toBe(0);
  });

  it('holds every seed while the gate is shut (live data behind), then goes on at the paced rate', () => {
    const t = pacer(100, 5);
    t.open.gate = false;
    for (let k = 0; k < 50; k++) t.add(k);
    t.clock.now = 2000;
    t.p.pump();
    expect(t.ran).toEqual([]);
    expect(t.p.gated).toBeGreaterThan(0);
    t.open.gate = true;
    t.p.pump();
    expect(t.ran).toHaveLength(5); // tokens capped at the burst, not accumulated while shut
    t.p.stop();
  });
});
