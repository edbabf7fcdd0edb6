/**
 * `stage:<name>:worker`: the same core through the real runtime. `Pipeline.start` runs a
 * placement of three groups: a source (tape-source, fused with relays in the stage slots before
 * the one under test) feeds the stage over a ring, the stage runs its real worker module alone
 * in its pool, and a sink (tape-sink, fused with relays after it) consumes its output over a
 * ring. Execution's output is its feedback: the relays in the signals and risk slots take it.
 * Every edge blocks (nothing dropped) and never expires records.
 *
 * A tape is played in three phases: the set-up records; the first `burst` records of the body
 * unpaced (records/s, and the runtime's service-time histogram of the stage over that window);
 * then records paced at `pacedRate` or half the burst's rate, whichever is lower, for as long as
 * `paced` records take at `pacedRate` (the runtime's queueing delay on the stage's input edge,
 * at a rate the stage keeps up with).
 */

import {
  createLogger,
  EDGES,
  type Issue,
  moduleUrl,
  Pipeline,
  type PipelineStats,
  placementGroups,
  runtimeSchema,
  STAGES,
  type StageName,
  windowOf,
} from '@tickline/runtime';
import { snapshotFigures, sleep } from './figures.js';
import { type RunSetup, type StagePlan, stageModule, until, warmVenue } from './plan.js';
import type { Tape } from './tape.js';

const fixture = (n: string) => moduleUrl(`../stages/${n}.ts`, import.meta.url);
const NEVER_DROP = Object.fromEntries(EDGES.map((e) => [e, { policy: 'block', maxAgeMs: 0 }]));

/** Stage modules and fused groups that put `stage` alone between a source and a sink. */
export function placement(stage: StageName): { modules: Record<StageName, string>; fuse: string[] } {
  const at = STAGES.indexOf(stage);
  const modules = Object.fromEntries(
    STAGES.map((s, i) => [
      s,
      i === at ? stageModule(s) : i === 0 ? fixture('tape-source') : i === at + 1 ? fixture('tape-sink') : fixture('relay'),
    ]),
  ) as Record<StageName, string>;
  const fuse = [STAGES.slice(0, at), STAGES.slice(at + 1)].filter((g) => g.length > 1).map((g) => g.join('+'));
  return { modules, fuse };
}

const stageOf = (s: PipelineStats, stage: StageName) => s.stages.find((x) => x.stage === stage);

async function start(plan: StagePlan, setup: RunSetup): Promise<Pipeline> {
  const { modules, fuse } = placement(plan.stage);
  const issues: Issue[] = [];
  // No freshness bound: the bench measures the stages' work on a recorded input, whose receive
  // times are not the wall clock's (the same as the direct run).
  const config = runtimeSchema.parse({ fuse, rings: { edges: NEVER_DROP }, freshness: { maxDataAgeMs: 0 } }, '', issues);
  const groups = placementGroups(config, issues);
  if (issues.length > 0) throw new Error(issues.map((i) => `${i.path}: ${i.message}`).join('; '));
  return Pipeline.start({
    config,
    groups,
    stageModules: modules,
    stageConfigs: {
      ...Object.fromEntries(STAGES.map((s) => [s, { keepFeedback: plan.stage === 'execution' }])),
      ingest: { tape: plan.tape },
      [plan.stage]: setup.config,
    },
    registry: plan.registry,
    logger: createLogger('warn'),
  });
}

/** Stats once the stage under test has processed `n` records (and `more` holds). */
async function reach(p: Pipeline, stage: StageName, n: number, more?: (core: Record<string, number>) => boolean): Promise<PipelineStats> {
  let last: PipelineStats | null = null;
  await until(`${stage} to process ${n} records`, async () => {
    const s = await p.stats();
    const t = stageOf(s, stage);
    if (t === undefined || t.processed < n || (more !== undefined && !more(t.core))) return false;
    last = s;
    return true;
  });
  return last as unknown as PipelineStats;
}

async function replay(plan: StagePlan, tape: Tape, p: Pipeline): Promise<Record<string, number>> {
  const stage = plan.stage;
  const play = (from: number, to: number, rate: number) => p.command('ingest', 'play', { from, to, rate });
  const burstEnd = Math.min(tape.count, tape.prime + plan.burst);
  if (plan.coreReady !== undefined) await reach(p, stage, 0, plan.coreReady);
  await play(0, tape.prime, 0);
  const s0 = await reach(p, stage, tape.prime);
  const t0 = performance.now();
  await play(tape.prime, burstEnd, 0);
  await reach(p, stage, burstEnd);
  const t1 = performance.now();
  const s1 = await reach(p, stage, burstEnd, plan.settled);
  const seconds = (performance.now() - t0) / 1000;
  // paced below capacity (at most half the burst's rate), for as long as the plan's pace would take
  const burstRate = (burstEnd - tape.prime) / ((t1 - t0) / 1000);
  const rate = Math.min(plan.pacedRate, burstRate / 2);
  const pacedEnd = Math.min(tape.count, burstEnd + Math.ceil((plan.paced * rate) / plan.pacedRate));
  await play(burstEnd, pacedEnd, rate);
  const s2 = await reach(p, stage, pacedEnd, plan.settled);
  const edge = `${STAGES[STAGES.indexOf(stage) - 1]}->${stage}`;
  return {
    recordsPerSec: burstRate,
    outPerRecord: ((stageOf(s1, stage)?.emitted ?? 0) - (stageOf(s0, stage)?.emitted ?? 0)) / (burstEnd - tape.prime),
    ...snapshotFigures(windowOf(s1.serviceTime[stage] ?? s0.serviceTime[stage] ?? emptySnapshot(), s0.serviceTime[stage])),
    ...snapshotFigures(windowOf(s2.queueDelay[edge] ?? emptySnapshot(), s1.queueDelay[edge]), 'queue'),
    pacedRate: rate,
    ...plan.extras?.(stageOf(s0, stage)?.core ?? {}, stageOf(s1, stage)?.core ?? {}, seconds),
  };
}

const emptySnapshot = () => ({ count: 0, sum: 0, max: 0, buckets: [] });

/** A source stage: what it emitted over the window, received at the sink through the ring. */
async function window(plan: StagePlan, setup: RunSetup, p: Pipeline): Promise<Record<string, number>> {
  const exchange = await warmVenue(plan, setup);
  const stage = plan.stage;
  const next = STAGES[STAGES.indexOf(stage) + 1] as StageName;
  await p.command(next, 'reset', null);
  const s0 = await p.stats();
  const f0 = (await exchange()).framesSent;
  const t0 = performance.now();
  await sleep((plan.windowS ?? 2) * 1000);
  const s1 = await p.stats();
  const f1 = (await exchange()).framesSent;
  const seconds = (performance.now() - t0) / 1000;
  const emitted = (s: PipelineStats) => stageOf(s, stage)?.emitted ?? Number.NaN;
  const sink = stageOf(s1, next)?.core ?? {};
  const edge = `${stage}->${next}`;
  return {
    recordsPerSec: (emitted(s1) - emitted(s0)) / seconds,
    offeredPerSec: (f1 - f0) / seconds,
    p50Us: (sink.receiptP50Ns ?? Number.NaN) / 1000,
    p99Us: (sink.receiptP99Ns ?? Number.NaN) / 1000,
    p999Us: (sink.receiptP999Ns ?? Number.NaN) / 1000,
    ...snapshotFigures(windowOf(s1.queueDelay[edge] ?? emptySnapshot(), s0.queueDelay[edge]), 'queue'),
  };
}

export async function runWorkers(plan: StagePlan): Promise<Record<string, number>> {
  const setup = await plan.open();
  let p: Pipeline | null = null;
  try {
    p = await start(plan, setup);
    return plan.tape === null ? await window(plan, setup, p) : await replay(plan, plan.tape, p);
  } finally {
    await p?.stop(2000);
    await setup.close();
  }
}
