import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  createStrategies,
  loadStrategyModule,
  readSnapshotFile,
  resolveSignalsConfig,
  SignalsCore,
  type SignalsSnapshot,
  validateSignalsConfig,
  writeSnapshotFile,
} from '../src/index.js';
import { Recorder, testRegistry, tradeBatch, view } from '@tickline/runtime/testing';

const registry = testRegistry();

function coreWith(strategies: unknown[], clock: () => number = () => 1_700_000_000_000, extra: Record<string, unknown> = {}) {
  const cfg = resolveSignalsConfig({ strategies, ...extra });
  return new SignalsCore({
    registry,
    strategies: createStrategies(cfg, registry, 0),
    clock,
    maxIntentsPerSecond: cfg.maxIntentsPerSecond,
    ...(extra.maxDataAgeMs !== undefined ? { maxDataAgeMs: cfg.maxDataAgeMs } : {}),
  });
}

describe('signals config', () => {
  it('reports every violation with path and allowed values, rejecting unknown keys', () => {
    const issues = validateSignalsConfig({
      strategies: [
        { id: 'a', type: 'imbalance', params: { threshold: 2, lotz: 1 } },
        { id: 'a', type: 'nope' },
        { id: 'm', type: 'module' },
      ],
      bogus: true,
    });
    expect(issues.map((i) => `${i.path}: ${i.message}`)).toEqual([
      'bogus: is not a known setting (allowed here: strategies, seed, maxIntentsPerSecond, snapshot, keepBars, maxDataAgeMs, intentLog)',
      'strategies[0].params.lotz: is not a known setting (allowed here: threshold, lots, cooldownMs, maxSpreadBps, side)',
      'strategies[0].params.threshold: must be a number from 0.01 to 1, got 2',
      'strategies[1].type: must be one of "imbalance", "spread-reversion", "tick-trend", "random", "module", got "nope"',
      "strategies[2].module: is required for type 'module' (a file path)",
      'strategies[1].id: must be unique, got duplicate "a"',
    ]);
    expect(() => resolveSignalsConfig({ strategies: [{ id: 'x', type: 'random', params: { minLots: 5, maxLots: 2 } }] })).toThrow(
      'invalid signals config:\n  strategies[0].params.minLots: must be at most maxLots (2), got 5',
    );
  });

  it('rejects unknown instruments at setup', () => {
    const cfg = resolveSignalsConfig({ strategies: [{ id: 'x', type: 'imbalance', instruments: ['sim:NOPE', 'sim:AAPL'] }] });
    expect(() => createStrategies(cfg, registry, 0)).toThrow(/instruments\[0\].*sim:NOPE/);
  });
});

describe('what signals passes downstream, and on what it decides', () => {
  it('passes a view on only when the touch or the book state changed; trades and bars stop here', () => {
    const now = 1_700_000_000_000;
    const core = coreWith([], () => now);
    const rec = new Recorder();
    const v = (bid: number, ask: number, bidSize: number, state = 1) => view({ instrument: 1, bid, ask, bidSize, state, nowMs: now });
    core.onBookView(v(10_000, 10_002, 100), rec);
    core.onBookView(v(10_000, 10_002, 500), rec); // sizes only: risk and execution need nothing new
    core.onBookView(v(10_001, 10_002, 500), rec); // bid moved
    core.onBookView(v(10_001, 10_003, 500), rec); // ask moved
    core.onBookView(v(10_001, 10_003, 500, 2), rec); // the book went RESEEDING
    core.onBookView(v(10_001, 10_003, 500, 2), rec);
    expect(rec.views.map((x) => [x.bids.price(0), x.asks.price(0), x.state])).toEqual([
      [10_000, 10_002, 1],
      [10_001, 10_002, 1],
      [10_001, 10_003, 1],
      [10_001, 10_003, 2],
    ]);
    expect(core.counters.viewsForwarded).toBe(4);
    expect(core.counters.books).toBe(6);
    core.onTrades(tradeBatch(1, [10_001], now), rec);
    expect(rec.trades_).toHaveLength(0);
  });

  it('runs no strategy on data received longer ago than maxDataAgeMs, and keeps the market view current', () => {
    let now = 1_700_000_000_000;
    const core = coreWith([{ id: 'obi', type: 'imbalance', params: { threshold: 0.5, cooldownMs: 0 } }], () => now, {
      maxDataAgeMs: 50,
    });
    const rec = new Recorder();
    const heavy = (recvMs: number, bid = 10_000) => view({ instrument: 1, bid, ask: bid + 1, bidSize: 900, askSize: 100, nowMs: recvMs });
    core.onBookView(heavy(now - 80, 10_005), rec); // waited 80 ms in queues: decide nothing
    expect(rec.intents).toHaveLength(0);
    expect(core.counters.skippedStale).toBe(1);
    expect(rec.views).toHaveLength(1); // the state still goes on to risk and execution
    expect(core.counters.refusedNotLive).toBe(0);
    now += 1;
    core.onBookView(heavy(now - 20), rec); // 20 ms: fresh
    expect(rec.intents).toHaveLength(1);
    expect(rec.intents[0]?.price).toBe(10_001);
    core.onTrades(tradeBatch(1, [10_003], now - 500), rec);
    expect(core.counters.skippedStale).toBe(2);
  });
});

describe('imbalance strategy', () => {
  it('buys at the ask on bid-heavy books, sells at the bid on ask-heavy ones, with a cooldown', () => {
    let now = 1_700_000_000_000;
    const core = coreWith([{ id: 'obi', type: 'imbalance', params: { threshold: 0.5, lots: 3, cooldownMs: 1000 } }], () => now);
    const rec = new Recorder();
    core.onBookView(view({ instrument: 1, bid: 10_000, ask: 10_001, bidSize: 900, askSize: 100, nowMs: now }), rec);
    expect(rec.intents).toHaveLength(1);
    const i = rec.intents[0];
    expect(i?.side).toBe(0);
    expect(i?.price).toBe(10_001);
    expect(i?.size).toBe(3);
    expect(i?.strategy).toBe('obi');
    expect(i?.reason).toMatch(/imbalance 0.800/);
    expect(i?.inputs.find((x) => x.name === 'imbalance')?.value).toBeCloseTo(0.8);
    expect(rec.signals).toHaveLength(1);
    expect(rec.views).toHaveLength(1); // the book passes on (risk needs its touch)
    core.onBookView(view({ instrument: 1, bid: 10_000, ask: 10_001, bidSize: 100, askSize: 900, nowMs: now + 10 }), rec);
    expect(rec.intents).toHaveLength(1); // cooldown
    now += 1500;
    core.onBookView(view({ instrument: 1, bid: 10_000, ask: 10_001, bidSize: 100, askSize: 900, nowMs: now }), rec);
    expect(rec.intents).toHaveLength(2);
    expect(rec.intents[1]?.side).toBe(1);
    expect(rec.intents[1]?.price).toBe(10_000);
    expect(rec.intents[1]?.intentId).not.toBe(rec.intents[0]?.intentId);
  });

  it('never acts on a book that is not LIVE, marked stale, or whose feed is down', () => {
    let now = 1_700_000_000_000;
    const core = coreWith([{ id: 'obi', type: 'imbalance', params: { threshold: 0.5, cooldownMs: 0 } }], () => now);
    const rec = new Recorder();
    const heavy = (state: number) => view({ instrument: 1, bid: 10_000, ask: 10_001, bidSize: 900, askSize: 100, state, nowMs: now });
    core.onBookView(heavy(0), rec);
    core.onBookView(heavy(2), rec);
    expect(rec.intents).toHaveLength(0);
    expect(core.counters.refusedNotLive).toBe(2);
    core.onBookView(heavy(1), rec);
    expect(rec.intents).toHaveLength(1);
    core.onMark({ type: 'feed', venue: 1, connId: 1, up: false, reason: 'down', tsS: 0, tsNs: 0 }, rec);
    now += 1;
    core.onBookView(heavy(1), rec);
    expect(rec.intents).toHaveLength(1);
    core.onMark({ type: 'feed', venue: 1, connId: 1, up: true, reason: 'up', tsS: 0, tsNs: 0 }, rec);
    core.onBookView(heavy(1), rec);
    expect(rec.intents).toHaveLength(2);
    expect(rec.marks).toHaveLength(2); // marks pass on
  });
});

describe('spread reversion strategy', () => {
  it('quotes one tick inside when the spread blows out beyond its mean', () => {
    let now = 1_700_000_000_000;
    const core = coreWith([{ id: 'sr', type: 'spread-reversion', params: { minSamples: 20, entryMultiple: 3, cooldownMs: 0 } }], () => now);
    const rec = new Recorder();
    for (let i = 0; i < 30; i++) core.onBookView(view({ instrument: 2, bid: 10_000, ask: 10_002, nowMs: (now += 10) }), rec);
    expect(rec.intents).toHaveLength(0);
    core.onBookView(view({ instrument: 2, bid: 10_000, ask: 10_010, bidSize: 500, askSize: 100, nowMs: (now += 10) }), rec);
    expect(rec.intents).toHaveLength(1);
    expect(rec.intents[0]?.side).toBe(0);
    expect(rec.intents[0]?.price).toBe(10_001);
    expect(rec.intents[0]?.tif).toBe(0);
    expect(rec.intents[0]?.inputs.find((x) => x.name === 'edgeBps')?.value).toBeGreaterThan(0);
  });
});

describe('tick-bar trend strategy', () => {
  it('builds bars of N trades and buys when the fast EMA leads the slow one', () => {
    let now = 1_700_000_000_000;
    const core = coreWith(
      [
        {
          id: 'tt',
          type: 'tick-trend',
          params: { ticksPerBar: 5, fastBars: 2, slowBars: 4, minTrendBps: 1, maxSpreadBps: 100, cooldownMs: 0 },
        },
      ],
      () => now,
    );
    const rec = new Recorder();
    core.onBookView(view({ instrument: 1, bid: 10_000, ask: 10_001, nowMs: now }), rec);
    // flat market: no signal
    for (let b = 0; b < 6; b++) core.onTrades(tradeBatch(1, [10_000, 10_000, 10_000, 10_000, 10_000], (now += 5)), rec);
    expect(rec.intents).toHaveLength(0);
    // rising market: each bar closes up
    let px = 10_000;
    for (let b = 0; b < 6; b++) {
      const prices = [px, px + 2, px + 4, px + 6, px + 8];
      px += 10;
      core.onBookView(view({ instrument: 1, bid: px - 1, ask: px, nowMs: (now += 5) }), rec);
      core.onTrades(tradeBatch(1, prices, now), rec);
    }
    expect(rec.intents.length).toBeGreaterThan(0);
    const i = rec.intents[0];
    expect(i?.side).toBe(0);
    expect(i?.reason).toMatch(/uptrend/);
    expect(i?.inputs.map((x) => x.name)).toEqual(expect.arrayContaining(['emaFast', 'emaSlow', 'trendBps', 'spreadBps']));
  });
});

describe('random trader', () => {
  it('is deterministic for a seed and only trades LIVE books', () => {
    const run = (seed: number) => {
      let now = 1_700_000_000_000;
      const core = coreWith([{ id: 'rnd', type: 'random', params: { seed, ratePerSecond: 50 } }], () => now, { maxIntentsPerSecond: 1000 });
      const rec = new Recorder();
      for (let i = 0; i < 500; i++)
        core.onBookView(view({ instrument: 1 + (i % 2), bid: 10_000, ask: 10_002, state: i % 10 === 0 ? 0 : 1, nowMs: (now += 5) }), rec);
      return rec.intents.map((o) => [o.instrument, o.side, o.type, o.tif, o.price, o.size]);
    };
    const a = run(7);
    expect(a.length).toBeGreaterThan(50);
    expect(run(7)).toEqual(a);
    expect(run(8)).not.toEqual(a);
    expect(new Set(a.map((x) => x[2])).size).toBe(2); // market and limit orders
    expect(new Set(a.map((x) => x[3])).size).toBe(2); // GTC and IOC
  });
});

describe('user strategy modules and state snapshot', () => {
  it('loads a strategy from a file path and runs it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tkl-sig-'));
    const file = join(dir, 'mine.mjs');
    writeFileSync(
      file,
      `export default function create(params, info) {
        return { id: info.id, onBook(v, env) { if (v.mid > params.above) env.intent({ instrument: v.instrument, side: 'sell', price: v.bids.price(0), size: 1, reason: 'above', inputs: { mid: v.mid } }); } };
      }
      export function validateParams(p, path) { return typeof p.above === 'number' ? [] : [{ path: path + '.above', message: 'must be a number' }]; }`,
    );
    const type = await loadStrategyModule(file);
    const cfg = resolveSignalsConfig({ strategies: [{ id: 'mine', type: 'module', module: file, params: { above: 100 } }] }); // mid is a decimal price: 100.11
    const core = new SignalsCore({ registry, strategies: createStrategies(cfg, registry, 0, new Map([[file, type]])) });
    const rec = new Recorder();
    core.onBookView(view({ instrument: 1, bid: 10_010, ask: 10_012 }), rec);
    expect(rec.intents).toHaveLength(1);
    expect(rec.intents[0]?.strategy).toBe('mine');
    const bad = resolveSignalsConfig({ strategies: [{ id: 'mine', type: 'module', module: file, params: {} }] });
    expect(() => createStrategies(bad, registry, 0, new Map([[file, type]]))).toThrow(/params.above/);
  });

  it('a strategy that throws is recorded with its instrument and event, disabled everywhere, and the others go on', () => {
    let calls = 0;
    const seen: string[] = [];
    const logged: unknown[] = [];
    const thrower = {
      id: 'boom',
      onBook(v: { instrument: number }) {
        calls++;
        if (calls === 3) throw new Error(`third call on ${v.instrument}`);
      },
    };
    const steady = { id: 'steady', onBook: (v: { instrument: number }) => void seen.push(`book ${v.instrument}`) };
    const core = new SignalsCore({
      registry,
      strategies: [
        { strategy: thrower, instruments: null },
        { strategy: steady, instruments: null },
      ],
      clock: () => 1_700_000_000_500,
      onStrategyError: (e) => logged.push(e),
    });
    const rec = new Recorder();
    const t0 = 1_700_000_000_000;
    for (let i = 0; i < 6; i++) core.onBookView(view({ instrument: (i % 2) + 1, bid: 10_000 + i, ask: 10_010 + i, nowMs: t0 + i }), rec);
    // threw on the third call (instrument 1, the third view), never called again on any instrument
    expect(calls).toBe(3);
    expect(seen).toHaveLength(6);
    const errors = core.strategyErrors();
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({
      strategy: 'boom',
      instrument: 'sim:AAPL',
      event: { kind: 'book', timeMs: t0 + 2, time: new Date(t0 + 2).toISOString() },
      message: 'third call on 1',
      atMs: 1_700_000_000_500,
    });
    expect(errors[0]?.event.seq).toMatch(/^\d+$/);
    expect(logged).toEqual(errors);
    expect(core.stats()).toMatchObject({ strategyErrors: 1, strategySkipped: 3 });
    expect(core.disabledStrategies()).toEqual(['boom']);
    // another partition's instance is disabled by id; unknown ids are refused
    const other = new SignalsCore({ registry, strategies: [{ strategy: { id: 'boom', onBook: () => calls++ }, instruments: null }] });
    expect(other.disable('boom')).toBe(true);
    expect(other.disable('boom')).toBe(false);
    expect(other.disable('nope')).toBe(false);
    other.onBookView(view({ instrument: 2, bid: 10_000, ask: 10_010 }), rec);
    expect(calls).toBe(3);
  });

  it('writes the market view compressed and reloads bars and strategy state', () => {
    let now = 1_700_000_000_000;
    const params = { ticksPerBar: 2, fastBars: 2, slowBars: 3 };
    const core = coreWith([{ id: 'tt', type: 'tick-trend', params }], () => now);
    const rec = new Recorder();
    for (let i = 0; i < 5; i++) core.onTrades(tradeBatch(1, [10_000 + i, 10_001 + i], (now += 1)), rec);
    core.onBar(
      {
        instrument: 1,
        venue: 1,
        kind: 0,
        priceScale: 2,
        sizeScale: 0,
        startS: 1,
        startNs: 0,
        endS: 2,
        endNs: 0,
        open: 1,
        high: 2,
        low: 1,
        close: 2,
        volume: 5,
        vwap: 1.5,
        tradeCount: 3,
        spreadAvg: 0,
        spreadMax: 0,
      },
      rec,
    );
    const path = join(mkdtempSync(join(tmpdir(), 'tkl-snap-')), 'signals.snap');
    const bytes = writeSnapshotFile(path, core.snapshot());
    expect(bytes).toBeGreaterThan(0);
    const restored = coreWith([{ id: 'tt', type: 'tick-trend', params }], () => now);
    expect(restored.restore(readSnapshotFile(path) as SignalsSnapshot)).toBe(1);
    expect(restored.bars(1)).toEqual(core.bars(1));
    expect(restored.snapshot().strategies).toEqual(core.snapshot().strategies);
    expect(restored.isLive(1)).toBe(false); // a restored view is never LIVE before a fresh book
    expect(readSnapshotFile(join(path, '..', 'none.snap'))).toBeUndefined();
  });
});
