/**
 * `tickline bench pipeline --rate R --instruments N`: tick-to-decision latency of the real
 * pipeline. The embedded exchange streams R market-data events/s over N instruments; all six
 * real stages run (ingest over WebSocket, normalize, books, strategies, risk, execution with
 * its gateway and journal), and execution records, for every order it hands to the gateway,
 * the time since the frame behind the decision was received. One result per placement,
 * `pipeline:<placement>`, with the latency percentiles and the market-data records per second
 * the book stage processed.
 */

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startExchange } from '@tickline/exchange';
import { simInstruments } from '@tickline/normalize';
import {
  type BenchReport,
  type BenchResult,
  createLogger,
  type Issue,
  Pipeline,
  placementGroups,
  report,
  runtimeSchema,
  STAGES,
  type StageName,
  summarize,
} from '@tickline/runtime';
import { InstrumentRegistry } from '@tickline/wire';

export interface TickToDecisionOptions {
  runs: number;
  /** Market-data events per second across the universe. */
  rate: number;
  instruments: number;
  /** Measured seconds per run (after the books are live). */
  seconds: number;
  /** Orders per second the random trader aims for across the universe. */
  ordersPerSec: number;
  placements: Record<string, string[]>;
}

const STAGE_MODULES = Object.fromEntries(STAGES.map((s) => [s, import.meta.resolve(`@tickline/${s}/worker`)])) as Record<StageName, string>;

async function once(fuse: string[], o: TickToDecisionOptions): Promise<Record<string, number>> {
  const ex = await startExchange({ instruments: o.instruments, eventsPerSecond: o.rate, orderRateLimit: 100_000, heartbeatMs: 1000 });
  const dir = mkdtempSync(join(tmpdir(), 'tickline-bench-'));
  let p: Pipeline | null = null;
  try {
    const reg = new InstrumentRegistry();
    for (const i of simInstruments(await (await fetch(`${ex.httpUrl}/v1/instruments`)).json())) reg.add({ ...i, venue: 'sim' });
    const symbols = reg.list().map((i) => i.symbol);
    const issues: Issue[] = [];
    const config = runtimeSchema.parse({ fuse }, '', issues);
    const groups = placementGroups(config, issues);
    if (issues.length) throw new Error(issues.map((i) => `${i.path}: ${i.message}`).join('; '));
    const pipeline = await Pipeline.start({
      config,
      groups,
      stageModules: STAGE_MODULES,
      stageConfigs: {
        ingest: { venue: 'sim', url: ex.wsUrl, restUrl: ex.httpUrl, symbols, channels: ['book', 'trades'], logLevel: 'warn' },
        signals: { strategies: [{ id: 'random', type: 'random', params: { ratePerSecond: o.ordersPerSec / o.instruments, seed: 11 } }] },
        risk: { orderRate: { perSecond: 100_000, burst: 100_000 }, maxOpenOrders: 100_000, maxGrossExposure: 1e12, maxPosition: 1e12 },
        execution: { venue: { url: ex.wsUrl }, journal: { path: join(dir, 'journal-{partition}.sqlite') } },
      },
      registry: reg.list(),
      logger: createLogger('warn'),
    });
    p = pipeline;
    // warm up: every book live
    const deadline = Date.now() + 60_000;
    for (;;) {
      const s = await pipeline.stats();
      const live = s.stages.find((x) => x.stage === 'book')?.core.live ?? 0;
      if (live >= o.instruments || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    // A worker too busy to answer within the stats timeout is left out of a reading; read again
    // rather than compare readings over different sets of workers.
    const workers = groups.reduce((n, g) => n + g.threads, 0);
    const complete = async () => {
      for (let i = 0; ; i++) {
        const s = await pipeline.stats();
        if (s.workers.length === workers || i >= 20) return s;
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    const before = await complete();
    const t0 = performance.now();
    await new Promise((r) => setTimeout(r, o.seconds * 1000));
    const after = await complete();
    const dt = (performance.now() - t0) / 1000;
    const book = (s: typeof after) => s.stages.find((x) => x.stage === 'book')?.processed ?? 0;
    // percentiles: the worst execution partition
    const execWorkers = after.workers.flatMap((w) => w.stages.filter((x) => x.stage === 'execution'));
    const worst = (k: string) => Math.max(...execWorkers.map((x) => x.core[k] ?? Number.NaN));
    return {
      ticksPerSec: (book(after) - book(before)) / dt,
      decisions: execWorkers.reduce((n, x) => n + (x.core.tickToDecisionCount ?? 0), 0),
      p50Us: worst('tickToDecisionP50Ns') / 1000,
      p99Us: worst('tickToDecisionP99Ns') / 1000,
      p999Us: worst('tickToDecisionP999Ns') / 1000,
    };
  } finally {
    await p?.stop(2000);
    await ex.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function runTickToDecisionBench(o: TickToDecisionOptions): Promise<BenchReport> {
  const results: BenchResult[] = [];
  for (const [name, fuse] of Object.entries(o.placements)) {
    const runs: Record<string, number>[] = [];
    for (let r = 0; r < o.runs; r++) runs.push(await once(fuse, o));
    results.push(
      summarize(`pipeline:${name}`, runs, {
        fuse: fuse.join(' ') || '(none)',
        rate: o.rate,
        instruments: o.instruments,
        seconds: o.seconds,
      }),
    );
  }
  return report('pipeline', o.runs, results, [
    'tick-to-decision: frame received by ingest -> order handed to the gateway by execution, real stages, embedded exchange in the same process',
    'ticksPerSec: market-data records processed by the book stage per second during the measured window',
  ]);
}
