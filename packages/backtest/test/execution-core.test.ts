/**
 * The real execution core trading against the local venue (no fake venue): intents become orders
 * that arrive after the entry latency, acks and fills come back after the response latency, the
 * core's order states, positions and fees follow, and its reconciliation (open orders and fills
 * queries on connect) finds nothing missing.
 */
import { ExecutionCore, MemoryJournal, OrderStatus as S, resolveExecutionConfig } from '@tickline/execution';
import { intent, Recorder, testRegistry, view } from '@tickline/runtime/testing';
import { describe, expect, it } from 'vitest';
import { createLatencyModel, LocalVenue } from '../src/index.js';
import { levels } from './helpers.js';

describe('ExecutionCore against LocalVenue', () => {
  it('orders, acks, taker and maker fills, positions and fees, with latency and a clean reconcile', () => {
    const registry = testRegistry();
    const t0 = 1_700_000_000_000;
    const clock = { now: t0 };
    const venue = new LocalVenue({
      registry,
      clock: () => clock.now,
      entryLatency: createLatencyModel({ kind: 'constant', ms: 4 }, 0),
      responseLatency: createLatencyModel({ kind: 'constant', ms: 6 }, 0),
    });
    const logs: string[] = [];
    const log = { info: (msg: string) => logs.push(`info ${msg}`), warn: (msg: string) => logs.push(`warn ${msg}`) };
    const core = new ExecutionCore(resolveExecutionConfig({}), registry, venue, new MemoryJournal(), { clock: () => clock.now, log });
    const rec = new Recorder();
    const deliver = (m: Parameters<typeof core.onVenue>[0], at: number): void => {
      clock.now = at;
      core.onVenue(m, rec);
    };
    const at = (t: number): void => {
      venue.runUntil(t, deliver);
      clock.now = Math.max(clock.now, t);
    };

    venue.snapshot(t0, 1, levels([[10000, 50]]), levels([[10001, 30]]));
    core.onVenue({ kind: 'connected' }, rec); // reconciles: open orders and fills queries
    core.onBookView(view({ instrument: 1, bid: 10000, ask: 10001, nowMs: t0 }), rec);
    // A marketable IOC buy of 10 at 10001 and a resting GTC buy of 5 at 10000 (behind 50).
    core.onOrderIntent(intent({ intentId: 1, instrument: 1, side: 0, tif: 1, price: 10001, size: 10 }, t0), rec);
    core.onOrderIntent(intent({ intentId: 2, instrument: 1, side: 0, tif: 0, price: 10000, size: 5 }, t0), rec);
    at(t0 + 3);
    expect(rec.fills.length).toBe(0); // nothing has even arrived yet
    at(t0 + 9);
    expect(rec.fills.length).toBe(0); // the taker fill happened at +4, delivered at +10
    at(t0 + 10);
    expect(rec.fills.map((f) => [f.price, f.size])).toEqual([[10001, 10]]);
    // The market trades 60 at 10000: 50 ahead, then 5 for us (maker), delivered 6 ms later.
    at(t0 + 20);
    venue.trade(t0 + 20, 1, 10000, 60, 1);
    at(t0 + 25);
    expect(rec.fills.length).toBe(1);
    at(t0 + 26);
    expect(rec.fills.map((f) => [f.price, f.size])).toEqual([
      [10001, 10],
      [10000, 5],
    ]);
    const pos = core.positions.peek(1);
    expect(pos?.qty).toBe(15);
    // AAPL at scales 2 + 0: money scale 8; sim fees 2 bps taker, 1 bp maker.
    // 100.01 x 10 x 2 bps = 0.20002; 100.00 x 5 x 1 bp = 0.05.
    expect(pos?.fees).toBe(20_002_000n + 5_000_000n);
    expect([...core.orders.values()].map((o) => o.status)).toEqual([S.Filled, S.Filled]);
    expect(core.lastSeq).toBe(4);
    expect(core.counters.seqGaps).toBe(0);
    expect(core.counters.reportUnknownOrder).toBe(0);
    // Reconcile again: the venue's answers agree with the core.
    core.onVenue({ kind: 'connected' }, rec);
    at(t0 + 100);
    expect(core.counters.seqGaps).toBe(0);
    expect(pos?.qty).toBe(15);
    expect(rec.fills.length).toBe(2);
    // The core's log: two reconciliations, neither found anything to book, adopt or cancel.
    expect(logs.filter((l) => l.includes('reconcil'))).toEqual(['info reconciling with venue', 'info reconciling with venue']);
    expect(logs.filter((l) => l.startsWith('warn'))).toEqual([]);
  });
});
