import { RingConsumer, RingProducer } from '@tickline/ring';
import { createLogger, type Issue, Pipeline, type PipelineStats, placementGroups, runtimeSchema, type StageName } from '@tickline/runtime';
import { describe, expect, it } from 'vitest';
import { EdgePump } from '../src/edge-bridge.js';

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

function nodeConfig(stages: readonly StageName[], threads: Partial<Record<StageName, number>> = {}) {
  const issues: Issue[] = [];
  const cfg = runtimeSchema.parse({ threads, rings: { edges: { 'book->signals': { policy: 'block' } } } }, '', issues);
  const groups = placementGroups(cfg, issues).filter((g) => g.stages.every((s) => stages.includes(s)));
  expect(issues).toEqual([]);
  return { cfg, groups };
}

const sinkOf = (s: PipelineStats) => s.stages.find((x) => x.stage === 'execution')?.core ?? {};

describe('a pipeline split in two at its boundary rings, joined by a pump', () => {
  for (const signalsThreads of [1, 2]) {
    it(`carries every record in per-instrument order (downstream first group: ${signalsThreads} partition(s))`, async () => {
      const count = 5000;
      const ticks = 4;
      const up = nodeConfig(['ingest', 'normalize', 'book']);
      const down = nodeConfig(['signals', 'risk', 'execution'], { signals: signalsThreads });
      const c = await Pipeline.start({
        config: down.cfg,
        groups: down.groups,
        stageModules: modules,
        stageConfigs: {},
        registry: [],
        logger,
        boundary: { head: 'book->signals' },
      });
      const a = await Pipeline.start({
        config: up.cfg,
        groups: up.groups,
        stageModules: modules,
        stageConfigs: { ingest: { count, ticks, instruments: 32 } },
        registry: [],
        logger,
        boundary: { tail: 'book->signals' },
      });
      const tail = a.boundaryRings().tail;
      const head = c.boundaryRings().head;
      expect(tail).toHaveLength(1);
      expect(head).toHaveLength(signalsThreads);
      expect(a.boundaryRings().head).toBeNull();
      const pump = new EdgePump(
        (tail ?? []).map((h) => new RingConsumer(h)),
        (head ?? []).map((h) => new RingProducer(h)),
      );
      pump.start();
      const t0 = Date.now();
      while (((sinkOf(await c.stats()).ticks as number | undefined) ?? 0) < count * ticks && Date.now() - t0 < 20_000)
        await new Promise((r) => setTimeout(r, 50));
      await pump.stop();
      const fa = await a.stop(1000);
      const fc = await c.stop(1000);
      const sink = sinkOf(fc);
      expect(sink.ticks).toBe(count * ticks);
      expect(sink.outOfOrder).toBe(0);
      expect(sink.priceSum).toBe(count * (4 * 10_000 + 0 + 1 + 2 + 3));
      expect(pump.counters).toEqual({ moved: count, lost: {}, refused: 0 });
      expect(fa.stages.find((s) => s.stage === 'book')?.emitted).toBe(count);
      // the head ring is an input like any: its queueing delay is measured under the edge's name
      expect(fc.queueDelay['book->signals']?.count).toBe(count);
    });
  }

  it('refuses bad arguments with the argument named', () => {
    expect(() => new EdgePump([], [])).toThrow(/sources must be a non-empty list/);
    expect(() => new EdgePump([{ poll: () => 0 }], [])).toThrow(/writers must be a non-empty list/);
    expect(() => new EdgePump([{ poll: () => 0 }], [{ data: new Uint8Array(1), reserve: () => -1, flush() {} }], { batch: 0 })).toThrow(
      /opts.batch must be a positive integer/,
    );
  });
});
