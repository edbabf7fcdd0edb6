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
import { isTerminal, SqliteJournal } from '@tickline/execution';
import { type ExchangeHandle, startExchange } from '@tickline/exchange';
import { type NatsServer, startNatsServer } from '@tickline/nats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { threeNodeCluster } from './cluster-plan.js';

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

/** The portfolio's open-order limit: instruments of both shards count against it together. */
const MAX_OPEN = 6;

interface Fill {
  seq: number;
  instrument: string;
  fillId: string;
  clientOrderId: string;
  orderId: string;
}

/** A node's dashboard URL and token, from the line it prints at start. */
function dashboardOf(n: Node): { url: string; token: string } | null {
  const m = /tickline dashboard: (http:\/\/[^/\s]+\/)#token=(\S+)/.exec(n.log);
  return m ? { url: m[1] as string, token: m[2] as string } : null;
}

describe('cluster failures, with real node processes and a real nats-server', () => {
  let nats: NatsServer;
  let exchange: ExchangeHandle;
  let dir: string;
  let config: string;
  const nodes: Record<string, Node> = {};
  let shard0: string[];
  let shard1: string[];

  /** GET as JSON; a kept-alive socket the server has just closed is retried on a fresh one. */
  const getJson = async <T>(url: string, init?: RequestInit): Promise<T> => {
    for (let attempt = 0; ; attempt++) {
      try {
        return (await (await fetch(url, init)).json()) as T;
      } catch (err) {
        if (attempt >= 3) throw err;
        await sleep(100);
      }
    }
  };
  const fills = async (since = 0): Promise<Fill[]> =>
    (await getJson<{ fills: Fill[] }>(`${exchange.httpUrl}/v1/fills?sinceSeq=${since}&limit=10000`)).fills;
  const openOrders = async (): Promise<{ instrument: string; clientOrderId: string }[]> =>
    (await getJson<{ orders: { instrument: string; clientOrderId: string }[] }>(`${exchange.httpUrl}/v1/orders`)).orders;
  /**
   * Instruments that trade from now on: those of orders the venue gets after this call (seen
   * resting, or filled), read by the returned function.
   */
  const tradingFromNow = async (): Promise<() => Promise<string[]>> => {
    const seen = new Set((await openOrders()).map((o) => o.clientOrderId));
    const mark = (await fills()).reduce((m, f) => Math.max(m, f.seq), 0);
    return async () => [
      ...(await openOrders()).filter((o) => !seen.has(o.clientOrderId)).map((o) => o.instrument),
      ...(await fills(mark)).filter((f) => !seen.has(f.clientOrderId)).map((f) => f.instrument),
    ];
  };

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
        cluster: threeNodeCluster('failtest', nats.url, { heartbeatMs: 200, peerTimeoutMs: 2500 }),
        venue: { name: 'sim', url: exchange.wsUrl, restUrl: exchange.httpUrl },
        fuse: ['ingest+normalize+book', 'signals+risk+execution'],
        stateDir: join(dir, 'state'),
        freshness: { maxDataAgeMs: 2000 },
        signals: { strategies: [{ id: 'random', type: 'random', instruments: traded, params: { ratePerSecond: 1.5, seed: 11 } }] },
        // a portfolio limit shared by both shards' instruments (one risk owner sees every order)
        risk: { maxOpenOrders: MAX_OPEN },
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
    const sinceHalt = await tradingFromNow();
    await until('new orders on instruments of A', async () => (await sinceHalt()).some((i) => shard0.includes(i)), 60_000);
    expect((await sinceHalt()).filter((i) => shard1.includes(i))).toEqual([]);
    expect((await fills(mark)).filter(inShard(shard1))).toEqual([]);
    expect(nodes.C?.log).not.toContain('"msg":"trading halted'); // the portfolio itself stays active
    expect(nodes.A?.exited).toBe(false);

    // B restarts: its books re-seed from the venue and its instruments trade again
    nodes.B = startNode('B', config);
    await until('C to resume B', () => nodes.C?.log.includes('feed up: node B runs again'), 120_000);
    const sinceResume = await tradingFromNow();
    await until('new orders on instruments of B', async () => (await sinceResume()).some((i) => shard1.includes(i)), 90_000);
  }, 400_000);
  it('the NATS server restarts: every node reconnects and re-subscribes, trading resumes on both shards, edge losses are counted', async () => {
    const reconnectsBefore = Object.fromEntries(Object.values(nodes).map((n) => [n.name, n.log.split('NATS reconnected').length]));
    await nats.restart();
    for (const n of Object.values(nodes))
      await until(`${n.name} to reconnect`, () => n.log.split('NATS reconnected').length > (reconnectsBefore[n.name] ?? 0), 60_000);
    // new orders reach the venue on both shards' instruments (resting or already filled)
    const sinceRestart = await tradingFromNow();
    await until(
      'new orders on both shards after the restart',
      async () => {
        const fresh = await sinceRestart();
        return fresh.some((i) => shard0.includes(i)) && fresh.some((i) => shard1.includes(i));
      },
      120_000,
    );

    // every node's edges report what they moved and what was lost, as numbers, and C's edge from
    // A and B moves records again after the restart (its durable consumer was set up anew)
    const c = dashboardOf(nodes.C as Node);
    expect(c).not.toBeNull();
    type Edge = { side: string; moved: number; lost: number };
    const cluster = async () =>
      getJson<{ nodes: { name: string; up: boolean; stats: { edges?: Edge[] } | null }[] }>(`${c?.url}api/cluster`, {
        headers: { authorization: `Bearer ${c?.token}` },
      });
    const inEdge = async () => (await cluster()).nodes.find((n) => n.name === 'C')?.stats?.edges?.[0]?.moved ?? 0;
    const movedNow = await inEdge();
    await until('C to take records from NATS again', async () => (await inEdge()) > movedNow + 100, 60_000);
    const view = await until(
      "every node's stats with its edges",
      async () => {
        const r = await cluster();
        return r.nodes.every((n) => n.up && (n.stats?.edges?.length ?? 0) > 0) ? r : null;
      },
      30_000,
    );
    // /metrics: every series labelled by node, and this node's view of each peer
    const metrics = await (await fetch(`${c?.url}metrics`)).text();
    expect(metrics).toMatch(/tickline_stage_records_total\{stage="signals",outcome="processed",node="C"\} \d+/);
    for (const peer of ['A', 'B', 'C']) expect(metrics).toContain(`tickline_cluster_peer_up{peer="${peer}",node="C"} 1`);
    for (const n of view.nodes) {
      const e = n.stats?.edges?.[0];
      expect(e?.side).toBe(n.name === 'C' ? 'in' : 'out');
      expect(e?.moved).toBeGreaterThan(0);
      expect(typeof e?.lost).toBe('number');
    }
  }, 300_000);

  it('execution killed with kill -9 and restarted recovers from its journal: no fill lost, none twice, no client order id used twice', async () => {
    const before = await fills();
    expect(before.length).toBeGreaterThan(0);
    nodes.C?.proc.kill('SIGKILL');
    await until('C to exit', () => nodes.C?.exited, 10_000);
    nodes.C = startNode('C', config);
    await until('C to run again', () => nodes.C?.log.includes('cross-node edges open'), 120_000);
    const received = exchange.stats().ordersReceived;
    await until('orders after the restart', () => exchange.stats().ordersReceived > received + 5, 120_000);
    // quiet market, then compare the journal with the venue
    exchange.setPaused(true);
    let last = '';
    await until(
      'the venue account to settle',
      async () => {
        const a = JSON.stringify(await getJson(`${exchange.httpUrl}/v1/account`));
        const same = a === last;
        last = a;
        await sleep(900);
        return same;
      },
      30_000,
    );
    const journal = new SqliteJournal(join(dir, 'state', 'C', 'journal-0.sqlite'));
    const state = journal.load();
    journal.close();
    const venueFills = await fills();
    const jf = new Set(state.fills.map((f) => f.fillId));
    const vf = new Set(venueFills.map((f) => f.fillId));
    expect([...vf].filter((id) => !jf.has(id))).toEqual([]); // no fill lost
    expect([...jf].filter((id) => !vf.has(id))).toEqual([]); // none the venue does not know
    expect(state.fills.length).toBe(jf.size); // none twice
    const orderOf = new Map<string, Set<string>>();
    for (const f of venueFills) orderOf.set(f.clientOrderId, (orderOf.get(f.clientOrderId) ?? new Set()).add(f.orderId));
    expect([...orderOf.entries()].filter(([, o]) => o.size > 1)).toEqual([]); // no client order id for two orders
    const ourOpen = state.orders
      .filter((o) => !isTerminal(o.status) && o.venueOrderId !== '')
      .map((o) => o.clientOrderId)
      .sort();
    const venueOpen = (await openOrders()).map((o) => o.clientOrderId).sort();
    expect(ourOpen).toEqual(venueOpen);
    exchange.setPaused(false);
  }, 300_000);
});
