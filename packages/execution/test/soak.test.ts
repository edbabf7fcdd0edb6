/**
 * Random-trader soak against the real embedded exchange: signals (random trader) -> risk ->
 * execution -> WebSocket gateway -> exchange, with the feedback edge back into risk, injected
 * disconnects, partial fills, reprices, cancels and exits. Ends with every order terminal and
 * positions equal to the sum of journaled fills and to the exchange's own account.
 */

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ExchangeHandle, startExchange } from '@tickline/exchange';
import type { Emitter } from '@tickline/runtime';
import { resolveRiskConfig, RiskCore } from '@tickline/risk';
import { createStrategies, resolveSignalsConfig, SignalsCore } from '@tickline/signals';
import { afterAll, describe, expect, it } from 'vitest';
import { ExecutionCore, OrderStatus, resolveExecutionConfig, SqliteJournal, WsVenueGateway } from '../src/index.js';
import { pollViews, registryFor, sleep, turnCommitter, until, venueOpenOrders, venuePositions } from './exchange-harness.js';
import { Recorder } from '@tickline/runtime/testing';

const TARGET_ORDERS = Number(process.env.TKL_SOAK_ORDERS ?? 400);
const SYMBOLS = ['AAPL', 'MSFT', 'BTC-USD', 'ETH-USD', 'NVDA', 'SOL-USD'];
const ACCOUNT = 'soak';

let ex: ExchangeHandle | null = null;
afterAll(async () => {
  await ex?.close();
});

describe('random-trader soak against the embedded exchange', () => {
  it(`trades >= ${TARGET_ORDERS} orders through disconnects and ends reconciled`, { timeout: 120_000 }, async () => {
    ex = await startExchange({ instruments: 30, seed: 11, eventsPerSecond: 4000, orderRateLimit: 0, heartbeatMs: 0 });
    const http = ex.httpUrl;
    const reg = registryFor(ex.instruments, SYMBOLS);
    const started = Date.now();

    const signals = new SignalsCore({
      registry: reg,
      strategies: createStrategies(
        resolveSignalsConfig({
          strategies: [
            {
              id: 'rnd',
              type: 'random',
              params: { seed: 42, ratePerSecond: 12, minLots: 1, maxLots: 400, marketShare: 0.2, passiveShare: 0.45, maxOffsetTicks: 2 },
            },
          ],
        }),
        reg,
        0,
      ),
      maxIntentsPerSecond: 1000,
    });
    const risk = new RiskCore(
      resolveRiskConfig({
        maxOpenOrders: 500,
        orderRate: { perSecond: 500, burst: 500 },
        maxOrderNotional: 1e12,
        maxGrossExposure: 1e15,
        maxPosition: 1e12,
        maxOrderQty: 1e12,
        priceBandBps: 2000,
        maxIntentAgeMs: 2000,
        maxDataAgeMs: 5000,
      }),
      reg,
    );
    const journal = new SqliteJournal(join(mkdtempSync(join(tmpdir(), 'tkl-soak-')), 'journal.db'), { synchronous: 'normal' });
    const feedback = new Recorder();
    let exec: ExecutionCore | null = null;
    // The wiring the runtime does: signals -> risk -> execution, and execution -> risk (feedback).
    const execOut: Emitter = Object.assign(Object.create(feedback) as Recorder, {
      orderEvent: (e: Parameters<Recorder['orderEvent']>[0]) => {
        feedback.orderEvent(e);
        risk.onOrderEvent(e, riskOut);
      },
      fill: (f: Parameters<Recorder['fill']>[0]) => {
        feedback.fill(f);
        risk.onFill(f, riskOut);
      },
      position: (p: Parameters<Recorder['position']>[0]) => {
        feedback.position(p);
        risk.onPosition(p, riskOut);
      },
    });
    const riskOut: Emitter = Object.assign(Object.create(new Recorder()) as Recorder, {
      bookView: (v: Parameters<Recorder['bookView']>[0]) => exec?.onBookView(v, execOut),
      orderIntent: (o: Parameters<Recorder['orderIntent']>[0]) => exec?.onOrderIntent(o, execOut),
      mark: (m: Parameters<Recorder['mark']>[0]) => exec?.onMark(m, execOut),
    });
    const sigOut: Emitter = Object.assign(Object.create(new Recorder()) as Recorder, {
      bookView: (v: Parameters<Recorder['bookView']>[0]) => risk.onBookView(v, riskOut),
      orderIntent: (o: Parameters<Recorder['orderIntent']>[0]) => risk.onOrderIntent(o, riskOut),
      signal: () => {},
    });
    const errors: string[] = [];
    // Group commit as the stage runs it: a unit per loop round and per turn of venue messages.
    const endTurn = turnCommitter(() => exec);
    const gateway = new WsVenueGateway({
      url: ex.wsUrl,
      account: ACCOUNT,
      token: null,
      registry: reg,
      venue: 'sim',
      reconnectMinMs: 20,
      reconnectMaxMs: 200,
      onMessage: (m) => {
        if (m.kind === 'order-error' && m.code === 'duplicate_client_order_id') errors.push(m.clientOrderId);
        exec?.onVenue(m, execOut);
        endTurn();
      },
    });
    exec = new ExecutionCore(
      resolveExecutionConfig({
        maxIntentAgeMs: 2000,
        ackTimeoutMs: 1000,
        orderTtlMs: 1500,
        marketMove: { policy: 'reprice', awayBps: 5, maxReprices: 2 },
        exits: { takeProfitBps: 8, stopLossBps: 8, trailingStopBps: 5, maxHoldMs: 3000, slippageBps: 20 },
      }),
      reg,
      gateway,
      journal,
    );
    const core = exec;
    core.unit.start();
    gateway.connect();
    await until(() => gateway.connected, 5000, 'gateway connect');

    let trading = true;
    let drops = 0;
    const loop = (async () => {
      let nextDrop = Date.now() + 700;
      while (trading) {
        for (const v of await pollViews(http, reg)) signals.onBookView(v, sigOut);
        risk.tick(Date.now(), riskOut);
        core.tick(Date.now(), execOut);
        core.unit.commit();
        if (Date.now() > nextDrop) {
          ex?.setFaults({ drop: 'all' }); // abrupt disconnect of every connection
          drops++;
          nextDrop = Date.now() + 700 + Math.random() * 600;
        }
        await sleep(10);
      }
    })();
    await until(() => core.counters.ordersSent >= TARGET_ORDERS, 90_000, `${TARGET_ORDERS} orders`);
    trading = false;
    await loop;

    // Wind down: cancel everything, let timers resolve stragglers, reconcile once more.
    await until(() => gateway.connected, 5000, 'reconnect');
    core.cancelAll(null, 'soak end', execOut);
    core.unit.commit();
    await until(
      async () => {
        core.tick(Date.now(), execOut);
        for (const v of await pollViews(http, reg)) core.onBookView(v, execOut);
        core.unit.commit();
        return core.openOrders().length === 0 && !core.reconciling && gateway.connected;
      },
      20_000,
      'all orders terminal',
    );
    core.onVenue({ kind: 'connected' }, execOut); // a final full reconciliation
    core.unit.commit();
    await until(() => !core.reconciling, 5000, 'final reconciliation');
    const elapsed = Date.now() - started;

    // 1. every order is terminal, here and at the venue
    const rows = journal.load();
    expect(rows.orders.length).toBeGreaterThanOrEqual(TARGET_ORDERS);
    expect(
      rows.orders.filter(
        (o) =>
          o.status !== OrderStatus.Filled &&
          o.status !== OrderStatus.Cancelled &&
          o.status !== OrderStatus.Rejected &&
          o.status !== OrderStatus.Expired,
      ),
    ).toEqual([]);
    expect(await venueOpenOrders(http, ACCOUNT)).toEqual([]);
    // 2. positions = sum of fills = the exchange's own account
    const sum = new Map<number, number>();
    for (const f of rows.fills) sum.set(f.instrument, (sum.get(f.instrument) ?? 0) + (f.side === 0 ? f.size : -f.size));
    const ours = new Map<number, number>();
    for (const p of core.positions.all()) if (p.qty !== 0) ours.set(p.spec.id, p.qty);
    for (const [k, v] of [...sum]) if (v === 0) sum.delete(k);
    expect(ours).toEqual(sum);
    expect(ours).toEqual(await venuePositions(http, ACCOUNT, reg));
    expect(new Set(rows.fills.map((f) => f.fillId)).size).toBe(rows.fills.length);
    // risk saw the same positions through the feedback edge
    for (const [id, q] of ours) expect(risk.instrument(id)?.position).toBe(q);
    // 3. the soak exercised what it should have
    expect(errors).toEqual([]); // no client order id sent twice
    expect(gateway.counters.refusedResend).toBe(0);
    expect(drops).toBeGreaterThanOrEqual(2);
    expect(gateway.counters.connects).toBeGreaterThanOrEqual(3);
    expect(feedback.events.some((e) => e.status === OrderStatus.PartiallyFilled)).toBe(true);
    expect(feedback.events.some((e) => e.status === OrderStatus.Cancelled)).toBe(true);
    expect(rows.fills.length).toBeGreaterThan(50);
    const c = core.counters;
    console.log(
      `soak: ${rows.orders.length} orders (${c.ordersSent} sent, ${c.reprices} reprices, ${c.exits} exits, ${c.cancels} cancels), ${rows.fills.length} fills ` +
        `(${core.positions.stats.trades} round trips), ${gateway.counters.connects - 1} reconnects, ${c.seqGaps} report gaps, ${c.venueDown} refused while down, ` +
        `risk approved ${risk.counters.approved}/${risk.counters.intents}, ${(elapsed / 1000).toFixed(1)} s`,
    );
    gateway.close();
    journal.close();
  });
});
