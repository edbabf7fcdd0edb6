import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type RunSummary, summaryLines } from '../packages/cli/src/commands/run.js';

const ROOT = new URL('..', import.meta.url).pathname;
const MAIN = join(ROOT, 'packages/cli/src/main.ts');

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

function tickline(
  args: string[],
  opts: { killAfterMs?: number; signal?: NodeJS.Signals } = {},
): Promise<Result & { signalledAt?: number }> {
  return new Promise((resolve) => {
    const t0 = Date.now();
    const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let signalledAt: number | undefined;
    child.stdout?.on('data', (d) => (stdout += d));
    child.stderr?.on('data', (d) => {
      stderr += d;
      // send the signal once the pipeline says it is running
      if (opts.signal && signalledAt === undefined && stderr.includes('tickline running')) {
        signalledAt = Date.now();
        child.kill(opts.signal);
      }
    });
    const guard = setTimeout(() => child.kill('SIGKILL'), opts.killAfterMs ?? 60_000);
    child.on('exit', (code) => {
      clearTimeout(guard);
      resolve({ code, stdout, stderr, ms: Date.now() - t0, ...(signalledAt !== undefined ? { signalledAt } : {}) });
    });
  });
}

describe('tickline CLI', () => {
  it('prints its version and help', async () => {
    const v = await tickline(['--version']);
    expect(v.code).toBe(0);
    expect(v.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    const h = await tickline(['run', '--help']);
    expect(h.code).toBe(0);
    for (const flag of ['--duration', '--summary', '--fuse', '--threads.book', '--config']) expect(h.stdout).toContain(flag);
  });

  it('rejects bad flags and config with exit code 2, naming every field and what is allowed', async () => {
    const r = await tickline(['run', '--threads.book', '0', '--fuse', 'book+normalize', '--log-level', 'loud']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('threads.book: must be an integer from 1 to 64, got "0"');
    expect(r.stderr).toContain('log.level: must be one of');
    expect(r.stderr).toMatch(/fuse\[0\]: must list adjacent stages in pipeline order/);

    const dir = mkdtempSync(join(tmpdir(), 'tickline-cli-'));
    const file = join(dir, 'bad.yaml');
    writeFileSync(
      file,
      'threads:\n  book: 2\n  nope: 1\nrings:\n  edges:\n    book->signals: { policy: sometimes }\nexchange: { instruments: 0 }\n',
    );
    const f = await tickline(['run', '--config', file]);
    expect(f.code).toBe(2);
    expect(f.stderr).toMatch(/threads\.nope: is not a known setting/);
    expect(f.stderr).toMatch(/rings\.edges\.book->signals\.policy: must be one of "drop-oldest", "drop-newest", "block"/);
    expect(f.stderr).toContain('exchange.instruments: must be an integer from 1 to 100000, got 0');

    const missing = await tickline(['run', '--config', join(dir, 'absent.yaml')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--config: cannot be read/);

    // replay through a cluster node: the node is checked like run's; --verify takes none
    const cluster = join(dir, 'cluster.json');
    writeFileSync(
      cluster,
      JSON.stringify({ cluster: { nats: { url: 'nats://127.0.0.1:4222' }, nodes: { A: { stages: ['ingest', 'normalize', 'book'] } } } }),
    );
    const badNode = await tickline(['replay', join(dir, 'x.tkr'), '--config', cluster, '--node', 'Z']);
    expect(badNode.code).toBe(2);
    expect(badNode.stderr).toContain('--node: names unknown node "Z" (nodes: A)');
    const verifyNode = await tickline(['replay', join(dir, 'x.tkr'), '--node', 'A', '--verify']);
    expect(verifyNode.code).toBe(2);
    expect(verifyNode.stderr).toContain('--verify checks the file in this process: it takes no --node and no cluster config');

    const badBench = await tickline(['bench', 'nope']);
    expect(badBench.code).toBe(2);
    expect(badBench.stderr).toMatch(/bench name must be one of ring, codec, pipeline, overload, normalize, book, stage/);
    for (const [args, message] of [
      [['--rates', '60000,x'], /--rates must be a comma-separated list of integers from 1 to 100000000, got "60000,x"/],
      [['--placements', 'six-pools,three-pools'], /--placements must list distinct names among six-pools, two-workers, one-worker/],
      [['--rate', '0'], /--rate must be an integer from 1 to/],
      [['--seconds', '-5'], /--seconds must be an integer from 1 to 86400/],
      [['--rate', '1000', '--rates', '2000'], /give --rate or --rates, not both/],
    ] as const) {
      const bad = await tickline(['bench', 'pipeline', ...args]);
      expect(bad.code, args.join(' ')).toBe(2);
      expect(bad.stderr).toMatch(message);
    }

    const badVenue = await tickline(['bench', 'normalize', '--venue', 'nope']);
    expect(badVenue.code).toBe(2);
    expect(badVenue.stderr).toMatch(/--venue must be one of sim, binance-spot, binance-usdm for bench normalize, got "nope"/);
  }, 240_000); // thirteen CLI starts, one after another: on a loaded 2-core box each takes seconds

  it('runs six pools on the embedded exchange and prints per-stage counts as JSON after --duration', async () => {
    const r = await tickline([
      'run',
      '--duration',
      '4',
      '--summary',
      'json',
      '--instruments',
      '300',
      '--log-level',
      'warn',
      '--http-port',
      '0',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout.trim().split('\n').pop() as string);
    expect(summary.placement).toEqual(['ingestx1', 'normalizex1', 'bookx1', 'signalsx1', 'riskx1', 'executionx1']);
    expect(Object.keys(summary.stages)).toEqual(['ingest', 'normalize', 'book', 'signals', 'risk', 'execution']);
    expect(summary.stages.ingest.emitted).toBeGreaterThan(100);
    // every frame ingest emitted reached normalize, and the books produced views downstream
    expect(summary.stages.normalize.processed).toBe(summary.stages.ingest.emitted);
    expect(summary.stages.book.processed).toBeGreaterThan(100);
    expect(summary.stages.signals.processed).toBeGreaterThan(100);
    expect(summary.restarts).toBe(0);
    // where the time went: queueing delay per edge and service time per stage, in ms
    type Lat = { count: number; p50Ms: number; p99Ms: number; p999Ms: number; maxMs: number };
    const ordered = (l: Lat) => l.p50Ms > 0 && l.p50Ms <= l.p99Ms && l.p99Ms <= l.p999Ms && l.p999Ms <= l.maxMs;
    for (const l of [...Object.values(summary.queueDelay), ...Object.values(summary.serviceTime)] as Lat[])
      expect(Object.keys(l).sort()).toEqual(['count', 'maxMs', 'p50Ms', 'p999Ms', 'p99Ms']);
    for (const edge of ['ingest->normalize', 'normalize->book', 'book->signals']) {
      const q = summary.queueDelay[edge] as Lat;
      expect(q.count, edge).toBeGreaterThan(100);
      expect(ordered(q), `${edge}: ${JSON.stringify(q)}`).toBe(true);
    }
    // every record normalize took from its ring had its wait recorded once
    expect(summary.queueDelay['ingest->normalize'].count).toBe(summary.stages.normalize.processed);
    for (const stage of ['normalize', 'book', 'signals']) {
      const t = summary.serviceTime[stage] as Lat;
      expect(t.count, stage).toBeGreaterThan(100);
      expect(t.count, stage).toBeLessThanOrEqual(summary.stages[stage].processed);
      expect(ordered(t), `${stage}: ${JSON.stringify(t)}`).toBe(true);
    }
  }, 60_000);

  it('stops on SIGTERM within 5 s with exit code 0, fused placement', async () => {
    const r = await tickline(
      ['run', '--fuse', 'normalize+book', 'risk+execution', '--instruments', '200', '--log-level', 'info', '--http-port', '0'],
      {
        signal: 'SIGTERM',
      },
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.signalledAt).toBeDefined();
    const stopMs = Date.now() - (r.signalledAt as number);
    expect(stopMs).toBeLessThan(5000);
    expect(r.stdout).toMatch(/tickline stopped after .* \(SIGTERM\)/);
    expect(r.stdout).toMatch(/normalize\s+processed=\d+/);
    // the trader's lines come first, then the per-stage counters
    expect(r.stdout).toMatch(
      /\(SIGTERM\); restarts=0\n {2}orders +\d+ sent, \d+ fills, \d+ open at stop; \d+ open position\(s\)\n {2}P&L +realized /,
    );
    expect(r.stdout).toMatch(/\n {2}books +\d+ live, \d+ syncing, \d+ re-seeding of \d+ \(before stop\)\n {2}ingest /);
  }, 60_000);
});

describe('run summary text', () => {
  it('prints counts per stage, then queueing delay per edge and service time per stage that recorded anything', () => {
    const lat = (count: number, p50Ms: number, p99Ms: number, p999Ms: number) => ({ count, p50Ms, p99Ms, p999Ms, maxMs: p999Ms });
    const none = { count: 0, p50Ms: null, p99Ms: null, p999Ms: null, maxMs: null };
    const summary: RunSummary = {
      durationS: 4,
      venue: 'sim',
      instruments: 3,
      placement: ['ingest+normalize+bookx1', 'signalsx1'],
      restarts: 0,
      stages: { book: { workers: 1, processed: 120, emitted: 118, dropped: { stale: 2 }, core: {} } },
      queueDelay: { 'book->signals': lat(118, 0.0412, 2.5, 12.25), 'execution->risk': none },
      serviceTime: { ingest: none, book: lat(120, 0.003, 0.25, 1.5) },
    };
    expect(summaryLines(summary)).toEqual([
      '  book       processed=120 emitted=118 dropped={"stale":2}',
      '  queue delay p50/p99/p99.9 ms: book->signals 0.041/2.5/12.3 (n=118)',
      '  service time p50/p99/p99.9 ms: book 0.003/0.250/1.5 (n=120)',
    ]);
    expect(summaryLines({ ...summary, queueDelay: {}, serviceTime: { ingest: none } })).toHaveLength(1);
  });

  it("puts the trader's lines first when the run has them", () => {
    const summary: RunSummary = {
      trading: {
        orders: 12,
        fills: 9,
        openOrders: 1,
        positions: 2,
        realizedPnl: '1.5',
        unrealizedPnl: '-0.25',
        fees: '0.125',
        netPnl: '1.125',
        state: 'active',
        halts: [
          { reason: 'feed_down:sim', text: 'feed down on sim', count: 2 },
          { reason: 'kill_switch', text: 'kill switch', count: 1 },
        ],
      },
      books: { instruments: 300, live: 298, syncing: 0, reseeding: 2 },
      durationS: 4,
      venue: 'sim',
      instruments: 300,
      placement: ['ingestx1'],
      restarts: 0,
      stages: { book: { workers: 1, processed: 120, emitted: 118, dropped: {}, core: {} } },
      queueDelay: {},
      serviceTime: {},
    };
    expect(summaryLines(summary)).toEqual([
      '  orders     12 sent, 9 fills, 1 open at stop; 2 open position(s)',
      '  P&L        realized 1.5, unrealized -0.25, fees 0.125, net 1.125',
      '  trading    ACTIVE before stop; halts: feed down on sim x2, kill switch',
      '  books      298 live, 0 syncing, 2 re-seeding of 300 (before stop)',
      '  book       processed=120 emitted=118 dropped={}',
    ]);
  });
});
