/**
 * `tickline chaos` as a user runs it: the flags are validated, and a short run of the whole fault
 * matrix (--seconds 2: fewer drops and frames, shorter windows) passes every fault with the figures
 * that show it. The full run and its figures: docs/reliability.md.
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

  it('passes every fault in a short run, with the figures each one reports', { timeout: 240_000 }, async () => {
    const only = 'disconnects,gaps,malformed,stall,heartbeat,sigkill,worker-crash';
    const p = new TicklineProcess(['chaos', '--seconds', '1', '--only', only, '--json'], 230_000);
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
  });
});
