import { edgePolicy, type EdgeName, type Issue, runtimeSchema } from '@tickline/runtime';
import { describe, expect, it } from 'vitest';
import { type ClusterPlan, clusterSchema, planCluster } from '../src/cluster-config.js';
import { ClusterView, type NodeStats } from '../src/cluster-view.js';
import type { Heartbeat } from '../src/presence.js';

const runtime = runtimeSchema.parse({}, '', []);

function plan(): ClusterPlan {
  const issues: Issue[] = [];
  const section = clusterSchema.parse(
    {
      name: 'view',
      shards: { count: 2 },
      nodes: {
        A: { stages: ['ingest', 'normalize', 'book'], shards: [0] },
        B: { stages: ['ingest', 'normalize', 'book'], shards: [1] },
        C: { stages: ['signals', 'risk', 'execution'], shards: 'all' },
      },
    },
    'cluster',
    issues,
  );
  const p = planCluster(section, (e: EdgeName) => edgePolicy(runtime, e).policy, 'cluster', issues);
  expect(issues).toEqual([]);
  return p as ClusterPlan;
}

const hb = (node: string, phase: Heartbeat['phase']): Heartbeat => ({
  node,
  pid: 1,
  stages: [],
  shards: [],
  startedAtMs: 0,
  registry: 'r',
  phase,
});

const stats = (node: string, lagMs: number | null): NodeStats => ({
  node,
  pid: 1,
  atMs: Date.now(),
  stages: [],
  shards: [],
  restarts: 0,
  records: { book: { processed: 5, emitted: 5, dropped: 0 } },
  lagP99Ms: {},
  lagMs,
  natsReconnects: 0,
  edges: [],
});

describe('cluster view', () => {
  it('shows every node of the plan with its health: unknown before a heartbeat, starting, ok, degraded by lag, down when silent', () => {
    const v = new ClusterView(plan(), 'C');
    const by = () => Object.fromEntries(v.snapshot().nodes.map((n) => [n.name, n]));
    expect(by().A?.health).toBe('unknown');
    expect(by().C).toMatchObject({ self: true, up: true, health: 'starting', stages: ['signals', 'risk', 'execution'], shards: [0, 1] });
    v.peer('A', true, hb('A', 'starting'));
    expect(by().A?.health).toBe('starting');
    v.peer('A', true, hb('A', 'running'));
    v.update('A', stats('A', 3));
    expect(by().A?.health).toBe('ok');
    v.update('A', stats('A', 900));
    expect(by().A?.health).toBe('degraded');
    v.peer('A', false, hb('A', 'running'));
    expect(by().A).toMatchObject({ up: false, health: 'down' });
    expect(v.snapshot()).toMatchObject({ cluster: 'view', node: 'C', riskOwner: 'C', shards: 2 });
  });

  it("refuses stats that are not a known node's, counting them", () => {
    const v = new ClusterView(plan(), 'C');
    v.update('Z', stats('Z', 1));
    v.update('A', stats('B', 1));
    v.update('A', { node: 'A' });
    expect(v.rejected).toBe(3);
    expect(v.snapshot().nodes.every((n) => n.stats === null)).toBe(true);
  });
});
