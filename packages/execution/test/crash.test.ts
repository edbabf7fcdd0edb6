/**
 * Crash test: a child process runs execution with the SQLite journal against the exchange and
 * is killed with SIGKILL mid-session (orders in flight, fills arriving). A fresh execution core
 * on the same journal must restore positions and open orders exactly as the exchange has them,
 * with no fill lost and no order duplicated.
 */

import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ExchangeHandle, startExchange } from '@tickline/exchange';
import { afterAll, describe, expect, it } from 'vitest';
import { ExecutionCore, resolveExecutionConfig, SqliteJournal, WsVenueGateway } from '../src/index.js';
import { registryFor, sleep, until, venueFills, venueOpenOrders, venuePositions } from './exchange-harness.js';
import { Recorder } from '@tickline/runtime/testing';

const here = dirname(fileURLToPath(import.meta.url));
const SYMBOLS = ['AAPL', 'BTC-USD', 'MSFT'];

let ex: ExchangeHandle | null = null;
afterAll(async () => {
  await ex?.close();
});

async function runAndKill(journalPath: string, account: string, seed: number, minOrders: number): Promise<number> {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      join(here, 'fixtures/crash-child.ts'),
      ex?.wsUrl ?? '',
      ex?.httpUrl ?? '',
      journalPath,
      account,
      SYMBOLS.join(','),
      String(seed),
    ],
    {
      cwd: join(here, '../../..'),
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let sent = 0;
  let err = '';
  child.stdout.on('data', (d: Buffer) => {
    const m = /sent (\d+) fills (\d+)\n(?![\s\S]*sent)/.exec(String(d));
    if (m) sent = Number(m[1]);
  });
  child.stderr.on('data', (d: Buffer) => (err += String(d)));
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  await until(() => sent >= minOrders || child.exitCode !== null, 30_000, `child to send ${minOrders} orders (${err.slice(0, 500)})`);
  expect(child.exitCode, err).toBeNull();
  child.kill('SIGKILL'); // mid-session: orders in flight, reports arriving
  await exited;
  return sent;
}

describe('kill -9 and restart', () => {
  it('restores positions and open orders exactly, losing no fill and duplicating no order', { timeout: 120_000 }, async () => {
    ex = await startExchange({ instruments: 20, seed: 5, eventsPerSecond: 4000, orderRateLimit: 0, heartbeatMs: 0 });
    const http = ex.httpUrl;
    const reg = registryFor(ex.instruments, SYMBOLS);
    const dir = mkdtempSync(join(tmpdir(), 'tkl-crash-'));
    const journalPath = join(dir, 'journal.db');
    const account = 'crash';
    // Two crashes on the same journal: the second session starts from a recovered journal.
    const sent1 = await runAndKill(journalPath, account, 1, 120);
    const sent2 = await runAndKill(journalPath, account, 2, 120);

    const journal = new SqliteJournal(journalPath);
    const out = new Recorder();
    let core: ExecutionCore | null = null;
    const gateway = new WsVenueGateway({
      url: ex.wsUrl,
      account,
      token: null,
      registry: reg,
      venue: 'sim',
      reconnectMinMs: 20,
      reconnectMaxMs: 200,
      onMessage: (m) => core?.onVenue(m, out),
    });
    core = new ExecutionCore(
      resolveExecutionConfig({ exits: { enabled: false }, orderTtlMs: 0, marketMove: { policy: 'none' }, cancelOnShutdown: false }),
      reg,
      gateway,
      journal,
    );
    const c = core;
    const recoveredFills = journal.load().fills.length;
    gateway.connect();
    await until(() => gateway.connected, 5000, 'connect');
    await sleep(50);
    await until(() => !c.reconciling, 10_000, 'reconciliation');
    // Quiet market: wait until no order is still changing, then compare with the venue.
    ex.setPaused(true);
    await sleep(300);

    const positions = new Map<number, number>();
    for (const p of c.positions.all()) if (p.qty !== 0) positions.set(p.spec.id, p.qty);
    expect(positions).toEqual(await venuePositions(http, account, reg));
    const ourOpen = c
      .openOrders()
      .map((o) => o.clientOrderId)
      .sort();
    expect(ourOpen).toEqual(await venueOpenOrders(http, account));
    const vf = await venueFills(http, account);
    const jf = journal.load().fills;
    expect(jf.map((f) => f.fillId).sort()).toEqual(vf.map((f) => f.fillId).sort()); // no fill lost, none twice
    // every order the venue ever saw came from the journal: nothing was sent unjournaled
    const journaled = new Set(
      journal
        .load()
        .orders.filter((o) => o.purpose !== 'external')
        .map((o) => o.clientOrderId),
    );
    for (const f of vf) expect(journaled.has(f.clientOrderId)).toBe(true);
    expect(c.counters.duplicateIntents).toBe(0);
    console.log(
      `crash: sessions sent ${sent1} + ${sent2} orders; journal had ${recoveredFills} fills, reconciliation booked ${jf.length - recoveredFills} more; ` +
        `${ourOpen.length} open orders and ${positions.size} positions restored`,
    );
    gateway.close();
    journal.close();
  });
});
