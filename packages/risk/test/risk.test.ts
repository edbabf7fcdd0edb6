import { describe, expect, it } from 'vitest';
import { RISK_DEFAULTS, resolveRiskConfig, RiskCore, SessionClock, TokenBucket, TradingState, validateRiskConfig } from '../src/index.js';
import { intent, Recorder, testRegistry, view } from '@tickline/runtime/testing';

const registry = testRegistry();
// 2024-01-03 (Wednesday) 15:00 UTC = 10:00 New York (EST, -300): regular hours
const WED_10AM_NY = Date.UTC(2024, 0, 3, 15, 0);

/** An order event from execution: an accepted limit buy of 1 at 100.00 on instrument 1 (`i1`), unless `o` says otherwise. */
const orderEvent = (o: Partial<Parameters<RiskCore['onOrderEvent']>[0]>): Parameters<RiskCore['onOrderEvent']>[0] => ({
  clientOrderId: 'i1',
  venueOrderId: '1',
  instrument: 1,
  status: 1,
  side: 0,
  price: 10_000,
  size: 1,
  filled: 0,
  priceScale: 2,
  sizeScale: 0,
  reason: '',
  venueSeq: 1,
  tsS: 0,
  tsNs: 0,
  ...o,
});

function setup(cfg: Record<string, unknown> = {}, start = WED_10AM_NY) {
  const clock = { now: start };
  const logs: string[] = [];
  const core = new RiskCore(resolveRiskConfig(cfg), registry, {
    clock: () => clock.now,
    log: {
      reject: (r, _d, n) => logs.push(`${r}:${n}`),
      state: (s, r) => logs.push(`state:${s}:${r}`),
      input: (r) => logs.push(`input:${r}`),
    },
  });
  const rec = new Recorder();
  const book = (instrument = 1, bid = 10_000, ask = 10_002, state = 1) =>
    core.onBookView(view({ instrument, bid, ask, state, nowMs: clock.now }), rec);
  let id = 1;
  const send = (p: Parameters<typeof intent>[0] extends infer T ? Partial<T> : never = {}) => {
    const before = rec.intents.length;
    core.onOrderIntent(intent({ intentId: id++, instrument: 1, ...p }, clock.now), rec);
    return rec.intents.length > before;
  };
  return { core, rec, clock, book, send, logs };
}

describe('risk config', () => {
  it('reports every violation with its path and the allowed values', () => {
    const issues = validateRiskConfig({
      maxOpenOrders: -1,
      orderRate: { perSecond: 0, burst: 1, extra: 1 },
      initialState: 'paused',
      defaultClass: 'moon',
      sessionClasses: { x: { regular: '9:30-16:00' } },
      instruments: { AAPL: { maxPosition: 5 } },
    });
    const by = Object.fromEntries(issues.map((i) => [i.path, i.message]));
    expect(by).toEqual({
      maxOpenOrders: 'must be an integer from 0 to 1000000, got -1',
      'orderRate.perSecond': 'must be a number from 0.001 to 1000000, got 0',
      'orderRate.extra': 'is not a known setting (allowed here: perSecond, burst)',
      initialState: 'must be one of "active", "reducing", "halted", got "paused"',
      defaultClass: 'must be one of "always", "us-equity", "x", got "moon"',
      'sessionClasses.x.regular': `must be 'HH:MM-HH:MM' (local time) or null, got "9:30-16:00"`,
      'instruments.AAPL': "is not a valid key: must be a canonical instrument name '<venue>:<symbol>'",
    });
    expect(issues).toHaveLength(7);
    expect(() => resolveRiskConfig({ maxOpenOrders: -1 })).toThrow(
      'invalid risk config:\n  maxOpenOrders: must be an integer from 0 to 1000000, got -1',
    );
  });
});

describe('risk config resolution', () => {
  it('merges a session class override onto the class of that name, and takes numbers given as strings', () => {
    const c = resolveRiskConfig({
      maxOpenOrders: '7',
      sessionClasses: {
        'us-equity': { regular: '10:00-16:00', preMarket: null, rules: { regular: { notionalFactor: 0.5 } } },
        night: { regular: '20:00-24:00' },
      },
      instruments: { 'sim:AAPL': { maxPosition: 5, class: 'night' } },
    });
    expect(c.maxOpenOrders).toBe(7);
    const us = c.sessionClasses['us-equity'];
    expect(us).toMatchObject({
      utcOffsetMinutes: -300,
      weekdaysOnly: true,
      preMarket: null,
      regular: '10:00-16:00',
      afterHours: '16:00-20:00',
    });
    expect(us?.rules.regular).toEqual({ enabled: true, allowMarketOrders: true, notionalFactor: 0.5, priceBandBps: 0 });
    expect(us?.rules.preMarket).toEqual(RISK_DEFAULTS.sessionClasses['us-equity']?.rules.preMarket);
    // A new class starts from 'always'.
    expect(c.sessionClasses.night).toMatchObject({ utcOffsetMinutes: 0, weekdaysOnly: false, regular: '20:00-24:00' });
    expect(c.instruments['sim:AAPL']).toEqual({ maxPosition: 5, class: 'night' });
    expect(Object.isFrozen(c.sessionClasses.night?.rules.regular)).toBe(true);
  });
});

describe('pre-trade checks', () => {
  it('approves a sane order and passes market data on', () => {
    const t = setup();
    t.book();
    expect(t.send()).toBe(true);
    expect(t.rec.views).toHaveLength(1);
    expect(t.core.stats().approved).toBe(1);
  });

  it('rejects bad input without crashing: unknown instrument, NaN price, negative size', () => {
    const t = setup();
    t.book();
    expect(t.send({ instrument: 99 })).toBe(false);
    expect(t.send({ price: Number.NaN })).toBe(false);
    expect(t.send({ size: -5 })).toBe(false);
    expect(t.send({ side: 7 })).toBe(false);
    expect(t.core.rejects.unknown_instrument).toBe(1);
    expect(t.core.rejects.bad_input).toBe(3);
    expect(t.logs).toContain('bad_input:0');
  });

  it('refuses without a LIVE, fresh book', () => {
    const t = setup({ maxDataAgeMs: 1000 });
    expect(t.send()).toBe(false);
    expect(t.core.rejects.no_book).toBe(1);
    t.book(1, 10_000, 10_002, 2);
    expect(t.send()).toBe(false);
    expect(t.core.rejects.book_not_live).toBe(1);
    t.book();
    t.clock.now += 1500;
    // made on data received 1.5 s ago: too late to act on, however new the intent is
    const at = (ms: number) => ({ recvS: Math.floor(ms / 1000), recvNs: Math.round((ms % 1000) * 1e6) });
    expect(t.send(at(t.clock.now - 1500))).toBe(false);
    expect(t.core.rejects.stale_data).toBe(1);
    expect(t.core.rejects.stale_intent).toBe(0);
    // an intent without a receive time is judged by its book's, here 1.5 s old
    expect(t.send({ recvS: 0, recvNs: 0 })).toBe(false);
    expect(t.core.rejects.stale_data).toBe(2);
    // a quiet book is not stale: a decision on data received just now goes through
    expect(t.send()).toBe(true);
    t.book();
    t.core.onMark({ type: 'stale', instrument: 1, venue: 1, ageMs: 5000 }, t.rec);
    expect(t.send()).toBe(false);
    expect(t.core.rejects.book_not_live).toBe(2);
  });

  it('refuses stale intents', () => {
    const t = setup({ maxIntentAgeMs: 100 });
    t.book();
    t.core.onOrderIntent(intent({ intentId: 1, instrument: 1 }, t.clock.now - 500), t.rec);
    expect(t.core.rejects.stale_intent).toBe(1);
  });

  it('limits order quantity, notional and price distance from mid', () => {
    const t = setup({ maxOrderQty: 50, maxOrderNotional: 3000, priceBandBps: 100, instruments: { 'sim:MSFT': { maxOrderQty: 5 } } });
    t.book();
    t.book(2);
    expect(t.send({ size: 51 })).toBe(false);
    expect(t.core.rejects.max_order_qty).toBe(1);
    expect(t.send({ instrument: 2, size: 6 })).toBe(false);
    expect(t.core.rejects.max_order_qty).toBe(2);
    expect(t.send({ size: 31 })).toBe(false); // 31 x 100.00 > 3000
    expect(t.core.rejects.max_order_notional).toBe(1);
    expect(t.send({ price: 10_200 })).toBe(false); // 2% from mid
    expect(t.core.rejects.price_band).toBe(1);
    expect(t.send({ price: 10_050, size: 29 })).toBe(true);
  });

  it('counts in-flight intents and open orders against the position limit until execution reports them', () => {
    const t = setup({ maxPosition: 25 });
    t.book();
    expect(t.send({ size: 10 })).toBe(true); // pending 10
    expect(t.send({ size: 10 })).toBe(true); // pending 20
    expect(t.send({ size: 10 })).toBe(false); // 30 > 25
    expect(t.core.rejects.max_position).toBe(1);
    const cid = `i${(1).toString(36)}`;
    // execution accepted intent 1 (open order 10), then it filled: position 10, nothing open
    t.core.onOrderEvent(orderEvent({ clientOrderId: cid, size: 10 }), t.rec);
    expect(t.core.instrument(1)?.pendingBuy).toBe(10);
    expect(t.core.instrument(1)?.openBuy).toBe(10);
    t.core.onFill(
      {
        clientOrderId: cid,
        venueOrderId: '1',
        fillId: 'f1',
        instrument: 1,
        side: 0,
        price: 10_000,
        size: 10,
        priceScale: 2,
        sizeScale: 0,
        fee: 2,
        feeScale: 2,
        liquidityMaker: false,
        venueSeq: 2,
        tsS: 0,
        tsNs: 0,
      },
      t.rec,
    );
    t.core.onOrderEvent(orderEvent({ clientOrderId: cid, status: 3, size: 10, filled: 10, venueSeq: 2 }), t.rec);
    t.core.onPosition(
      {
        instrument: 1,
        sizeScale: 2,
        priceScale: 2,
        quantity: 10,
        avgPrice: 10_000,
        realizedPnl: 0,
        unrealizedPnl: 0,
        fees: 2,
        moneyScale: 2,
        tsS: 0,
        tsNs: 0,
      },
      t.rec,
    );
    expect(t.core.instrument(1)?.openBuy).toBe(0);
    expect(t.send({ size: 6 })).toBe(false); // 10 position + 10 pending + 6 > 25
    expect(t.send({ size: 5 })).toBe(true);
    // a sell that reduces is fine even at the limit
    expect(t.send({ side: 1, size: 10, price: 10_000 })).toBe(true);
    // a fill for an order risk never saw is counted, not applied
    t.core.onFill(
      {
        clientOrderId: 'zzz',
        venueOrderId: '9',
        fillId: 'f9',
        instrument: 1,
        side: 0,
        price: 1,
        size: 1,
        priceScale: 2,
        sizeScale: 0,
        fee: 0,
        feeScale: 2,
        liquidityMaker: false,
        venueSeq: 3,
        tsS: 0,
        tsNs: 0,
      },
      t.rec,
    );
    expect(t.core.counters.fillUnknownOrder).toBe(1);
  });

  it('releases a pending reservation that execution never reports', () => {
    const t = setup({ maxPosition: 10, pendingTimeoutMs: 1000 });
    t.book();
    expect(t.send({ size: 10 })).toBe(true);
    expect(t.send({ size: 10 })).toBe(false);
    t.clock.now += 1500;
    t.core.tick(t.clock.now, t.rec);
    t.book();
    expect(t.send({ size: 10 })).toBe(true);
    expect(t.core.counters.pendingExpired).toBe(1);
  });

  it('keeps the portfolio sums exact as books, positions, orders and reservations change', () => {
    const t = setup({ maxGrossExposure: 1e12, maxOpenOrders: 100_000, maxPosition: 1e9, orderRate: { perSecond: 1e6, burst: 1e6 } });
    let seed = 7;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    const ids = [1, 2, 3];
    for (const id of ids) t.book(id, 10_000, 10_002);
    for (let k = 0; k < 2000; k++) {
      const id = ids[rnd(3)] as number;
      switch (rnd(4)) {
        case 0: {
          const bid = 9_000 + rnd(2000);
          t.book(id, bid, bid + 2);
          break;
        }
        case 1:
          t.send({ instrument: id, price: 10_000 + rnd(10), size: 1 + rnd(5), side: rnd(2) });
          break;
        case 2:
          t.core.onPosition(
            {
              instrument: id,
              sizeScale: 0,
              priceScale: 2,
              quantity: rnd(41) - 20,
              avgPrice: 9_500 + rnd(1000),
              realizedPnl: rnd(1000) - 500,
              unrealizedPnl: 0,
              fees: rnd(10),
              moneyScale: 0,
              tsS: 0,
              tsNs: 0,
            },
            t.rec,
          );
          break;
        default:
          t.clock.now += 400;
          t.core.tick(t.clock.now, t.rec);
      }
      let gross = 0;
      let equity = 0;
      for (const id2 of ids) {
        const r = t.core.instrument(id2);
        if (r === undefined || !r.engaged) continue;
        gross += r.exposure() + r.openNotional;
        equity += r.realized - r.fees + r.unrealized();
      }
      const st = t.core.stats();
      expect(st.grossExposure).toBeCloseTo(gross, 6);
      expect(st.equity).toBeCloseTo(equity, 6);
    }
  });

  it('reports realized - fees summed exactly over instruments, as decimal strings', () => {
    const t = setup();
    const pos = (instrument: number, realizedPnl: number, fees: number, moneyScale: number) =>
      t.core.onPosition(
        {
          instrument,
          sizeScale: 0,
          priceScale: 2,
          quantity: 0,
          avgPrice: 0,
          realizedPnl,
          unrealizedPnl: 0,
          fees,
          moneyScale,
          tsS: 0,
          tsNs: 0,
        },
        t.rec,
      );
    // 0.1 + 0.2 realized, fees 0.00000007 and 0.0000000003 (money scales 8 and 10)
    pos(1, 10_000_000, 7, 8);
    pos(2, 2_000_000_000, 3, 10);
    expect(t.core.report()).toMatchObject({ equity: '0.2999999297', dayPnl: '0.2999999297' });
    pos(1, 10_000_000, 14, 8); // a later record replaces the instrument's share
    expect(t.core.report().equity).toBe('0.2999998597');
    expect(t.core.report().positions).toEqual([]);
  });

  it('limits gross exposure and open orders', () => {
    const t = setup({ maxGrossExposure: 2500, maxOpenOrders: 3 });
    t.book();
    t.book(2);
    expect(t.send({ size: 20 })).toBe(true); // 2000
    expect(t.send({ instrument: 2, size: 6 })).toBe(false); // +600 > 2500
    expect(t.core.rejects.max_gross_exposure).toBe(1);
    expect(t.send({ instrument: 2, size: 1 })).toBe(true);
    expect(t.send({ instrument: 2, size: 1 })).toBe(true);
    expect(t.send({ instrument: 2, size: 1 })).toBe(false);
    expect(t.core.rejects.max_open_orders).toBe(1);
  });

  it('rate-limits approvals with a token bucket; rejected intents use no tokens', () => {
    const t = setup({ orderRate: { perSecond: 2, burst: 3 } });
    t.book();
    expect(t.send({ size: 1 })).toBe(true);
    expect(t.send({ size: 1_000_000_000 })).toBe(false); // qty reject, no token
    expect(t.send({ size: 1 })).toBe(true);
    expect(t.send({ size: 1 })).toBe(true);
    expect(t.send({ size: 1 })).toBe(false);
    expect(t.core.rejects.rate_limited).toBe(1);
    t.clock.now += 500;
    t.book();
    expect(t.send({ size: 1 })).toBe(true);
    const b = new TokenBucket(10, 1, 0);
    expect(b.take(0)).toBe(true);
    expect(b.take(50)).toBe(false);
    expect(b.take(100)).toBe(true);
  });

  it('requires the expected edge to beat fees, spread and slippage', () => {
    const t = setup({ minEdgeBps: 1, costs: { takerFeeBps: 2, makerFeeBps: 1, slippageBps: 1, commissionPerOrder: 0 } });
    t.book(1, 10_000, 10_010); // spread ~10 bps
    // marketable buy: 2 + 2 (fees) + ~10 (spread) + 2 (slippage) + 1 (min) = ~17 bps needed
    expect(t.send({ price: 10_010, inputs: [{ name: 'edgeBps', value: 12 }] })).toBe(false);
    expect(t.core.rejects.min_edge).toBe(1);
    expect(t.send({ price: 10_010, inputs: [{ name: 'edgeBps', value: 20 }] })).toBe(true);
    // passive buy: 1 + 2 + 0 + 1 + 1 = 5 bps
    expect(t.send({ price: 10_000, tif: 0, inputs: [{ name: 'edgeBps', value: 6 }] })).toBe(true);
    expect(t.send({ price: 10_000 })).toBe(true); // no estimate: check skipped unless required
    const strict = setup({ requireEdgeEstimate: true });
    strict.book();
    expect(strict.send()).toBe(false);
    expect(strict.core.rejects.no_edge_estimate).toBe(1);
  });
});

describe('trading state', () => {
  it('halts some instruments only (a cluster node feeding them is gone): their orders cancelled, the others trade on; resumes', () => {
    const t = setup();
    t.book(1);
    t.book(2, 20_000, 20_002);
    expect(t.send({ instrument: 1, size: 5, price: 9_990 })).toBe(true);
    t.core.onOrderEvent(orderEvent({ price: 9_990, size: 5 }), t.rec);
    expect(t.send({ instrument: 2, size: 1, price: 19_990 })).toBe(true);
    const before = t.rec.intents.length;
    const r = t.core.control('halt-instruments', { instruments: ['sim:AAPL', 'sim:NOPE'], on: true, reason: 'feed_down:node B' });
    expect(r).toEqual({ on: true, changed: 1, cancelled: 1, haltedInstruments: 1, unknown: 1 });
    const cancels = t.rec.intents.slice(before);
    expect(cancels).toHaveLength(1);
    expect(cancels[0]).toMatchObject({ instrument: 1, side: 2, size: 0, reason: 'cancel-all: feed_down:node B' });
    // the portfolio is not halted: MSFT trades, AAPL is refused
    expect(t.core.state).toBe(TradingState.Active);
    expect(t.rec.marks.some((m) => m.type === 'halt')).toBe(false);
    expect(t.send({ instrument: 1, size: 1, price: 9_990 })).toBe(false);
    expect(t.core.rejects.halted).toBe(1);
    expect(t.send({ instrument: 2, size: 1, price: 19_990 })).toBe(true);
    expect((t.core.report() as { haltedInstruments: number }).haltedInstruments).toBe(1);
    // halting again changes nothing and cancels nothing more
    expect(t.core.control('halt-instruments', { instruments: ['sim:AAPL'], on: true })).toMatchObject({ changed: 0, cancelled: 0 });
    expect(t.core.control('halt-instruments', { instruments: ['sim:AAPL'], on: false })).toMatchObject({
      changed: 1,
      haltedInstruments: 0,
    });
    expect(t.send({ instrument: 1, size: 1, price: 9_990 })).toBe(true);
    expect(() => t.core.control('halt-instruments', { instruments: 'sim:AAPL', on: true })).toThrow(/args.instruments must be a list/);
    expect(() => t.core.control('halt-instruments', { instruments: [], on: 'yes' })).toThrow(/args.on must be true or false/);
  });

  it('halts on the daily loss limit: halt mark, cancel-all intents, then refuses; latches', () => {
    const t = setup({ dailyLossLimit: 50 });
    t.book();
    expect(t.send({ size: 5, tif: 0, price: 9_990 })).toBe(true);
    t.core.onOrderEvent(orderEvent({ price: 9_990, size: 5 }), t.rec);
    t.core.onPosition(
      {
        instrument: 1,
        sizeScale: 0,
        priceScale: 2,
        quantity: 0,
        avgPrice: 0,
        realizedPnl: -60,
        unrealizedPnl: 0,
        fees: 0,
        moneyScale: 0,
        tsS: 0,
        tsNs: 0,
      },
      t.rec,
    );
    expect(t.core.state).toBe(TradingState.Halted);
    const halt = t.rec.marks.find((m) => m.type === 'halt');
    expect(halt).toMatchObject({ type: 'halt', state: 2, reason: 'daily_loss' });
    const cancel = t.rec.intents.find((i) => i.size === 0);
    expect(cancel?.reason).toBe('cancel-all: daily_loss');
    expect(cancel?.instrument).toBe(1);
    expect(t.send({ size: 1 })).toBe(false);
    expect(t.core.rejects.halted).toBe(1);
    expect(t.logs).toContain('state:2:daily_loss');
  });

  it('halts on drawdown from peak equity', () => {
    const t = setup({ maxDrawdown: 30 });
    t.book();
    const pos = (realized: number) =>
      t.core.onPosition(
        {
          instrument: 1,
          sizeScale: 0,
          priceScale: 2,
          quantity: 0,
          avgPrice: 0,
          realizedPnl: realized,
          unrealizedPnl: 0,
          fees: 0,
          moneyScale: 0,
          tsS: 0,
          tsNs: 0,
        },
        t.rec,
      );
    pos(100);
    pos(80);
    expect(t.core.state).toBe(TradingState.Active);
    pos(69);
    expect(t.core.state).toBe(TradingState.Halted);
    expect(t.core.report().haltReasons).toEqual(['drawdown']);
  });

  it('halts when a feed goes down and resumes when it is back', () => {
    const t = setup();
    t.book();
    t.core.onMark({ type: 'feed', venue: 1, connId: 3, up: false, reason: 'socket closed', tsS: 0, tsNs: 0 }, t.rec);
    expect(t.core.state).toBe(TradingState.Halted);
    expect(t.rec.marks.map((m) => m.type)).toEqual(['feed', 'halt']);
    expect(t.send()).toBe(false);
    t.core.onMark({ type: 'feed', venue: 1, connId: 4, up: true, reason: 'ok', tsS: 0, tsNs: 0 }, t.rec);
    expect(t.core.state).toBe(TradingState.Active);
    t.book();
    expect(t.send()).toBe(true);
  });

  it('kill switch and trading-state control; REDUCING allows only position-reducing orders', () => {
    const t = setup();
    t.book();
    t.core.onPosition(
      {
        instrument: 1,
        sizeScale: 0,
        priceScale: 2,
        quantity: 10,
        avgPrice: 10_000,
        realizedPnl: 0,
        unrealizedPnl: 0,
        fees: 0,
        moneyScale: 0,
        tsS: 0,
        tsNs: 0,
      },
      t.rec,
    );
    t.core.control('kill-switch', { on: true });
    expect(t.core.state).toBe(TradingState.Halted);
    expect(t.rec.marks.at(-1)).toMatchObject({ type: 'halt', state: 2, reason: 'kill_switch' });
    expect(t.send({ side: 1, size: 5 })).toBe(false);
    t.core.control('kill-switch', false);
    expect(t.core.state).toBe(TradingState.Active);
    t.core.control('trading-state', 'reducing');
    expect(t.core.state).toBe(TradingState.Reducing);
    expect(t.send({ side: 0, size: 1 })).toBe(false);
    expect(t.core.rejects.reducing_only).toBe(1);
    expect(t.send({ side: 1, size: 5, price: 10_000 })).toBe(true);
    expect(t.send({ side: 1, size: 6, price: 10_000 })).toBe(false); // 5 already pending: 6 more would flip
    expect(() => t.core.control('trading-state', 'paused')).toThrow(/'active', 'reducing', 'halted'/);
  });
});

describe('sessions', () => {
  const equity = { defaultClass: 'us-equity' };
  it('classifies pre-market, regular, after-hours and closed (weekends)', () => {
    const c = new SessionClock(resolveRiskConfig({}).sessionClasses['us-equity'] as never);
    expect(c.at(Date.UTC(2024, 0, 3, 10, 0))).toBe('preMarket'); // 05:00 NY
    expect(c.at(WED_10AM_NY)).toBe('regular');
    expect(c.at(Date.UTC(2024, 0, 3, 22, 0))).toBe('afterHours'); // 17:00 NY
    expect(c.at(Date.UTC(2024, 0, 4, 2, 0))).toBe('closed'); // 21:00 NY
    expect(c.at(Date.UTC(2024, 0, 6, 15, 0))).toBe('closed'); // Saturday
  });

  it('applies session rules: no market orders and smaller notional outside regular hours', () => {
    const t = setup({ ...equity, maxOrderNotional: 4000 }, Date.UTC(2024, 0, 3, 10, 0));
    t.book();
    expect(t.send({ type: 1, price: 0 })).toBe(false);
    expect(t.core.rejects.session_market_order).toBe(1);
    expect(t.send({ size: 11 })).toBe(false); // 4000 x 0.25 = 1000 < 1100
    expect(t.core.rejects.max_order_notional).toBe(1);
    expect(t.send({ size: 9 })).toBe(true);
    t.clock.now = Date.UTC(2024, 0, 6, 15, 0);
    t.book();
    expect(t.send({ size: 1 })).toBe(false);
    expect(t.core.rejects.session_closed).toBe(1);
    t.clock.now = WED_10AM_NY;
    t.book();
    expect(t.send({ type: 1, price: 0, size: 11 })).toBe(true);
  });
});
