import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadClusterConfig } from '../src/cluster-config.js';
import { ConfigError, readConfigFile } from '../src/config.js';

const EXAMPLE = fileURLToPath(new URL('../../cluster/examples/cluster.yaml', import.meta.url));
const VENUE = { name: 'sim', url: 'ws://127.0.0.1:9000/v1/stream', restUrl: 'http://127.0.0.1:9000' };

function issuesOf(raw: unknown, node: string | null = 'A'): string[] {
  try {
    loadClusterConfig(raw, node ?? undefined, {}, 'test');
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).issues.map((i) => `${i.path}: ${i.message}`);
  }
  return [];
}

describe('cluster config', () => {
  it('the example loads for each of its nodes: stages, shards, dashboard port and state directory per node', () => {
    const raw = readConfigFile(EXAMPLE);
    const a = loadClusterConfig(raw, 'A', {}, EXAMPLE);
    expect(a.groups.map((g) => g.name)).toEqual(['ingest+normalize+book']);
    expect(a.node.shards).toEqual([0]);
    expect(a.config.http.port).toBe(8081);
    expect(a.config.stateDir).toBe('.tickline-cluster/A');
    const c = loadClusterConfig(raw, 'C', {}, EXAMPLE);
    expect(c.groups.map((g) => g.name)).toEqual(['signals+risk+execution']);
    expect(c.node.shards).toEqual([0, 1]);
    expect(c.plan.riskOwner).toBe('C');
    // book -> signals crosses nodes for both shards; its stream follows the ring's drop-oldest
    expect(c.plan.crossEdges.map((e) => e.edge)).toEqual(['book->signals']);
    expect(c.plan.crossEdges[0]?.routes).toEqual([
      { shard: 0, from: 'A', to: 'C' },
      { shard: 1, from: 'B', to: 'C' },
    ]);
    expect(c.plan.crossEdges[0]?.stream).toMatchObject({ discard: 'old', durable: false });
    expect(c.plan.owner('ingest', 1)).toBe('B');
  });

  it('lists every violation of the whole file at once, before any node starts', () => {
    const issues = issuesOf({
      threads: { book: 0 },
      venue: { name: 'sim' },
      rings: { edges: { 'book->signals': { policy: 'block' } } },
      cluster: {
        shards: { count: 2, pin: { 0: ['sim:AAA', 'sim:BBB'], 1: ['sim:AAA'], 5: ['sim:CCC'] } },
        dashboard: 'D',
        nodes: {
          A: { stages: ['ingest', 'normalize', 'book'], shards: [0, 2] },
          B: { stages: ['ingest', 'book'], shards: [0] },
          C: { stages: ['signals', 'risk'], shards: [0] },
          E: { stages: ['signals', 'risk', 'execution'], shards: [1] },
        },
        edges: { 'book->signals': { stream: { discard: 'old' } } },
      },
    });
    const expected = [
      'threads.book: must be an integer from 1 to 64, got 0',
      'cluster.shards.pin.5: names shard 5, but shards.count is 2 (shards 0 to 1): 1 instrument(s) would be in no shard',
      'cluster.shards.pin: pins sim:AAA to shards 0 and 1: an instrument must be in exactly one shard',
      'cluster.dashboard: names unknown node "D" (nodes: A, B, C, E)',
      'cluster.nodes.A.shards: names shard 2, but shards.count is 2 (shards 0 to 1)',
      'cluster.nodes.B.stages: must list adjacent stages in pipeline order (ingest -> normalize -> book -> signals -> risk -> execution), got ingest, book',
      'cluster.nodes: stage ingest of shard 0 is run by 2 nodes (A, B): its instruments would be processed twice',
      'cluster.nodes: stage ingest is run by no node for shard 1',
      'cluster.nodes: stage normalize is run by no node for shard 1',
      'cluster.nodes: stage book of shard 0 is run by 2 nodes (A, B): its instruments would be processed twice',
      'cluster.nodes: stage book is run by no node for shard 1',
      'cluster.nodes: stage execution is run by no node for shard 0',
      'cluster.nodes: stage risk must be run by one node for every shard (portfolio limits have one owner, docs/cluster.md), got C, E',
      'cluster.edges.book->signals.stream: is lossy (discard: old) but book->signals has policy block (must lose nothing): use discard: new, maxAgeMs: 0, durable: true, or another rings.edges.book->signals.policy',
      'venue.url: is required in a cluster config with venue.restUrl (every node trades on one venue: start the embedded exchange with `tickline sim` and give its URLs)',
    ];
    for (const e of expected) expect(issues).toContain(e);
    expect(issues).toHaveLength(expected.length);
  });

  it('a replay (`tickline replay FILE --node A`) needs no venue URL: the file is the market', () => {
    const raw = readConfigFile(EXAMPLE) as Record<string, unknown>;
    const noUrl = { ...raw, venue: { name: 'sim' } };
    expect(() => loadClusterConfig(noUrl, 'A', {}, 'test')).toThrow(/venue\.url: is required in a cluster config/);
    expect(loadClusterConfig(noUrl, 'A', {}, 'test', { replay: true }).node.name).toBe('A');
    // everything else is checked as for a run
    expect(() => loadClusterConfig(noUrl, 'Z', {}, 'test', { replay: true })).toThrow(/--node: names unknown node "Z"/);
  });

  it('refuses a missing or unknown --node, naming the nodes', () => {
    const raw = readConfigFile(EXAMPLE);
    expect(issuesOf(raw, null)).toEqual(['--node: is required with a cluster config (nodes: A, B, C)']);
    expect(issuesOf(raw, 'Z')).toEqual(['--node: names unknown node "Z" (nodes: A, B, C)']);
  });

  it('refuses unknown keys and bad values in the cluster section, and a fused group split over nodes', () => {
    const issues = issuesOf({
      venue: VENUE,
      fuse: ['book+signals'],
      cluster: {
        nats: { url: 'http://x' },
        colour: 'red',
        shards: { count: 0 },
        nodes: {
          A: { stages: ['ingest', 'normalize', 'book'], shards: 'some' },
          'bad name': { stages: [] },
          B: { stages: ['signals', 'risk', 'execution'], shards: 'all' },
        },
        edges: { 'execution->risk': { stream: { durable: false, maxAgeMs: 1000 } } },
      },
    });
    expect(issues).toEqual(
      expect.arrayContaining([
        'cluster.colour: is not a known setting (allowed here: name, nats, shards, heartbeatMs, peerTimeoutMs, startTimeoutMs, dashboard, nodes, edges)',
        'cluster.nats.url: must be a nats:// or tls:// URL, got "http://x"',
        'cluster.shards.count: must be an integer from 1 to 1024, got 0',
        'cluster.nodes.A.shards: must be "all" or a list of shard indexes, got "some"',
        'cluster.nodes.bad name: is not a valid key: must be 1 to 32 letters, digits, "_" or "-"',
        'cluster.edges.execution->risk.stream: is lossy (maxAgeMs: 1000, durable: false) but execution->risk has policy block (must lose nothing): use discard: new, maxAgeMs: 0, durable: true, or another rings.edges.execution->risk.policy',
      ]),
    );
  });

  it('a valid split fused group is caught only when the rest is valid; the plan is built otherwise', () => {
    const ok = {
      venue: VENUE,
      fuse: ['book+signals'],
      cluster: {
        nodes: {
          A: { stages: ['ingest', 'normalize', 'book'], shards: 'all' },
          B: { stages: ['signals', 'risk', 'execution'], shards: 'all' },
        },
      },
    };
    expect(issuesOf(ok)).toEqual(['fuse: fuses book+signals, but node A runs only book of it: a fused group must run on one node']);
    expect(issuesOf({ ...ok, fuse: [] })).toEqual([]);
  });
});
