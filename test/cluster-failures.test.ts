/**
 * A three-node cluster as real processes on a real nats-server, trading against the embedded
 * exchange (the ground truth for orders and fills): A and B run ingest -> normalize -> book for
 * one shard each, C runs signals -> risk -> execution for both. B is killed with kill -9: risk
 * halts exactly B's instruments and cancels their open orders while A's keep trading; B restarts:
 * its books re-seed and its instruments trade again.
 */

import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { shardOf } from '@tickline/cluster';
import { type ExchangeHandle, startExchange } from '@tickline/exchange';
import { type NatsServer, startNatsServer } from '@tickline/nats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = new URL('..', import.meta.url).pathname;
const MAIN = join(ROOT, 'packages/cli/src/main.ts');

interface Node {
  readonly name: string;
  readonly proc: ChildProcess;
  log: string;
  exited: boolean;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The last lines of every node's log, for a failure message. */
let logTails: () => string = () => '';

async function until<T>(what: string, fn: () => T | Promise<T>, ms = 60_000): Promise<NonNullable<T>> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v as NonNullable<T>;
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}\n${logTails()}`);
    await sleep(100);
  }
}

function startNode(name: string, config: string): Node {
  const proc = spawn(process.execPath, ['--import', 'tsx', MAIN, 'run', '--config', config, '--node', name, '--log-format', 'json'], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const node: Node = { name, proc, log: '', exited: false };
  proc.stdout?.on('data', (d) => (node.log += d));
  proc.stderr?.on('data', (d) => (node.log += d));
  proc.on('exit', () => (node.exited = true));
  return node;
}

async function stopNode(n: Node | undefined): Promise<void> {
  if (!n || n.exited) return;
  const done = new Promise((r) => n.proc.once('exit', r));
  n.proc.kill('SIGTERM');
  await Promise.race([done, sleep(8000)]);
  if (!n.exited) n.proc.kill('SIGKILL');
}

interface Fill {
  seq: number;
  instrument: string;
}

describe('cluster failures, with real node processes and a real nats-server', () => {
  let nats: NatsServer;
  let exchange: ExchangeHandle;
  let dir: string;
  let config: string;
  const nodes: Record<string, Node> = {};
  let shard0: string[];
  let shard1: string[];

  const fills = async (since = 0): Promise<Fill[]> => {
    const r = (await (await fetch(`${exchange.httpUrl}/v1/fills?sinceSeq=${since}&limit=10000`)).json()) as { fills: Fill[] };
    return r.fills;
  };
  const openOrders = async (): Promise<{ instrument: string }[]> =>
    ((await (await fetch(`${exchange.httpUrl}/v1/orders`)).json()) as { orders: { instrument: string }[] }).orders;

  beforeAll(async () => {
    logTails = () =>
      Object.values(nodes)
        .map((n) => `--- ${n.name}${n.exited ? ' (exited)' : ''}\n${n.log.split('\n').slice(-12).join('\n').slice(-3000)}`)
        .join('\n');
    nats = await startNatsServer();
    exchange = await startExchange({ host: '127.0.0.1', port: 0, instruments: 60 });
    dir = mkdtempSync(join(tmpdir(), 'tickline-cluster-'));
    const symbols = exchange.instruments.map((i) => i.symbol);
    shard0 = symbols.filter((s) => shardOf(`sim:${s}`, 2) === 0);
    shard1 = symbols.filter((s) => shardOf(`sim:${s}`, 2) === 1);
    const traded = [...shard0.slice(0, 8), ...shard1.slice(0, 8)].map((s) => `sim:${s}`);
    config = join(dir, 'cluster.json');
    writeFileSync(
      config,
      JSON.stringify({
        cluster: {
          name: 'failtest',
          nats: { url: nats.url },
          shards: { count: 2 },
          heartbeatMs: 200,
          peerTimeoutMs: 2500,
          nodes: {
            A: { stages: ['ingest', 'normalize', 'book'], shards: [0], http: { port: 0 } },
            B: { stages: ['ingest', 'normalize', 'book'], shards: [1], http: { port: 0 } },
            C: { stages: ['signals', 'risk', 'execution'], shards: 'all', http: { port: 0 } },
          },
        },
        venue: { name: 'sim', url: exchange.wsUrl, restUrl: exchange.httpUrl },
        fuse: ['ingest+normalize+book', 'signals+risk+execution'],
        stateDir: join(dir, 'state'),
        freshness: { maxDataAgeMs: 2000 },
        signals: { strategies: [{ id: 'random', type: 'random', instruments: traded, params: { ratePerSecond: 1.5, seed: 11 } }] },
      }),
    );
  }, 60_000);

  afterAll(async () => {
    await Promise.all(Object.values(nodes).map(stopNode));
    await exchange?.close();
    await nats?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('a node that starts first waits for its peers; the three trade on both shards; kill -9 B halts exactly its instruments; B restarts and they trade again', async () => {
    nodes.A = startNode('A', config);
    await until('A to say it waits for B and C', () => nodes.A?.log.includes('waiting for peers: B, C'));
    nodes.B = startNode('B', config);
    nodes.C = startNode('C', config);
    for (const n of ['A', 'B', 'C']) await until(`${n}'s edges`, () => nodes[n]?.log.includes('cross-node edges open'), 120_000);
    const inShard = (list: string[]) => (f: Fill) => list.includes(f.instrument);
    await until(
      'fills on both shards',
      async () => {
        const all = await fills();
        return all.some(inShard(shard0)) && all.some(inShard(shard1));
      },
      90_000,
    );

    // kill -9 B while orders rest on its instruments: C's risk halts B's instruments (and only
    // those) and cancels their open orders
    await until("an open order on B's instruments", async () => (await openOrders()).some((o) => shard1.includes(o.instrument)), 60_000);
    nodes.B?.proc.kill('SIGKILL');
    await until('C to halt B', () => nodes.C?.log.includes('feed down: node B is gone'), 30_000);
    await until(
      "no open order left on B's instruments",
      async () => !(await openOrders()).some((o) => shard1.includes(o.instrument)),
      15_000,
    );
    const mark = (await fills()).reduce((m, f) => Math.max(m, f.seq), 0);
    await until('a new fill on an instrument of A', async () => (await fills(mark)).some(inShard(shard0)), 60_000);
    const after = await fills(mark);
    expect(after.filter(inShard(shard1))).toEqual([]);
    expect(nodes.C?.log).not.toContain('"msg":"trading halted'); // the portfolio itself stays active
    expect(nodes.A?.exited).toBe(false);

    // B restarts: its books re-seed from the venue and its instruments trade again
    nodes.B = startNode('B', config);
    await until('C to resume B', () => nodes.C?.log.includes('feed up: node B runs again'), 120_000);
    const resumed = (await fills()).reduce((m, f) => Math.max(m, f.seq), 0);
    await until('a new fill on an instrument of B', async () => (await fills(resumed)).some(inShard(shard1)), 90_000);
  }, 400_000);
});
