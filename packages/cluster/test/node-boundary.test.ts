import { connect } from '@nats-io/transport-node';
import { type NatsEdgeSpec, type NatsServer, startNatsServer, streamName } from '@tickline/nats';
import {
  createLogger,
  edgePolicy,
  type Issue,
  Pipeline,
  type PipelineStats,
  placementGroups,
  runtimeSchema,
  type StageName,
} from '@tickline/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ClusterPlan, clusterSchema, planCluster } from '../src/cluster-config.js';
import { crossEdgePartitions, crossEdgeSpec, nodeBoundary } from '../src/node-edges.js';

const fixture = (name: string) => new URL(`../../runtime/test/fixtures/${name}.ts`, import.meta.url).href;
const modules: Record<StageName, string> = {
  ingest: fixture('source-stage'),
  normalize: fixture('pass-stage'),
  book: fixture('pass-stage'),
  signals: fixture('pass-stage'),
  risk: fixture('pass-stage'),
  execution: fixture('sink-stage'),
};
const logger = createLogger('silent');
const sinkOf = (s: PipelineStats) => s.stages.find((x) => x.stage === 'execution')?.core ?? {};

describe("a pipeline split over two nodes at a NATS edge (the workers hold the edge's ends)", () => {
  let nats: NatsServer;
  beforeAll(async () => {
    nats = await startNatsServer();
  });
  afterAll(async () => {
    await nats?.stop();
  });

  /** Runtime settings and a plan of two nodes: A runs ingest -> normalize -> book, C the rest. */
  const twoNodes = (runtimeSection: Record<string, unknown>, cluster: Record<string, unknown>) => {
    const issues: Issue[] = [];
    const runtime = runtimeSchema.parse(runtimeSection, '', issues);
    const all = placementGroups(runtime, issues);
    const section = clusterSchema.parse(
      {
        nats: { url: nats.url },
        nodes: {
          A: { stages: ['ingest', 'normalize', 'book'], shards: 'all' },
          C: { stages: ['signals', 'risk', 'execution'], shards: 'all' },
        },
        ...cluster,
      },
      'cluster',
      issues,
    );
    const plan = planCluster(section, (e) => edgePolicy(runtime, e).policy, 'cluster', issues) as ClusterPlan;
    expect(issues).toEqual([]);
    /** Node A's pipeline (the source fixture configured by `ingest`) or node C's, at the edge `spec`. */
    const start = (node: 'A' | 'C', spec: NatsEdgeSpec, ingest: Record<string, number> = {}) =>
      Pipeline.start({
        config: runtime,
        groups: all.filter((g) => g.stages.every((st) => plan.nodes.get(node)?.stages.includes(st))),
        stageModules: modules,
        stageConfigs: node === 'A' ? { ingest } : {},
        registry: [],
        logger,
        boundary: node === 'A' ? { tail: { edge: 'book->signals', nats: spec } } : { head: { edge: 'book->signals', nats: spec } },
      });
    return { runtime, all, plan, start };
  };

  for (const signalsThreads of [1, 2]) {
    it(`carries every record in per-instrument order, losing none on a block edge (${signalsThreads} consuming partition(s))`, async () => {
      const { runtime, all, plan, start } = twoNodes(
        { threads: { signals: signalsThreads }, rings: { edges: { 'book->signals': { policy: 'block' } } } },
        { name: `split${signalsThreads}` },
      );
      const edge = nodeBoundary(plan, 'C').head;
      expect(edge?.edge).toBe('book->signals');
      expect(nodeBoundary(plan, 'A').tail).toBe(edge);
      expect(edge?.stream).toMatchObject({ discard: 'new', durable: true });
      const { producers, consumers } = crossEdgePartitions(edge as NonNullable<typeof edge>, all);
      expect({ producers, consumers }).toEqual({ producers: 1, consumers: signalsThreads });
      const spec = crossEdgeSpec(plan, edge as NonNullable<typeof edge>, runtime, producers, consumers);
      expect(spec).toMatchObject({ policy: 'block', prefix: `tickline-split${signalsThreads}`, partitions: signalsThreads, maxAgeMs: 0 });
      // the same edge lossy: with no bound of its own it expires perishable records at the freshness bound
      const lossy = {
        ...(edge as NonNullable<typeof edge>),
        stream: { ...(edge as NonNullable<typeof edge>).stream, durable: false, discard: 'old' as const },
      };
      expect(runtime.freshness.maxDataAgeMs).toBeGreaterThan(0);
      expect(crossEdgeSpec(plan, lossy, runtime, producers, consumers)).toMatchObject({
        policy: 'drop-oldest',
        maxAgeMs: runtime.freshness.maxDataAgeMs,
      });
      const bounded = { ...lossy, stream: { ...lossy.stream, maxAgeMs: 400 } };
      expect(crossEdgeSpec(plan, bounded, runtime, producers, consumers).maxAgeMs).toBe(400);
      const count = 3000;
      const ticks = 4;
      const c = await start('C', spec);
      const a = await start('A', spec, { count, ticks, instruments: 32 });
      const t0 = Date.now();
      while (((sinkOf(await c.stats()).ticks as number | undefined) ?? 0) < count * ticks && Date.now() - t0 < 30_000)
        await new Promise((r) => setTimeout(r, 50));
      const fa = await a.stop(1000);
      const fc = await c.stop(1000);
      const sink = sinkOf(fc);
      expect(sink.ticks).toBe(count * ticks);
      expect(sink.outOfOrder).toBe(0);
      expect(sink.priceSum).toBe(count * (4 * 10_000 + 0 + 1 + 2 + 3));
      expect(fa.stages.find((s) => s.stage === 'book')?.emitted).toBe(count);
      // the consuming side's counters: every record taken, none lost
      const ends = c.ringStats().filter((r) => r.name.startsWith('book->signals[nats'));
      expect(ends).toHaveLength(signalsThreads);
      expect(ends.reduce((n, r) => n + r.recordsOut, 0)).toBe(count);
      expect(ends.every((r) => Object.values(r.dropped).every((d) => d === 0))).toBe(true);
    }, 90_000);
  }

  it('a node writing a lossy edge leaves what other nodes wrote in its stream; the reader empties it when it starts', async () => {
    // a minute's bound: nothing expires from the stream during the test
    const { runtime, all, plan, start } = twoNodes({}, { name: 'keep', edges: { 'book->signals': { stream: { maxAgeMs: 60_000 } } } });
    const edge = nodeBoundary(plan, 'C').head as NonNullable<ReturnType<typeof nodeBoundary>['head']>;
    const { producers, consumers } = crossEdgePartitions(edge, all);
    const spec = crossEdgeSpec(plan, edge, runtime, producers, consumers);
    expect(spec).toMatchObject({ policy: 'drop-oldest', maxAgeMs: 60_000 });
    const nc = await connect({ servers: nats.url });
    const inStream = async (): Promise<number> => {
      const r = await nc.request(`$JS.API.STREAM.INFO.${streamName(spec.prefix, spec.edge)}`, '', { timeout: 2000 });
      return (r.json() as { state: { messages: number } }).state.messages;
    };
    const writer = (count: number) => start('A', spec, { count, ticks: 1, instruments: 8 });
    try {
      // one writer's records wait in the stream (no reader runs yet)
      const a1 = await writer(500);
      const t0 = Date.now();
      while ((await inStream()) === 0 && Date.now() - t0 < 20_000) await new Promise((r) => setTimeout(r, 50));
      await a1.stop(1000);
      const kept = await inStream();
      expect(kept).toBeGreaterThan(0);
      // another writer starting (a second shard's node, or the first one restarting) keeps them
      const a2 = await writer(1);
      expect(await inStream()).toBeGreaterThanOrEqual(kept);
      await a2.stop(1000);
      // the reader starting empties it: what waited there is an earlier run's backlog
      const c = await start('C', spec);
      expect(await inStream()).toBe(0);
      await c.stop(1000);
    } finally {
      await nc.close();
    }
  }, 90_000);
});
