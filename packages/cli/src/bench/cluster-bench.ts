/**
 * `tickline bench cluster`: tick-to-decision of a three-node cluster on this machine against the
 * same load in one process. The exchange runs in its own process at `rate` market-data events/s
 * over `instruments`; a real nats-server (JetStream) carries the cross-node edge.
 * - `cluster:3-nodes`: nodes A and B (`tickline run --config ... --node A|B`, own processes) run
 *   ingest -> normalize -> book for half of the instruments each; node C runs signals -> risk ->
 *   execution for all of them; book views cross from A and B to C over NATS.
 * - `cluster:1-process`: every stage in one process, placement two-workers (the same split of the
 *   stages over two workers), as `bench pipeline --rate` runs it.
 * Latency is measured as in `bench pipeline --rate` (live-pipeline.ts): execution's histogram of
 * frame received by ingest -> order handed to the gateway, windowed; eventsPerSec is what the book
 * stages took in (A + B for the cluster). Medians (min, max) over `runs` windows of `seconds`.
 */

import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startNatsServer } from '@tickline/nats';
import {
  type BenchReport,
  type BenchResult,
  type HistogramSnapshot,
  LOADER_IMPORT,
  mergeSnapshots,
  moduleUrl,
  PLACEMENTS,
  type PipelineStats,
  percentilesOf,
  report,
  type StageTotals,
  summarize,
  totals,
  windowOf,
} from '@tickline/runtime';
import { spawnExchange } from './live/exchange-process.js';
import { counter, LiveRun, type Sample, windowFigures } from './live/live-pipeline.js';
import { processCpuSeconds } from './live/process-cpu.js';

export interface ClusterBenchOptions {
  runs: number;
  rate: number;
  instruments: number;
  seconds: number;
  ordersPerSec: number;
}

const MAIN = new URL(moduleUrl('../main.ts', import.meta.url));
const FUSE = [...(PLACEMENTS['two-workers'] ?? [])];

interface NodeProc {
  readonly name: string;
  readonly child: ChildProcess;
  log: string;
}

function startNode(name: string, config: string): NodeProc {
  const child = spawn(process.execPath, ['--import', LOADER_IMPORT.href, MAIN.pathname, 'run', '--config', config, '--node', name], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, TICKLINE_TOKEN: 'cluster-bench-token-0123456789' },
  });
  const n: NodeProc = { name, child, log: '' };
  const add = (d: Buffer) => {
    n.log = (n.log + String(d)).slice(-200_000);
  };
  child.stdout?.on('data', add);
  child.stderr?.on('data', add);
  return n;
}

async function waitFor(what: string, cond: () => boolean | Promise<boolean>, ms: number, nodes: readonly NodeProc[]): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    const dead = nodes.find((n) => n.child.exitCode !== null);
    if (dead || Date.now() > end)
      throw new Error(
        `bench cluster: ${dead ? `node ${dead.name} exited` : `timed out waiting for ${what}`}; ${nodes.map((n) => `${n.name}: ${n.log.slice(-600)}`).join(' | ')}`,
      );
    await new Promise((r) => setTimeout(r, 200));
  }
}

const dashboardUrl = (n: NodeProc) =>
  /dashboard listening[^\n]*"url":"(http:[^"]+)"/.exec(n.log)?.[1] ??
  /"url":"(http:\/\/[^"]+)","msg":"dashboard listening"/.exec(n.log)?.[1] ??
  null;

async function nodeStats(n: NodeProc): Promise<PipelineStats> {
  const url = dashboardUrl(n);
  if (url === null) throw new Error(`bench cluster: node ${n.name} printed no dashboard URL`);
  const r = await fetch(`${url}api/stats`, { headers: { authorization: 'Bearer cluster-bench-token-0123456789' } });
  return ((await r.json()) as { stats: PipelineStats }).stats;
}

/** The three nodes' stats as one pipeline's: each stage's totals over the nodes that run it. */
function mergeStats(list: readonly PipelineStats[]): PipelineStats {
  const workers = list.flatMap((s) => s.workers);
  const stages: StageTotals[] = totals(workers);
  const edges = new Set(list.flatMap((s) => Object.keys(s.queueDelay)));
  const queueDelay = Object.fromEntries(
    [...edges].map((e) => [e, mergeSnapshots(list.map((s) => s.queueDelay[e]).filter((x): x is HistogramSnapshot => x !== undefined))]),
  );
  return { stages, workers, restarts: list.reduce((a, s) => a + s.restarts, 0), queueDelay, serviceTime: {} };
}

/**
 * The window's figures plus what explains them across nodes: the book -> signals edge's queueing
 * delay (producer's batch start -> taken by signals; over NATS for the cluster, a ring in one
 * process) and the views signals skipped as older than the freshness bound.
 */
function figures(a: Sample, b: Sample): Record<string, number> {
  const edge = percentilesOf(windowOf(b.stats.queueDelay['book->signals'] as HistogramSnapshot, a.stats.queueDelay['book->signals']));
  return {
    ...windowFigures(a, b),
    edgeP50Us: edge ? edge.p50Ms * 1000 : Number.NaN,
    edgeP99Us: edge ? edge.p99Ms * 1000 : Number.NaN,
    skippedStalePerSec: (counter(b, 'signals', 'skippedStale') - counter(a, 'signals', 'skippedStale')) / ((b.t - a.t) / 1000),
  };
}

async function threeNodes(o: ClusterBenchOptions): Promise<Record<string, number>[]> {
  const nats = await startNatsServer();
  const ex = await spawnExchange({ instruments: o.instruments, eventsPerSecond: o.rate, orderRateLimit: 100_000, heartbeatMs: 1000 });
  const dir = mkdtempSync(join(tmpdir(), 'tickline-bench-cluster-'));
  const nodes: NodeProc[] = [];
  try {
    const config = join(dir, 'cluster.json');
    writeFileSync(
      config,
      JSON.stringify({
        cluster: {
          name: 'bench',
          nats: { url: nats.url },
          shards: { count: 2 },
          nodes: {
            A: { stages: ['ingest', 'normalize', 'book'], shards: [0], http: { port: 0 } },
            B: { stages: ['ingest', 'normalize', 'book'], shards: [1], http: { port: 0 } },
            C: { stages: ['signals', 'risk', 'execution'], shards: 'all', http: { port: 0 } },
          },
        },
        venue: { name: 'sim', url: ex.wsUrl, restUrl: ex.httpUrl },
        fuse: FUSE,
        stateDir: join(dir, 'state'),
        log: { level: 'info', format: 'json' },
        signals: { strategies: [{ id: 'random', type: 'random', params: { ratePerSecond: o.ordersPerSec / o.instruments, seed: 11 } }] },
        risk: { orderRate: { perSecond: 100_000, burst: 100_000 }, maxOpenOrders: 100_000, maxGrossExposure: 1e12, maxPosition: 1e12 },
      }),
    );
    for (const name of ['A', 'B', 'C']) nodes.push(startNode(name, config));
    await waitFor(
      'every node to run',
      () => nodes.every((n) => n.log.includes('cross-node edges open') && dashboardUrl(n) !== null),
      180_000,
      nodes,
    );
    const live = async () => {
      const [a, b] = await Promise.all([nodeStats(nodes[0] as NodeProc), nodeStats(nodes[1] as NodeProc)]);
      const n = (s: PipelineStats) => s.stages.find((x) => x.stage === 'book')?.core.live ?? 0;
      return n(a) + n(b) >= o.instruments;
    };
    await waitFor('every book to be live', live, 120_000, nodes).catch(() => {});
    // a worker too busy to answer in time is left out of a reading: read again until every
    // worker (one per node here) is in it, so windows compare readings over the same workers
    const sample = async (): Promise<Sample> => {
      let stats = mergeStats(await Promise.all(nodes.map(nodeStats)));
      for (let i = 0; stats.workers.length < nodes.length && i < 20; i++) {
        await new Promise((r) => setTimeout(r, 100));
        stats = mergeStats(await Promise.all(nodes.map(nodeStats)));
      }
      const cpu: Record<string, number> = { exchange: processCpuSeconds(ex.pid), nats: processCpuSeconds(nats.pid) };
      for (const n of nodes) cpu[`node${n.name}`] = processCpuSeconds(n.child.pid ?? -1);
      // the cluster's pipeline: its three node processes and the NATS server between them
      cpu.pipeline = (cpu.nats as number) + nodes.reduce((a, n) => a + (cpu[`node${n.name}`] as number), 0);
      return { t: performance.now(), stats, rssBytes: 0, exchange: await ex.stats(), cpu };
    };
    const windows: Record<string, number>[] = [];
    let a = await sample();
    for (let r = 0; r < o.runs; r++) {
      await new Promise((res) => setTimeout(res, o.seconds * 1000));
      const b = await sample();
      windows.push(figures(a, b));
      a = b;
    }
    return windows;
  } finally {
    for (const n of nodes) if (n.child.exitCode === null) n.child.kill('SIGTERM');
    await Promise.all(nodes.map((n) => (n.child.exitCode !== null ? null : new Promise((r) => n.child.once('exit', r)))));
    await ex.close();
    await nats.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function oneProcess(o: ClusterBenchOptions): Promise<Record<string, number>[]> {
  return (
    await LiveRun.windows(
      { fuse: FUSE, rate: o.rate, instruments: o.instruments, ordersPerSec: o.ordersPerSec },
      o.runs,
      o.seconds,
      figures,
    )
  ).windows;
}

export async function runClusterBench(o: ClusterBenchOptions): Promise<BenchReport> {
  const meta = { rate: o.rate, instruments: o.instruments, seconds: o.seconds, fuse: FUSE.join(' ') };
  const results: BenchResult[] = [
    summarize('cluster:3-nodes', await threeNodes(o), {
      ...meta,
      nodes: 'A,B: ingest+normalize+book (one shard each); C: signals+risk+execution',
    }),
    summarize('cluster:1-process', await oneProcess(o), meta),
  ];
  return report('cluster', o.runs, results, [
    'tick-to-decision (p50Us, p99Us, p999Us): frame received by ingest (node A or B) -> order handed to the venue gateway by execution (node C); book views cross nodes over a JetStream edge on a local nats-server',
    'eventsPerSec: market-data events the book stages took in (A + B); medians (min, max) over consecutive measured windows of one start each, 3-nodes first, then 1-process',
    'cpuPct<Role>: share of one core each process used in the window (2 cores: 200 is the machine); cpuPctPipeline: the one process, or the three nodes and the NATS server together; cpuPctExchange: the venue (load generator)',
    'edgeP50Us/edgeP99Us: book -> signals queueing delay in the window (over NATS between nodes, a ring in one process); skippedStalePerSec: book views signals skipped as older than freshness.maxDataAgeMs (no decision on them, so p50Us is null when every view arrives too late)',
  ]);
}
