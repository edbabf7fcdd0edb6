/**
 * `tickline chaos` as a user runs it: the flags are validated, and a short run of the fault matrix
 * (--seconds 1: fewer drops and frames, shorter windows) passes every fault with the figures that
 * show it. The full run and its figures: docs/reliability.md.
 */

import { describe, expect, it } from 'vitest';
import { TicklineProcess } from './tickline-process.js';

interface Result {
  name: string;
  pass: boolean;
  failures: string[];
  [k: string]: unknown;
}

describe('tickline chaos', () => {
  it('refuses unknown fault names, listing the allowed ones, and a --seconds out of range', async () => {
    const bad = new TicklineProcess(['chaos', '--only', 'disconnects,floods', '--json']);
    expect(await bad.exited).toBe(2);
    expect(bad.stderr).toMatch(/--only must list distinct names among disconnects, gaps, malformed/);
    expect(bad.stderr).toContain('"disconnects,floods"');
    const long = new TicklineProcess(['chaos', '--seconds', '0']);
    expect(await long.exited).toBe(2);
    expect(long.stderr).toMatch(/--seconds must be an integer from 1 to 3600, got "0"/);
  });

  it('passes every fault in a short run, with the figures each one reports', { timeout: 300_000 }, async () => {
    // all but overload (the overload benchmark's own run, whose warm-up alone takes up to 30 s);
    // disk needs root to mount its tmpfs
    const root = process.getuid?.() === 0;
    const only = `disconnects,gaps,malformed,stall,heartbeat,sigkill,worker-crash,api-fuzz${root ? ',disk' : ''}`;
    const p = new TicklineProcess(['chaos', '--seconds', '1', '--only', only, '--json'], 290_000);
    const code = await p.exited;
    const { results } = JSON.parse(p.stdout) as { results: Result[] };
    const by = Object.fromEntries(results.map((r) => [r.name, r]));
    for (const r of results) expect(r.failures, r.name).toEqual([]);
    expect(code).toBe(0);
    const d = by.disconnects as Result;
    expect(d.recoveries).toBe(d.drops);
    expect(d.ordersWhileFeedDown).toBe(0);
    expect(d.haltsLeavingVenueOrdersOpen).toBe(0);
    expect(d.duplicatedSubscriptions).toBe(0);
    const g = by.gaps as Result;
    expect((g.injectedSkip as number) + (g.injectedDuplicate as number) + (g.injectedReorder as number)).toBeGreaterThan(0);
    expect(g.booksDiffering).toBe(0);
    expect(g.intentsOnNonLiveBooks).toBe(0);
    const m = by.malformed as Result;
    expect(m.crashes).toBe(0);
    expect(m.unaccounted).toBe(0);
    expect(by.stall?.resubscribes).toBeGreaterThan(0);
    expect(by.heartbeat?.heartbeatTimeouts).toBeGreaterThan(0);
    const k = by.sigkill as Result;
    expect(k.fillsAtKill).toBeGreaterThan(0);
    expect([k.fillsLost, k.positionMismatches, k.openOrderMismatches, k.duplicateClientIds]).toEqual([0, 0, 0, 0]);
    const w = by['worker-crash'] as Result;
    expect(w.restarts).toBeGreaterThanOrEqual(6);
    expect(w.fillsLost).toBe(0);
    const a = by['api-fuzz'] as Result;
    expect(a.answered4xx).toBe(a.requests);
    expect([a.crashes, a.stateChanges]).toEqual([0, 0]);
    if (root) {
      const k2 = by.disk as Result;
      expect(k2.ordersSentAfterHalt).toBe(0);
      expect(k2.fillsLost).toBe(0);
      expect(String(k2.error)).toContain('SQLITE_FULL');
    }
  });
});
