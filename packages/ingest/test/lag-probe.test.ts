import { describe, expect, it } from 'vitest';
import { LagProbe } from '../src/connection/lag-probe.js';

describe('lag probe', () => {
  it('measures the round trip above the fastest one, and a probe out as a lower bound that grows', () => {
    const p = new LagProbe(10_000, 100);
    expect(p.lagMs(0)).toBe(0);
    let ping = p.start(0);
    expect(p.answer(ping, 2)).toBe(true); // baseline: 2 ms
    expect(p.lagMs(2)).toBe(0);
    ping = p.start(100);
    expect(p.lagMs(130)).toBe(28); // out for 30 ms: at least 28 above the baseline
    expect(p.lagMs(400)).toBe(298);
    expect(p.answer(ping, 452)).toBe(true);
    expect(p.lagMs(460)).toBe(350); // what the answer found stands until the next probe says otherwise
    ping = p.start(500);
    expect(p.lagMs(501)).toBe(350);
    expect(p.answer(ping, 503)).toBe(true);
    expect(p.lagMs(503)).toBe(0); // 1 ms above the baseline is within the path's jitter (4 x 0.25 ms)
    expect(p.sent).toBe(3);
    expect(p.answered).toBe(3);
  });

  it('takes only its own pongs: heartbeat pongs, stale probes and foreign payloads are ignored', () => {
    const p = new LagProbe(10_000, 100);
    const first = p.start(0);
    expect(p.answer(Buffer.alloc(0), 1)).toBe(false); // a heartbeat ping's empty pong
    expect(p.answer(Buffer.from('tkl\u0000abcd', 'latin1'), 1)).toBe(false);
    expect(p.answer(first, 1)).toBe(true);
    const second = p.start(10);
    expect(p.answer(first, 11)).toBe(false); // an old probe's payload
    expect(p.answer(second, 12)).toBe(true);
  });

  it('a venue that never answers is not taken as one that is behind; a probe out too long is given up', () => {
    const p = new LagProbe(1000, 100);
    p.start(0);
    expect(p.lagMs(500)).toBe(0); // no baseline yet
    expect(p.lagMs(1500)).toBe(0);
    expect(p.expired).toBe(1);
    expect(p.outstanding).toBe(false);
    p.answer(p.start(2000), 2001);
    p.start(3000);
    expect(p.lagMs(3500)).toBe(499);
    expect(p.lagMs(4500)).toBe(0); // 1.5 s unanswered: lost, not a backlog
    expect(p.expired).toBe(2);
    p.reset();
    expect(p.lagMs(5000)).toBe(0);
  });

  it("allows for the path's jitter, learnt only from answers that found no backlog", () => {
    const p = new LagProbe(10_000, 100);
    // an internet path: 40 ms, varying by about 10 ms with nothing queued
    let t = 0;
    for (const rtt of [40, 52, 41, 35, 48, 38, 50, 44, 36, 47]) {
      p.answer(p.start(t), t + rtt);
      t += 1000;
    }
    expect(p.jitterMs).toBeGreaterThan(15);
    expect(p.jitterMs).toBeLessThan(40);
    expect(p.lagMs(t)).toBe(0); // a round trip 12 ms above the fastest is jitter, not backlog
    // a backlog of 300 ms: seen, less the allowance, and it does not widen the allowance
    const jitter = p.jitterMs;
    p.answer(p.start(t), t + 335);
    expect(p.lagMs(t + 335)).toBeCloseTo(300 - jitter, 6);
    expect(p.jitterMs).toBe(jitter);
  });
});
