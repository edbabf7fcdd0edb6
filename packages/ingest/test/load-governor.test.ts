import { describe, expect, it } from 'vitest';
import { LoadGovernor } from '../src/connection/load-governor.js';
import { SubscriptionTable } from '../src/connection/subscriptions.js';

function setup(rates: number[]) {
  const table = new SubscriptionTable();
  const entries = rates.map((_, i) => table.add(i + 1, `S${i}`, `S${i}`, 0, ['book'], 0));
  const clock = { now: 0, backlog: 0, consumed: 0 };
  const shed: number[] = [];
  const rates_: number[] = [];
  const g = new LoadGovernor(
    { maxBacklogMs: 100, seedBacklogMs: 20, intervalMs: 100, cooldownMs: 1000, maxSeedsPerSecond: 2000, minSeedsPerSecond: 50 },
    {
      backlogMs: () => clock.backlog,
      consumed: () => clock.consumed,
      entries: () => table.entries(),
      shed: (e) => {
        e.shed = true;
        shed.push(e.id);
      },
      seedRate: (r) => rates_.push(r),
      now: () => clock.now,
    },
  );
  /** One period: each instrument receives its rate x 0.1 s of frames, then the governor looks. */
  const period = (consumerTook = true) => {
    clock.now += 100;
    if (consumerTook) clock.consumed += 64;
    rates.forEach((r, i) => {
      (entries[i] as (typeof entries)[number]).frames += r / 10;
    });
    g.tick();
  };
  return { g, clock, shed, period, entries, seedRates: rates_ };
}

describe('load governor', () => {
  it('sheds nothing while the backlog is within its bound', () => {
    const t = setup([500, 300, 100, 50]);
    t.g.tick();
    for (let k = 0; k < 20; k++) {
      t.clock.backlog = 99;
      t.period();
    }
    expect(t.shed).toEqual([]);
    expect(t.g.overloads).toBe(0);
  });

  it('over the bound, sheds the busiest instruments first: a share of the load that grows with the overshoot', () => {
    // 10 instruments: one takes half the load
    const t = setup([1000, 200, 150, 150, 100, 100, 100, 100, 50, 50]);
    t.g.tick();
    t.clock.backlog = 150; // 1.5x the bound: shed 15% of 2000 frames/s = 300
    t.period();
    expect(t.shed).toEqual([]); // one look over the bound may be a pause: wait for a second
    t.period();
    expect(t.shed).toEqual([1]); // the 1000/s instrument alone covers it
    t.clock.backlog = 400; // 4x: shed 40% of the remaining 1000 = 400, once the last cut had time to show
    t.period();
    t.period();
    expect(t.shed).toEqual([1]); // 200 ms after the cut: what it left queued is still draining
    t.period();
    expect(t.shed).toEqual([1, 2, 3, 4]); // 200 + 150 + 150 >= 400, busiest first
    expect(t.g.overloads).toBe(2);
    // after a cut, a backlog that is falling is left to fall
    t.clock.backlog = 300;
    for (let k = 0; k < 5; k++) t.period();
    expect(t.shed).toEqual([1, 2, 3, 4]);
    t.clock.backlog = 390; // not falling any more (> 0.8 x 400) and 500 ms on: cut again
    t.period();
    expect(t.shed.length).toBeGreaterThan(4);
  });

  it('holds re-seeds while behind and for a cool-down after shedding', () => {
    const t = setup([100, 100]);
    t.g.tick();
    t.clock.backlog = 10;
    expect(t.g.seedsAllowed()).toBe(true);
    t.clock.backlog = 30;
    expect(t.g.seedsAllowed()).toBe(false); // live data behind
    t.clock.backlog = 200;
    t.period();
    t.period();
    expect(t.shed.length).toBeGreaterThan(0);
    t.clock.backlog = 0;
    t.clock.now += 500;
    expect(t.g.seedsAllowed()).toBe(false); // cooling down
    t.clock.now += 600;
    expect(t.g.seedsAllowed()).toBe(true);
  });

  it('drops the re-seed rate to its floor at an overload and climbs back a twentieth of the ceiling a second', () => {
    const t = setup([100, 100, 100, 100]);
    t.g.tick();
    expect(t.g.seedRate).toBe(2000);
    t.clock.backlog = 300;
    t.period();
    t.period();
    expect(t.g.seedRate).toBe(50);
    t.clock.backlog = 0;
    for (let k = 0; k < 10; k++) t.period(); // 1 s of keeping up
    expect(t.g.seedRate).toBeCloseTo(150, 5);
    for (let k = 0; k < 300; k++) t.period();
    expect(t.g.seedRate).toBe(2000);
    expect(t.seedRates[0]).toBe(50);
  });

  it('a consumer that took nothing since the last look is stalled or starting, not outpaced: no shedding for it', () => {
    const t = setup([400, 300, 200, 100]);
    t.g.tick();
    t.clock.backlog = 500; // a start-up or a long pause: the queue ages while nothing is taken
    for (let k = 0; k < 10; k++) t.period(false);
    expect(t.shed).toEqual([]);
    expect(t.g.overloads).toBe(0);
    expect(t.g.seedsAllowed()).toBe(false); // seeds still wait for the backlog to clear
    // it runs again but stays behind at two looks in a row: that is overload
    t.period();
    expect(t.shed).toEqual([]);
    t.period();
    expect(t.shed).toEqual([1, 2]);
    // a stall after that neither counts nor clears the looks already seen over the bound
    t.clock.now += 5000;
    t.period(false);
    t.period();
    expect(t.g.overloads).toBe(2);
  });
});
