/**
 * `sigkill`: `tickline run` in its own process trades against the exchange (in another process);
 * it is killed with SIGKILL mid-trading (orders resting and in flight, fills arriving) and started
 * again on the same state directory. With the market paused afterwards, its journal must hold
 * exactly the exchange's fills (none lost, none twice), positions equal to the exchange account's,
 * the same open orders, and no client order id used for two orders.
 */

import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isTerminal, SqliteJournal } from '@tickline/execution';
import { parseUnits } from '@tickline/exchange';
import { simInstruments } from '@tickline/normalize';
import { InstrumentRegistry } from '@tickline/wire';
import { spawnExchange } from '../bench/live/exchange-process.js';
import { type ChaosContext, type ChaosResult, getJson, sleep, until, Verdict } from './harness.js';

const MAIN = new URL('../main.ts', import.meta.url).pathname;
const INSTRUMENTS = 20;

/** `tickline run` as a child process; resolves once it says it is running. */
async function startRun(configPath: string): Promise<{ child: ChildProcess; exited: Promise<number | null>; stderr: () => string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, 'run', '-c', configPath], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d) => {
    stderr += String(d);
    if (stderr.length > 200_000) stderr = stderr.slice(-100_000);
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  await until(
    () => (stderr.includes('tickline running') ? true : child.exitCode !== null ? false : undefined),
    60_000,
    'tickline run to start',
  ).then((ok) => {
    if (!ok) throw new Error(`tickline run exited early: ${stderr.slice(-1000)}`);
  });
  return { child, exited, stderr: () => stderr };
}

interface Fill {
  fillId: string;
  clientOrderId: string;
  orderId: string;
}

export async function sigkill(ctx: ChaosContext): Promise<ChaosResult> {
  const v = new Verdict();
  const ex = await spawnExchange({ instruments: INSTRUMENTS, eventsPerSecond: 4000, orderRateLimit: 100_000, heartbeatMs: 1000 });
  const dir = mkdtempSync(join(tmpdir(), 'tickline-chaos-sigkill-'));
  const http = ex.httpUrl;
  let run: Awaited<ReturnType<typeof startRun>> | null = null;
  try {
    const config = {
      venue: { name: 'sim', url: ex.wsUrl, restUrl: http },
      stateDir: dir,
      http: { port: 0 },
      log: { level: 'info' },
      signals: { strategies: [{ id: 'random', type: 'random', params: { ratePerSecond: 2, seed: 5 } }] },
      risk: { orderRate: { perSecond: 100_000, burst: 100_000 }, maxOpenOrders: 100_000, maxGrossExposure: 1e12, maxPosition: 1e12 },
      execution: { cancelOnShutdown: false },
    };
    const configPath = join(dir, 'chaos.json');
    writeFileSync(configPath, JSON.stringify(config));
    const account = async () =>
      getJson<{ positions: { instrument: string; size: string }[]; openOrders: number; fills: number }>(
        `${http}/v1/account?account=default`,
      );
    const stats = () => getJson<Record<string, number>>(`${http}/v1/stats`);

    run = await startRun(configPath);
    // trade until orders rest and fills arrive, then kill mid-stream
    const minOrders = Math.max(40, ctx.seconds * 10);
    await until(async () => (((await stats()).ordersReceived ?? 0) >= minOrders ? true : undefined), 120_000, `${minOrders} orders`, 100);
    const atKill = await account();
    const ordersAtKill = (await stats()).ordersReceived;
    run.child.kill('SIGKILL');
    await run.exited;
    ctx.log(`killed with ${ordersAtKill} orders sent, ${atKill.openOrders} open, ${atKill.fills} fills`);

    run = await startRun(configPath);
    const restartedAt = (await stats()).ordersReceived ?? 0;
    await until(
      async () => (((await stats()).ordersReceived ?? 0) >= restartedAt + minOrders / 2 ? true : undefined),
      120_000,
      'trading after restart',
      100,
    );
    // quiet market: no decisions, so nothing changes while the two sides are compared
    await getJson(`${http}/v1/control/market`, { method: 'POST', body: JSON.stringify({ paused: true }) });
    let last = '';
    await until(
      async () => {
        const a = JSON.stringify(await account());
        const same = a === last;
        last = a;
        return same ? true : undefined;
      },
      30_000,
      'the account to settle',
      1000,
    );
    await sleep(1000);

    // the registry exactly as `tickline run` builds it (instrument ids and size scales)
    const registry = new InstrumentRegistry();
    for (const i of simInstruments(await getJson(`${http}/v1/instruments`))) registry.add({ ...i, venue: 'sim' });
    const specs = registry.list();
    const journal = new SqliteJournal(join(dir, 'journal-0.sqlite'));
    const state = journal.load();
    journal.close();
    const venue = await account();
    const venueFills = (await getJson<{ fills: Fill[] }>(`${http}/v1/fills?account=default&limit=10000`)).fills;
    const venueOpen = (await getJson<{ orders: { clientOrderId: string }[] }>(`${http}/v1/orders?account=default`)).orders.map(
      (o) => o.clientOrderId,
    );

    // positions: the journal's fills summed, against the account's, in size units
    const ours = new Map<string, number>();
    for (const f of state.fills) {
      const sym = specs.find((i) => i.id === f.instrument)?.symbol ?? `#${f.instrument}`;
      ours.set(sym, (ours.get(sym) ?? 0) + (f.side === 0 ? 1 : -1) * Math.round(f.size));
    }
    const theirs = new Map<string, number>();
    for (const p of venue.positions) {
      const scale = specs.find((i) => i.symbol === p.instrument)?.sizeScale ?? 0;
      const neg = p.size.startsWith('-');
      theirs.set(p.instrument, (neg ? -1 : 1) * (parseUnits(neg ? p.size.slice(1) : p.size, scale) ?? Number.NaN));
    }
    const positionMismatches = [...new Set([...ours.keys(), ...theirs.keys()])].filter((s) => (ours.get(s) ?? 0) !== (theirs.get(s) ?? 0));
    const jf = new Set(state.fills.map((f) => f.fillId));
    const vf = new Set(venueFills.map((f) => f.fillId));
    const fillsLost = [...vf].filter((id) => !jf.has(id)).length;
    const fillsUnknown = [...jf].filter((id) => !vf.has(id)).length;
    const ourOpen = state.orders.filter((o) => !isTerminal(o.status) && o.venueOrderId !== '').map((o) => o.clientOrderId);
    const openOnlyOurs = ourOpen.filter((id) => !venueOpen.includes(id)).length;
    const openOnlyVenue = venueOpen.filter((id) => !ourOpen.includes(id)).length;
    const orderOf = new Map<string, Set<string>>();
    for (const f of venueFills) orderOf.set(f.clientOrderId, (orderOf.get(f.clientOrderId) ?? new Set()).add(f.orderId));
    const duplicateClientIds = [...orderOf.values()].filter((s) => s.size > 1).length;
    v.set({
      ordersBeforeKill: ordersAtKill,
      openOrdersAtKill: atKill.openOrders,
      fillsAtKill: atKill.fills,
      ordersAfterRestart: ((await stats()).ordersReceived ?? 0) - restartedAt,
      venueFills: vf.size,
      journalFills: jf.size,
      fillsLost,
      fillsUnknownToVenue: fillsUnknown,
      positions: theirs.size,
      positionMismatches: positionMismatches.length,
      venueOpenOrders: venueOpen.length,
      journalOpenOrders: ourOpen.length,
      openOrderMismatches: openOnlyOurs + openOnlyVenue,
      duplicateClientIds,
    });
    v.check(atKill.fills > 0, 'no fill before the kill: nothing was at stake');
    v.check(fillsLost === 0 && fillsUnknown === 0, `${fillsLost} fills lost, ${fillsUnknown} journaled fills unknown to the venue`);
    v.check(
      positionMismatches.length === 0,
      `positions differ: ${positionMismatches
        .slice(0, 5)
        .map((s) => `${s} ours ${ours.get(s) ?? 0} venue ${theirs.get(s) ?? 0}`)
        .join(', ')}`,
    );
    v.check(openOnlyOurs + openOnlyVenue === 0, `${openOnlyOurs} open orders only in the journal, ${openOnlyVenue} only at the venue`);
    v.check(duplicateClientIds === 0, `${duplicateClientIds} client order ids used for two orders`);
  } catch (err) {
    v.check(
      false,
      `sigkill could not complete: ${err instanceof Error ? err.message : String(err)}${run ? `; run stderr: ${run.stderr().slice(-500)}` : ''}`,
    );
  } finally {
    if (run && run.child.exitCode === null) {
      run.child.kill('SIGINT');
      await Promise.race([run.exited, sleep(6000)]);
      if (run.child.exitCode === null) run.child.kill('SIGKILL');
    }
    await ex.close();
    rmSync(dir, { recursive: true, force: true });
  }
  return v.result('sigkill');
}
