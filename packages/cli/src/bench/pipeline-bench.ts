/**
 * `tickline bench pipeline`: synthetic trade ticks through six trivial stages (each reads every
 * tick and passes the batch on) on the real runtime: piscina pools, shared-memory rings,
 * FlatBuffer records. Each placement is measured twice per run:
 * - throughput: `batch` ticks per record, as fast as the pipeline drains (block policy on every
 *   edge, so nothing is dropped and the source runs at the speed of the slowest stage);
 * - latency: one tick per record, paced at `rate` ticks/s; one-way latency from the source's
 *   emit to the sink.
 */

import {
  createLogger,
  type Issue,
  moduleUrl,
  Pipeline,
  placementGroups,
  runtimeSchema,
  type StageName,
  PLACEMENTS,
  summarize,
  report,
  type BenchReport,
  type BenchResult,
} from '@tickline/runtime';

export interface PipelineBenchOptions {
  runs: number;
  /** Ticks per record in the throughput run. */
  batch: number;
  /** Ticks per throughput run. */
  ticks: number;
  /** Paced rate of the latency run (ticks/s). */
  rate: number;
  /** Seconds of the latency run. */
  latencySeconds: number;
  instruments: number;
  placements?: Readonly<Record<string, readonly string[]>>;
}

const stage = (n: string) => moduleUrl(`./stages/${n}.ts`, import.meta.url);
const MODULES: Record<StageName, string> = {
  ingest: stage('source'),
  normalize: stage('pass'),
  book: stage('pass'),
  signals: stage('pass'),
  risk: stage('pass'),
  execution: stage('sink'),
};
const ALL_BLOCK = Object.fromEntries(
  ['ingest->normalize', 'normalize->book', 'book->signals', 'signals->risk', 'risk->execution', 'execution->risk'].map((e) => [
    e,
    { policy: 'block', maxAgeMs: 0 },
  ]),
);

async function once(fuse: readonly string[], source: { records: number; ticks: number; instruments: number; ratePerSec: number }) {
  const issues: Issue[] = [];
  const config = runtimeSchema.parse(
    { fuse, rings: { edges: ALL_BLOCK }, runtime: { spinUs: Number(process.env.TKL_SPIN_US ?? 20) } },
    '',
    issues,
  );
  const groups = placementGroups(config, issues);
  if (issues.length) throw new Error(issues.map((i) => `${i.path}: ${i.message}`).join('; '));
  const p = await Pipeline.start({
    config,
    groups,
    stageModules: MODULES,
    stageConfigs: { ingest: source },
    registry: [],
    logger: createLogger('warn'),
  });
  const want = source.records * source.ticks;
  const deadline = Date.now() + 120_000;
  let sink: Record<string, number> = {};
  try {
    for (;;) {
      await new Promise((r) => setTimeout(r, 25));
      const s = await p.stats();
      sink = s.stages.find((x) => x.stage === 'execution')?.core ?? {};
      if ((sink.ticks ?? 0) >= want) break;
      if (Date.now() > deadline) throw new Error(`pipeline bench: only ${sink.ticks} of ${want} ticks arrived`);
    }
  } finally {
    await p.stop(1000);
  }
  return sink;
}

export async function runPipelineBench(opts: PipelineBenchOptions): Promise<BenchReport> {
  const placements = opts.placements ?? PLACEMENTS;
  const results: BenchResult[] = [];
  for (const [name, fuse] of Object.entries(placements)) {
    const runs: Record<string, number>[] = [];
    for (let r = 0; r < opts.runs; r++) {
      const records = Math.ceil(opts.ticks / opts.batch);
      const t = await once(fuse, { records, ticks: opts.batch, instruments: opts.instruments, ratePerSec: 0 });
      const ticksPerSec = ((t.ticks ?? 0) / ((t.lastAtMs ?? 0) - (t.firstRecvMs ?? 0))) * 1000;
      const l = await once(fuse, {
        records: Math.ceil(opts.rate * opts.latencySeconds),
        ticks: 1,
        instruments: opts.instruments,
        ratePerSec: opts.rate,
      });
      runs.push({
        ticksPerSec,
        p50Us: (l.p50Ns ?? Number.NaN) / 1000,
        p99Us: (l.p99Ns ?? Number.NaN) / 1000,
        p999Us: (l.p999Ns ?? Number.NaN) / 1000,
      });
    }
    results.push(summarize(`trivial:${name}`, runs, { fuse: fuse.join(' ') || '(none)', batch: opts.batch, latencyRate: opts.rate }));
  }
  return report('pipeline', opts.runs, results, [
    'trivial:<placement>: six trivial stages (each reads every tick and passes the batch on) on the real runtime; for tick-to-decision with the real stages use --rate/--instruments',
    'ticksPerSec: throughput run, trade batches of `batch` ticks, block policy on every edge; p50/p99/p999: paced run at `latencyRate` ticks/s, one tick per record, source emit -> sink',
  ]);
}
