import { describe, expect, it } from 'vitest';
import { EDGES, type Issue, Pipeline, placementGroups, runtimeSchema, STAGES, type StageName } from '../src/index.js';
import { config, fixture, logger, modules, runUntil, startFixtures } from './pipeline-fixtures.js';

describe('pipeline runtime on real piscina pools', () => {
  const count = 20_000;
  const ticks = 4;
  const expectedSum = count * (4 * 10_000 + 0 + 1 + 2 + 3);

  for (const [label, raw] of [
    ['six pools, one thread each', {}],
    ['fused normalize+book and risk+execution, two book threads', { fuse: ['normalize+book', 'risk+execution'], threads: { book: 2 } }],
    ['M x N rings: 2 normalize -> 3 book -> 2 signals', { threads: { normalize: 2, book: 3, signals: 2 } }],
  ] as const) {
    it(`carries every record in per-instrument order: ${label}`, async () => {
      const { cfg, groups } = config({
        ...raw,
        rings: {
          edges: {
            'ingest->normalize': { policy: 'block' },
            'normalize->book': { policy: 'block' },
            'book->signals': { policy: 'block' },
            'signals->risk': { policy: 'block', maxAgeMs: 0 },
            'risk->execution': { policy: 'block', maxAgeMs: 0 },
          },
        },
      });
      const p = await startFixtures(cfg, groups, { count, ticks, instruments: 64 });
      const live = await runUntil(p, count * ticks);
      const final = await p.stop(2000);
      for (const s of [live, final]) {
        const sink = s.stages.find((x) => x.stage === 'execution');
        expect(sink?.core.ticks).toBe(count * ticks);
        expect(sink?.core.outOfOrder).toBe(0);
        expect(sink?.core.priceSum).toBe(expectedSum);
      }
      for (const stage of STAGES.slice(1)) {
        const t = final.stages.find((x) => x.stage === stage);
        expect(t?.processed, stage).toBe(count);
        // every record a stage handled has its service time recorded, fused or not
        expect(final.serviceTime[stage]?.count, stage).toBe(count);
      }
      // every record taken from a ring has its queueing delay recorded under its edge
      const ringEdges = groups.slice(1).map((g, i) => `${groups[i]?.stages.at(-1)}->${g.stages[0]}`);
      for (const edge of ringEdges) expect(final.queueDelay[edge]?.count, edge).toBe(count);
      expect(final.workers.length).toBe(groups.reduce((n, g) => n + g.threads, 0));
    }, 60_000);
  }

  for (const [label, raw] of [
    ['six pools (ring input)', {}],
    ['one worker (a source drives the group)', { fuse: [STAGES.join('+')] }],
    ['two workers', { fuse: ['ingest+normalize+book', 'signals+risk+execution'] }],
  ] as const) {
    it(`ends every batch of a core that holds records back, however the batch started: ${label}`, async () => {
      const { cfg, groups } = config({
        ...raw,
        rings: {
          edges: { 'ingest->normalize': { policy: 'block' }, 'normalize->book': { policy: 'block' }, 'book->signals': { policy: 'block' } },
        },
      });
      const p = await Pipeline.start({
        config: cfg,
        groups,
        stageModules: { ...modules, normalize: fixture('holding-stage') },
        stageConfigs: { ingest: { count: 5000, ticks: 2, instruments: 32 } },
        registry: [],
        logger,
      });
      const s = await runUntil(p, 5000 * 2);
      await p.stop(2000);
      const sink = s.stages.find((x) => x.stage === 'execution');
      expect(sink?.core.ticks).toBe(10_000);
      expect(sink?.core.outOfOrder).toBe(0);
      expect(s.stages.find((x) => x.stage === 'normalize')?.core.batches).toBeGreaterThan(0);
    }, 60_000);
  }

  it('restarts a partition whose core throws, and the partition resumes', async () => {
    const { cfg, groups } = config({
      rings: { edges: { 'risk->execution': { policy: 'block', maxAgeMs: 0 }, 'signals->risk': { policy: 'block', maxAgeMs: 0 } } },
    });
    const p = await Pipeline.start({
      config: cfg,
      groups,
      stageModules: modules,
      stageConfigs: { ingest: { count, ticks, instruments: 64, poisonAt: 500 } },
      registry: [],
      logger,
    });
    // The poison batch (index 500) kills the first sink core after it counted batches 0..499;
    // the restarted core resumes right after the poison record, so it must see all the rest.
    const s = await runUntil(p, (count - 501) * ticks);
    const final = await p.stop(2000);
    expect(final.restarts).toBe(1);
    const sink = s.stages.find((x) => x.stage === 'execution');
    expect(sink?.core.ticks).toBe((count - 501) * ticks);
    expect(sink?.core.outOfOrder).toBe(0);
  }, 60_000);
});

describe('feedback edges', () => {
  const feedbackModules: Record<StageName, string> = {
    ...modules,
    signals: fixture('fill-counter-stage'),
    risk: fixture('fill-counter-stage'),
    execution: fixture('filling-stage'),
  };
  for (const [label, fuse] of [
    ['six pools: rings back to risk and to signals', []],
    ['risk fused with execution, signals separate', ['risk+execution']],
    ['all three trading stages in one worker', ['signals+risk+execution']],
  ] as const) {
    it(`delivers every fill to risk and to signals: ${label}`, async () => {
      const count = 3000;
      const { cfg, groups } = config({
        fuse,
        rings: {
          edges: {
            'signals->risk': { policy: 'block', maxAgeMs: 0 },
            'risk->execution': { policy: 'block', maxAgeMs: 0 },
            'book->signals': { policy: 'block' },
          },
        },
      });
      const p = await Pipeline.start({
        config: cfg,
        groups,
        stageModules: feedbackModules,
        stageConfigs: { ingest: { count, ticks: 1, instruments: 32 } },
        registry: [],
        logger,
      });
      const t0 = Date.now();
      let s = await p.stats();
      const seen = (stage: StageName) => s.stages.find((x) => x.stage === stage)?.core.fillsSeen ?? 0;
      while ((seen('risk') < count || seen('signals') < count) && Date.now() - t0 < 20_000) {
        await new Promise((r) => setTimeout(r, 50));
        s = await p.stats();
      }
      await p.stop(2000);
      expect(s.stages.find((x) => x.stage === 'execution')?.core.fillsSent).toBe(count);
      expect(seen('risk')).toBe(count);
      expect(seen('signals')).toBe(count);
    }, 60_000);
  }
});

describe('worker replacement', () => {
  it('replaces a worker thread that exits, and its partition resumes where the ring left off', async () => {
    const count = 5000;
    const ticks = 4;
    const { cfg, groups } = config({
      rings: { edges: { 'risk->execution': { policy: 'block', maxAgeMs: 0 }, 'signals->risk': { policy: 'block', maxAgeMs: 0 } } },
    });
    const p = await Pipeline.start({
      config: cfg,
      groups,
      stageModules: modules,
      stageConfigs: { ingest: { count, ticks, instruments: 64, killAt: 100 } },
      registry: [],
      logger,
    });
    // The dying thread never released the batch holding record 100, so the new worker gets that
    // batch again (at-least-once across a crash): everything from the batch start on arrives.
    const s = await runUntil(p, (count - 101) * ticks);
    const final = await p.stop(2000);
    expect(final.restarts).toBe(1);
    const sink = s.stages.find((x) => x.stage === 'execution');
    expect(sink?.core.ticks).toBeGreaterThanOrEqual((count - 101) * ticks);
    expect(sink?.core.ticks).toBeLessThanOrEqual(count * ticks);
  }, 60_000);
});

describe('runtime config', () => {
  it('reports every violation at once with its path and the allowed values', () => {
    const issues: Issue[] = [];
    const cfg = runtimeSchema.parse(
      {
        threads: { book: 0, nope: 1 },
        fuse: ['book+normalize', 'signals+nope'],
        rings: { capacityBytes: 1000, edges: { 'a->b': {} } },
        extra: true,
      },
      '',
      issues,
    );
    placementGroups(cfg, issues);
    const text = issues.map((i) => `${i.path}: ${i.message}`);
    expect(text).toEqual(
      expect.arrayContaining([
        'threads.book: must be an integer from 1 to 64, got 0',
        expect.stringMatching(/^threads.nope: is not a known setting/),
        expect.stringMatching(/^extra: is not a known setting/),
        expect.stringMatching(/^rings.capacityBytes: must be a power of two/),
        `rings.edges.a->b: is not a known setting (allowed here: ${EDGES.join(', ')})`,
        expect.stringMatching(/^fuse\[0\]: must list adjacent stages in pipeline order/),
        expect.stringMatching(/^fuse\[1\]: names unknown stage\(s\) nope/),
      ]),
    );
  });
});
