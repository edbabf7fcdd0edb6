/**
 * Determinism (issue 14): a recording of the embedded exchange replayed through one process and
 * through the three-node cluster (A, B: ingest -> normalize -> book for one shard each; C:
 * signals -> risk -> execution for both, fed over a real nats-server) gives the same sequence of
 * order intents per instrument, read from signals' intent log (`signals.intentLog`).
 *
 * Both runs are lossless, and the test checks it so that a pass means something: the replays hold
 * back on full rings (flow control), the JetStream edge between nodes holds far more than the
 * whole file, the freshness bound is off (the file keeps its recorded times, so nothing expires),
 * and every stage and cross-node edge reports zero drops; signals takes exactly the records book
 * emitted (one process: its own book; the cluster: A's and B's together), and C ends only once it
 * took as many records from the edge as A and B handed to it.
 * The views must not depend on timing either: book publishes one per change (no conflation by
 * input batch). The strategies decide on each instrument's own data only: no cooldown (a
 * wall-clock gap), no intent rate cap, no time bars, nothing fed by fills.
 */

import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, replay } from '@tickline/cli';
import { shardOf } from '@tickline/cluster';
import { type NatsServer, startNatsServer } from '@tickline/nats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captured } from './capture-output.js';
import { threeNodeCluster } from './cluster-plan.js';
import { recordSim } from './sim-recording.js';
import { TicklineProcess } from './tickline-process.js';

const dir = mkdtempSync(join(tmpdir(), 'tkl-determinism-'));
let nats: NatsServer;
const nodes: TicklineProcess[] = [];

beforeAll(async () => {
  nats = await startNatsServer();
});
afterAll(async () => {
  for (const n of nodes) if (n.child.exitCode === null) await n.stop('SIGKILL');
  await nats?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Settings both runs share: lossless, no wall-clock gate in the strategies' decisions. */
function shared(intentLog: string): Record<string, unknown> {
  return {
    venue: { name: 'sim' },
    log: { level: 'warn' },
    fuse: ['ingest+normalize+book', 'signals+risk+execution'],
    freshness: { maxDataAgeMs: 0 },
    // a view per book change: conflating the changes of one input batch would make the views
    // depend on how the records were batched, i.e. on timing
    book: { conflateViews: false },
    signals: {
      maxIntentsPerSecond: 1_000_000,
      intentLog,
      strategies: [
        { id: 'imb', type: 'imbalance', params: { threshold: 0.3, cooldownMs: 0, maxSpreadBps: 10_000 } },
        { id: 'rev', type: 'spread-reversion', params: { minSamples: 10, entryMultiple: 1.2, cooldownMs: 0 } },
        {
          id: 'trend',
          type: 'tick-trend',
          params: { ticksPerBar: 5, fastBars: 2, slowBars: 4, minTrendBps: 0, maxSpreadBps: 10_000, cooldownMs: 0, allowShort: true },
        },
      ],
    },
  };
}

interface Intent {
  instrument: string;
  strategy: string;
  side: string;
  type: string;
  tif: string;
  price: number;
  size: number;
  reason: string;
  data: string;
}

/** Every intent of a run's log files, by instrument, in the order signals made them. */
function intentsByInstrument(logDir: string): Map<string, string[]> {
  const by = new Map<string, string[]>();
  for (const f of readdirSync(logDir).filter((n) => n.startsWith('intents-'))) {
    for (const line of readFileSync(join(logDir, f), 'utf8').split('\n')) {
      if (line === '') continue;
      const i = JSON.parse(line) as Intent;
      // what the intent is and the data it was made on (intentId and createdMs are wall clock)
      const key = [i.strategy, i.side, i.type, i.tif, i.price, i.size, i.reason, i.data].join(' ');
      by.set(i.instrument, [...(by.get(i.instrument) ?? []), key]);
    }
  }
  return by;
}

type Stages = Record<string, { processed: number; emitted: number; dropped: Record<string, number>; core: Record<string, number> }>;
interface Summary {
  stages: Stages;
  restarts: number;
  replay: { complete: boolean; frames: number };
  node?: { edges: { edge: string; side: string; moved: number; lost: number }[] };
}

const total = (m: Map<string, string[]>) => [...m.values()].reduce((a, l) => a + l.length, 0);

describe('determinism: one process and the three-node cluster', () => {
  it('make the same order intents per instrument from one recording, with nothing dropped', async () => {
    const file = join(dir, 'sim.tkr');
    await recordSim(file, 40, 2);

    // one process
    const oneDir = join(dir, 'one');
    const one = await captured(() =>
      replay(loadConfig({ ...shared(join(oneDir, 'intents-{partition}.jsonl')), stateDir: join(oneDir, 'state') }, {}, 'test'), {
        file,
        speed: 'max',
        json: true,
      }),
    );
    expect(one.code, one.err).toBe(0);
    const single = JSON.parse(one.out) as Summary;
    expect(single.replay.complete).toBe(true);
    expect(single.restarts).toBe(0);
    for (const [stage, s] of Object.entries(single.stages)) expect(s.dropped, stage).toEqual({});
    expect(single.stages.signals?.processed).toBe(single.stages.book?.emitted);

    // three nodes, real processes, on the nats-server
    const clusterDir = join(dir, 'cluster');
    mkdirSync(clusterDir);
    const config = join(clusterDir, 'cluster.json');
    writeFileSync(
      config,
      JSON.stringify({
        cluster: threeNodeCluster('dettest', nats.url, {
          heartbeatMs: 200,
          peerTimeoutMs: 5000,
          // far more than the file's views (a few thousand): nothing is discarded
          edges: { 'book->signals': { stream: { maxMsgs: 1_000_000, maxBytes: 64 * 1024 * 1024 } } },
        }),
        ...shared(join(clusterDir, 'intents-{partition}.jsonl')),
        stateDir: join(clusterDir, 'state'),
      }),
    );
    for (const name of ['A', 'B', 'C'])
      nodes.push(
        new TicklineProcess(['replay', file, '--config', config, '--node', name, '--speed', 'max', '--json', '--log-format', 'json']),
      );
    const codes = await Promise.all(nodes.map((n) => n.exited));
    const [a, b, c] = nodes.map((n, i) => {
      expect(codes[i], `node ${'ABC'[i]}: ${n.stderr.slice(-3000)}`).toBe(0);
      return JSON.parse(n.stdout.trim().split('\n').at(-1) as string) as Summary;
    }) as [Summary, Summary, Summary];

    // lossless: nothing dropped anywhere, C took every record A and B handed to the edge
    for (const [name, s] of [
      ['A', a],
      ['B', b],
      ['C', c],
    ] as const) {
      expect(s.restarts, name).toBe(0);
      expect(s.replay.complete, name).toBe(true);
      for (const [stage, st] of Object.entries(s.stages)) expect(st.dropped, `${name} ${stage}`).toEqual({});
      for (const e of s.node?.edges ?? []) expect(e.lost, `${name} ${e.side} ${e.edge}`).toBe(0);
    }
    const out = (s: Summary) => s.node?.edges.find((e) => e.side === 'out')?.moved ?? Number.NaN;
    expect(out(a)).toBe(a.stages.book?.emitted);
    expect(c.node?.edges.find((e) => e.side === 'in')?.moved).toBe(out(a) + out(b));
    expect(c.stages.signals?.processed).toBe((a.stages.book?.emitted ?? 0) + (b.stages.book?.emitted ?? 0));
    // the two shards split the file's records between them, none twice, none missing
    expect((a.stages.normalize?.emitted ?? 0) + (b.stages.normalize?.emitted ?? 0)).toBe(single.stages.normalize?.emitted);
    expect((a.stages.book?.emitted ?? 0) + (b.stages.book?.emitted ?? 0)).toBe(single.stages.book?.emitted);

    // the same intents, per instrument, in the same order
    const ones = intentsByInstrument(oneDir);
    const cluster = intentsByInstrument(clusterDir);
    expect(total(ones)).toBe(single.stages.signals?.core.intents);
    expect(total(cluster)).toBe(c.stages.signals?.core.intents);
    const onShard = (shard: number) =>
      [...ones].filter(([instrument]) => shardOf(instrument, 2) === shard).reduce((n, [, list]) => n + list.length, 0);
    expect(onShard(0), 'intents on shard 0 (node A) instruments').toBeGreaterThan(0);
    expect(onShard(1), 'intents on shard 1 (node B) instruments').toBeGreaterThan(0);
    const instruments = [...new Set([...ones.keys(), ...cluster.keys()])].sort();
    for (const i of instruments) expect(cluster.get(i) ?? [], i).toEqual(ones.get(i) ?? []);
    expect(total(cluster)).toBe(total(ones));
  }, 120_000);
});
