import { type NatsServer, startNatsServer } from '@tickline/nats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Issue, type Pipeline, type PipelineStats, placementGroups, runtimeSchema, STAGES } from '../src/index.js';
import { config, runUntil, startFixtures } from './pipeline-fixtures.js';

let server: NatsServer;
beforeAll(async () => {
  server = await startNatsServer();
});
afterAll(async () => {
  await server?.stop();
});

// Nothing may be lost anywhere, however loaded the machine: normalize->book blocks for at most
// 1 s before it drops, so its rings hold the whole run.
const lossless = {
  'ingest->normalize': { policy: 'block' },
  'normalize->book': { policy: 'block', capacityBytes: 1 << 22 },
  'signals->risk': { policy: 'block', maxAgeMs: 0 },
  'risk->execution': { policy: 'block', maxAgeMs: 0 },
};

async function run(
  raw: Record<string, unknown>,
  count: number,
  ticks: number,
  prefix: string,
): Promise<{ final: PipelineStats; rings: ReturnType<Pipeline['ringStats']> }> {
  const { cfg, groups } = config({ ...raw, nats: { url: server.url, prefix } });
  const p = await startFixtures(cfg, groups, { count, ticks, instruments: 64 });
  await runUntil(p, count * ticks, 90_000);
  const rings = p.ringStats();
  const final = await p.stop(10_000);
  return { final, rings };
}

const summary = (s: PipelineStats) => ({
  processed: Object.fromEntries(STAGES.slice(1).map((st) => [st, s.stages.find((x) => x.stage === st)?.processed])),
  sink: s.stages.find((x) => x.stage === 'execution')?.core,
});

describe('pipeline with an edge on NATS JetStream (real nats-server)', () => {
  const count = 5000;
  const ticks = 4;

  for (const [label, threads] of [
    ['one thread per stage', {}],
    ['2 book -> 3 signals partitions', { book: 2, signals: 3 }],
  ] as const) {
    it(`book->signals on NATS carries the same records as on rings: ${label}`, async () => {
      const ring = await run(
        { threads, rings: { edges: { ...lossless, 'book->signals': { policy: 'block' } } } },
        count,
        ticks,
        'ring-run',
      );
      const nats = await run(
        { threads, rings: { edges: { ...lossless, 'book->signals': { policy: 'block', transport: 'nats' } } } },
        count,
        ticks,
        `nats-run-${Object.keys(threads).length}`,
      );
      expect(summary(nats.final)).toEqual(summary(ring.final));
      expect(nats.final.stages.find((x) => x.stage === 'execution')?.core.ticks).toBe(count * ticks);
      expect(nats.final.stages.find((x) => x.stage === 'execution')?.core.outOfOrder).toBe(0);
      // the NATS edge is timed like a ring (queueing delay per record) and listed with its transport
      expect(nats.final.queueDelay['book->signals']?.count).toBe(count);
      const edge = nats.rings.filter((r) => r.name.startsWith('book->signals'));
      expect(edge.length).toBe(threads.signals ?? 1);
      expect(edge.every((r) => r.transport === 'nats')).toBe(true);
      expect(edge.reduce((a, r) => a + r.recordsOut, 0)).toBe(count);
      expect(nats.rings.filter((r) => r.name.startsWith('normalize->book')).every((r) => r.transport === 'ring')).toBe(true);
    }, 240_000);
  }

  it('a lossy edge on NATS (drop-oldest) counts what it loses: delivered + dropped = sent', async () => {
    const { final, rings } = await run(
      { rings: { edges: { ...lossless, 'book->signals': { policy: 'drop-oldest', transport: 'nats' } } } },
      count,
      ticks,
      'lossy-run',
    );
    const edge = rings.filter((r) => r.name.startsWith('book->signals'));
    const dropped = edge.reduce((a, r) => a + r.dropped['drop-oldest'] + r.dropped.stale, 0);
    expect(final.stages.find((x) => x.stage === 'signals')?.processed).toBe(count - dropped);
  }, 150_000);
});

describe('runtime config: transport', () => {
  it('needs nats.url, and an edge between two workers', () => {
    const issues: Issue[] = [];
    const cfg = runtimeSchema.parse(
      { fuse: ['book+signals'], rings: { edges: { 'book->signals': { transport: 'nats' }, 'signals->risk': { transport: 'kafka' } } } },
      '',
      issues,
    );
    placementGroups(cfg, issues);
    expect(issues.map((i) => `${i.path}: ${i.message}`)).toEqual([
      'rings.edges.signals->risk.transport: must be one of "ring", "nats", got "kafka"',
      expect.stringMatching(
        /^rings.edges.book->signals.transport: must be "ring" while book and signals run fused in one worker \(book\+signals\)/,
      ),
      'nats.url: is required when an edge has transport "nats" (a NATS URL such as nats://127.0.0.1:4222)',
    ]);
  });
});
