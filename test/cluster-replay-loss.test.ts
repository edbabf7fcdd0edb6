/**
 * A cluster replay that loses records on the way (issue 14): node C, the consumer of the lossy
 * book -> signals edge, is frozen (SIGSTOP) while A and B replay their shards into a stream that
 * keeps only its newest few messages (`discard: old`), so most views are discarded before C can
 * take them. Once C runs again it must take what is left, count the rest as lost, and end on its
 * own a few seconds after the last record came (saying how many it is short) rather than wait for
 * ever for records that no longer exist.
 */

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type NatsServer, startNatsServer } from '@tickline/nats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { threeNodeCluster } from './cluster-plan.js';
import { recordSim } from './sim-recording.js';
import { TicklineProcess } from './tickline-process.js';

const dir = mkdtempSync(join(tmpdir(), 'tkl-replay-loss-'));
let nats: NatsServer;
const nodes: TicklineProcess[] = [];

beforeAll(async () => {
  nats = await startNatsServer();
});
afterAll(async () => {
  for (const n of nodes) {
    if (n.child.exitCode === null) n.child.kill('SIGCONT');
    if (n.child.exitCode === null) await n.stop('SIGKILL');
  }
  await nats?.stop();
  rmSync(dir, { recursive: true, force: true });
});

interface Summary {
  replay: { complete: boolean };
  stages: Record<string, { emitted: number }>;
  node?: { edges: { edge: string; side: string; moved: number; lost: number; lostAtEnd?: number }[] };
}

const edgeOf = (s: Summary, side: 'in' | 'out') => s.node?.edges.find((e) => e.side === side && e.edge === 'book->signals');

describe('cluster replay with records lost between nodes', () => {
  it('the consuming node counts the loss and ends on its own, short by exactly what was lost', async () => {
    const file = join(dir, 'sim.tkr');
    await recordSim(file, 40, 3);
    const config = join(dir, 'cluster.json');
    writeFileSync(
      config,
      JSON.stringify({
        cluster: threeNodeCluster('losstest', nats.url, {
          heartbeatMs: 200,
          // C is frozen for longer than this: its peers must not give up on it
          peerTimeoutMs: 60_000,
          edges: { 'book->signals': { stream: { maxMsgs: 4, discard: 'old' } } },
        }),
        venue: { name: 'sim' },
        log: { level: 'info' },
        freshness: { maxDataAgeMs: 0 },
        stateDir: join(dir, 'state'),
      }),
    );
    const args = (name: string) => [
      'replay',
      file,
      '--config',
      config,
      '--node',
      name,
      '--speed',
      name === 'C' ? 'max' : '1',
      '--json',
      '--log-format',
      'json',
    ];
    const [c, a, b] = ['C', 'A', 'B'].map((n) => new TicklineProcess(args(n))) as [TicklineProcess, TicklineProcess, TicklineProcess];
    nodes.push(c, a, b);
    // A and B begin replaying (in recorded time, 3 s) once C runs: its edge open, the stream
    // emptied of an earlier run's backlog. C is stopped right then, so nearly all of what A and B
    // replay goes into a stream that keeps its newest 4 messages while C reads nothing.
    await c.waitFor(/cross-node edges open/);
    c.child.kill('SIGSTOP');
    const codes = await Promise.all([a.exited, b.exited]);
    expect(codes, `A: ${a.stderr.slice(-2000)}\nB: ${b.stderr.slice(-2000)}`).toEqual([0, 0]);
    const t0 = performance.now();
    c.child.kill('SIGCONT');
    const code = await c.exited;
    const endedMs = performance.now() - t0;
    expect(code, c.stderr.slice(-3000)).toBe(0);

    const [sa, sb, sc] = [a, b, c].map((p) => JSON.parse(p.stdout.trim().split('\n').at(-1) as string) as Summary) as [
      Summary,
      Summary,
      Summary,
    ];
    const sent = (edgeOf(sa, 'out')?.moved ?? 0) + (edgeOf(sb, 'out')?.moved ?? 0);
    expect(sent).toBe((sa.stages.book?.emitted ?? 0) + (sb.stages.book?.emitted ?? 0));
    const into = edgeOf(sc, 'in');
    const took = into?.moved ?? Number.NaN;
    const lost = into?.lost ?? Number.NaN;
    const atEnd = into?.lostAtEnd ?? Number.NaN;
    // C took the 4 messages the stream kept (64 records each at most) and what came in the moment
    // before it stopped: a small part
    expect(took).toBeGreaterThan(0);
    expect(took).toBeLessThan(sent / 4);
    // every record is taken or counted lost: as holes where a later record of its producer came,
    // at the end where none did
    expect(took + lost).toBe(sent);
    expect(atEnd).toBeGreaterThanOrEqual(0);
    expect(lost - atEnd, 'records found lost as holes').toBeGreaterThan(0);
    expect(c.stderr).toMatch(
      new RegExp(
        `replay ends ${sent - took} record\\(s\\) short of what the peers sent: \\d+ found lost on the way \\(holes\\), \\d+ lost at the end`,
      ),
    );
    // it ended by itself, after its quiet period (3 s) and the replay's shutdown, not waiting for ever
    expect(endedMs).toBeGreaterThan(3000);
    expect(endedMs).toBeLessThan(30_000);
  }, 120_000);
});
