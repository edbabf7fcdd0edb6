import { describe, expect, it } from 'vitest';
import {
  canTransition,
  ExecutionCore,
  evaluateExit,
  type JournalFill,
  MemoryJournal,
  OrderStatus as S,
  PositionBook,
  resolveExecutionConfig,
  validateExecutionConfig,
} from '../src/index.js';
import { FakeVenue, type ReportExtra, venueReport } from './fake-venue.js';
import { intent, Recorder, testRegistry, view } from '@tickline/runtime/testing';

const registry = testRegistry();
const AAPL = registry.get(1) as NonNullable<ReturnType<typeof registry.get>>;

function setup(cfg: Record<string, unknown> = {}, journal = new MemoryJournal()) {
  const clock = { now: 1_700_000_000_000 };
  const venue = new FakeVenue();
  const core = new ExecutionCore(resolveExecutionConfig(cfg), registry, venue, journal, { clock: () => clock.now });
  const rec = new Recorder();
  let seq = 0;
  const report = (event: 'new' | 'trade' | 'canceled' | 'rejected', cid: string, extra: ReportExtra & { seq?: number } = {}) =>
    core.onVenue(venueReport(core, event, cid, extra.seq ?? ++seq, clock.now, extra), rec);
  return { core, venue, rec, clock, journal, report };
}

describe('execution config', () => {
  it('rejects unknown keys and bad values with paths', () => {
    const issues = validateExecutionConfig({
      venue: { url: 'http://x', port: 1 },
      marketMove: { policy: 'chase' },
      exits: { takeProfitBps: -1 },
    });
    expect(issues.map((i) => `${i.path}: ${i.message}`)).toEqual([
      'venue.port: is not a known setting (allowed here: url, account, token, reconnectMinMs, reconnectMaxMs, instruments)',
      'venue.url: must be a ws:// or wss:// URL or null, got "http://x"',
      'marketMove.policy: must be one of "reprice", "cancel", "none", got "chase"',
      'exits.takeProfitBps: must be a number from 0 to 100000, got -1',
    ]);
    expect(validateExecutionConfig({ venue: { reconnectMinMs: 9000, reconnectMaxMs: 1000 } }, 'execution')).toEqual([
      { path: 'execution.venue.reconnectMinMs', message: 'must be at most reconnectMaxMs (1000), got 9000' },
    ]);
  });
});

describe('order state machine', () => {
  it('never leaves a terminal state and never goes back to accepted', () => {
    expect(canTransition(S.PendingNew, S.Filled)).toBe(true);
    expect(canTransition(S.PartiallyFilled, S.Accepted)).toBe(false);
    for (const t of [S.Filled, S.Cancelled, S.Rejected, S.Expired]) for (let to = 0; to < 8; to++) expect(canTransition(t, to)).toBe(false);
  });
});

describe('intents to orders', () => {
  it('journals the order before sending it, once, with an id derived from the intent', () => {
    const t = setup();
    t.venue.onNewOrder = (o) => expect(t.journal.orders.get(o.clientOrderId)?.status).toBe(S.PendingNew);
    t.core.onOrderIntent(intent({ intentId: 1234, instrument: 1 }, t.clock.now), t.rec);
    t.core.onOrderIntent(intent({ intentId: 1234, instrument: 1 }, t.clock.now), t.rec);
    expect(t.venue.sent).toHaveLength(1);
    expect(t.venue.sent[0]?.clientOrderId).toBe(`i${(1234).toString(36)}`);
    expect(t.core.counters.duplicateIntents).toBe(1);
    expect(t.rec.events.map((e) => e.status)).toEqual([S.PendingNew]);
  });

  it('never sends an order made on market data older than maxDataAgeMs', () => {
    const t = setup({ maxDataAgeMs: 50 });
    const recvAt = (ms: number) => ({ recvS: Math.floor(ms / 1000), recvNs: Math.round((ms % 1000) * 1e6) });
    // a fresh intent (made just now) on data that waited 60 ms upstream
    t.core.onOrderIntent(intent({ intentId: 1, instrument: 1, ...recvAt(t.clock.now - 60) }, t.clock.now), t.rec);
    expect(t.venue.sent).toHaveLength(0);
    expect(t.core.counters.staleData).toBe(1);
    expect(t.rec.events.map((e) => e.reason)).toEqual(['stale_data']);
    t.core.onOrderIntent(intent({ intentId: 2, instrument: 1, ...recvAt(t.clock.now - 40) }, t.clock.now), t.rec);
    expect(t.venue.sent).toHaveLength(1);
    // 0 turns the bound off (replays on recorded time)
    const off = setup({ maxDataAgeMs: 0 });
    off.core.onOrderIntent(intent({ intentId: 3, instrument: 1, ...recvAt(off.clock.now - 60_000) }, off.clock.now), off.rec);
    expect(off.venue.sent).toHaveLength(1);
  });

  it('drops stale intents and bad input without sending anything', () => {
    const t = setup({ maxIntentAgeMs: 100 });
    t.core.onOrderIntent(intent({ intentId: 1, instrument: 1 }, t.clock.now - 1000), t.rec);
    t.core.onOrderIntent(intent({ intentId: 2, instrument: 77 }, t.clock.now), t.rec);
    t.core.onOrderIntent(intent({ intentId: 3, instrument: 1, price: Number.NaN }, t.clock.now), t.rec);
    t.core.onOrderIntent(intent({ intentId: 4, instrument: 1, size: -3 }, t.clock.now), t.rec);
    t.core.onOrderIntent(null as never, t.rec);
    expect(t.venue.sent).toHaveLength(0);
    expect(t.core.rejectReasons).toMatchObject({ stale_intent: 1, unknown_instrument: 1, bad_price: 1, bad_size: 1, bad_intent_id: 1 });
    // risk hears about the ones it can name (releases its reservation)
    expect(t.rec.events.map((e) => e.reason)).toEqual(['stale_intent', 'bad_price', 'bad_size']);
    t.core.onFill(
      {
        clientOrderId: 'nope',
        venueOrderId: '',
        fillId: 'x',
        instrument: 1,
        side: 0,
        price: 1,
        size: 1,
        priceScale: 2,
        sizeScale: 0,
        fee: 0,
        feeScale: 8,
        liquidityMaker: false,
        venueSeq: 1,
        tsS: 0,
        tsNs: 0,
      },
      t.rec,
    );
    expect(t.core.counters.fillUnknownOrder).toBe(1);
  });

  it('rejects an order when the venue is down instead of queueing it', () => {
    const t = setup();
    t.venue.connected = false;
    t.core.onOrderIntent(intent({ intentId: 5, instrument: 1 }, t.clock.now), t.rec);
    expect(t.rec.events.at(-1)?.status).toBe(S.Rejected);
    expect(t.core.counters.venueDown).toBe(1);
  });
});

describe('venue reports', () => {
  it('walks accepted -> partially filled -> filled, emitting fill, event, position in that order', () => {
    const t = setup();
    t.core.onOrderIntent(intent({ intentId: 1, instrument: 1, size: 3, tif: 0 }, t.clock.now), t.rec);
    const cid = 'i1';
    t.report('new', cid);
    t.report('trade', cid, { fill: { size: 1, price: 10_000 } });
    t.report('trade', cid, { seq: 2 }); // duplicate sequence: ignored
    t.report('trade', cid, { fill: { size: 2, price: 10_000 } });
    expect(t.rec.events.map((e) => e.status)).toEqual([S.PendingNew, S.Accepted, S.PartiallyFilled, S.Filled]);
    expect(t.rec.fills).toHaveLength(2);
    expect(t.core.counters.duplicateReports).toBe(1);
    expect(t.rec.positions.at(-1)).toMatchObject({ instrument: 1, quantity: 3, avgPrice: 10_000 });
    // two fees of 0.01: mantissas at the money scale, max(2 + 0, 8)
    expect(t.rec.positions.at(-1)).toMatchObject({ fees: 2_000_000, moneyScale: 8 });
    expect(t.journal.fills).toHaveLength(2);
    expect(t.journal.lastSeq).toBe(3);
    // a report past a gap asks the venue what was missed
    t.report('new', cid, { seq: 9 });
    expect(t.core.counters.seqGaps).toBe(1);
    expect(t.venue.queries).toEqual(['fills:3', 'open_orders']);
  });

  it('books a fill seen both in a report and a reconciliation query once', () => {
    const t = setup();
    t.core.onOrderIntent(intent({ intentId: 1, instrument: 1, size: 2, tif: 0 }, t.clock.now), t.rec);
    t.report('trade', 'i1', { fill: { size: 1 } });
    const f = t.journal.fills[0] as JournalFill;
    t.core.onVenue({ kind: 'connected' }, t.rec);
    t.core.onVenue({ kind: 'fills', seq: 1, fills: [{ ...f, seq: f.venueSeq }] }, t.rec);
    expect(t.rec.fills).toHaveLength(1);
    expect(t.core.positions.peek(1)?.qty).toBe(1);
  });

  it('reprices a resting order when the market moves away, cancels after maxReprices', () => {
    const t = setup({ marketMove: { policy: 'reprice', awayBps: 10, maxReprices: 1 } });
    t.core.onOrderIntent(intent({ intentId: 1, instrument: 1, tif: 0, price: 10_000, size: 5 }, t.clock.now), t.rec);
    t.report('new', 'i1');
    t.core.onBookView(view({ instrument: 1, bid: 10_050, ask: 10_052, nowMs: t.clock.now }), t.rec);
    expect(t.venue.cancels).toEqual(['i1']);
    expect(t.core.orders.get('i1')?.status).toBe(S.PendingCancel);
    t.report('canceled', 'i1', { reason: 'canceled_by_user' });
    expect(t.venue.sent.at(-1)).toMatchObject({ clientOrderId: 'i1.r1', price: 10_050, size: 5 });
    t.report('new', 'i1.r1');
    t.core.onBookView(view({ instrument: 1, bid: 10_100, ask: 10_102, nowMs: t.clock.now }), t.rec);
    expect(t.venue.cancels).toEqual(['i1', 'i1.r1']);
    t.report('canceled', 'i1.r1');
    expect(t.venue.sent).toHaveLength(2);
    expect(t.core.openOrders()).toHaveLength(0);
  });

  it('queries on ack timeout and expires an order the venue never saw', () => {
    const t = setup({ ackTimeoutMs: 100 });
    t.core.onOrderIntent(intent({ intentId: 1, instrument: 1 }, t.clock.now), t.rec);
    t.clock.now += 150;
    t.core.tick(t.clock.now, t.rec);
    expect(t.venue.queries).toEqual(['fills:0', 'open_orders']);
    t.core.onVenue({ kind: 'fills', seq: 0, fills: [] }, t.rec);
    t.core.onVenue({ kind: 'open-orders', seq: 0, orders: [] }, t.rec);
    expect(t.core.orders.get('i1')?.status).toBe(S.Expired);
  });

  it('cancels everything on halt and refuses new intents; cancels orders the venue has and we do not', () => {
    const t = setup();
    t.core.onMark({ type: 'halt', state: 2, reason: 'kill_switch', tsS: 0, tsNs: 0 }, t.rec);
    expect(t.venue.cancelAlls).toBe(1);
    t.core.onOrderIntent(intent({ intentId: 1, instrument: 1 }, t.clock.now), t.rec);
    expect(t.venue.sent).toHaveLength(0);
    expect(t.core.rejectReasons.halted).toBe(1);
    t.core.onVenue({ kind: 'connected' }, t.rec);
    t.core.onVenue({ kind: 'fills', seq: 3, fills: [] }, t.rec);
    t.core.onVenue(
      {
        kind: 'open-orders',
        seq: 3,
        orders: [
          { clientOrderId: 'alien', venueOrderId: '9', instrument: 2, side: 1, type: 0, price: 10_000, size: 4, filled: 0, status: 'open' },
        ],
      },
      t.rec,
    );
    expect(t.venue.cancels).toEqual(['alien']);
  });
});

describe('exits', () => {
  it('sends a reduce-only IOC exit on take profit, and books the round trip', () => {
    const t = setup({ exits: { takeProfitBps: 50, stopLossBps: 50, slippageBps: 0 } });
    t.core.onOrderIntent(intent({ intentId: 1, instrument: 1, size: 10, price: 10_000 }, t.clock.now), t.rec);
    t.report('trade', 'i1', { fill: { size: 10, price: 10_000 } });
    t.core.onBookView(view({ instrument: 1, bid: 10_020, ask: 10_022, nowMs: t.clock.now }), t.rec);
    expect(t.venue.sent).toHaveLength(1);
    t.core.onBookView(view({ instrument: 1, bid: 10_060, ask: 10_062, nowMs: t.clock.now }), t.rec);
    const exit = t.venue.sent[1];
    expect(exit).toMatchObject({ side: 1, tif: 1, price: 10_060, size: 10 });
    t.core.onBookView(view({ instrument: 1, bid: 10_070, ask: 10_072, nowMs: t.clock.now }), t.rec);
    expect(t.venue.sent).toHaveLength(2); // one exit in flight at a time
    t.clock.now += 5000;
    t.report('trade', exit?.clientOrderId as string, { fill: { size: 10, price: 10_060, side: 1 } });
    const trade = t.core.positions.trades[0];
    expect(trade).toMatchObject({
      direction: 'long',
      quantity: '10',
      entryPrice: '100',
      exitPrice: '100.6',
      exitReason: 'take_profit',
      durationMs: 5000,
      pnl: '5.98', // 6 less two fees of 0.01, exactly
      fees: '0.02',
    });
    expect(t.core.positions.stats).toMatchObject({ trades: 1, wins: 1, losses: 0 });
  });

  it('evaluates stop loss, trailing stop and time limit', () => {
    const book = new PositionBook();
    const p = book.get(AAPL);
    book.apply(AAPL, { instrument: 1, side: 0, price: 10_000, size: 1, fee: 0, feeScale: 8, tsMs: 0, reason: 'x' });
    const rules = { takeProfitBps: 0, stopLossBps: 30, trailingStopBps: 20, maxHoldMs: 60_000 };
    expect(evaluateExit(p, 9_980, 9_982, 1, rules)).toBeNull();
    expect(evaluateExit(p, 9_960, 9_962, 1, rules)).toBe('stop_loss');
    expect(evaluateExit(p, 10_100, 10_102, 1, rules)).toBeNull(); // new best 10_100
    expect(evaluateExit(p, 10_070, 10_072, 1, rules)).toBe('trailing_stop');
    expect(evaluateExit(p, 10_095, 10_097, 60_001, rules)).toBe('time_limit');
  });

  it('average-cost P&L through flips, with win/loss stats', () => {
    const b = new PositionBook();
    const f = (side: number, price: number, size: number) =>
      b.apply(AAPL, { instrument: 1, side, price, size, fee: 0, feeScale: 8, tsMs: 0, reason: 'r' });
    f(0, 10_000, 10);
    f(0, 10_200, 10); // avg 101.00 x 20
    expect(b.peek(1)?.avg).toBe(10_100);
    expect(f(1, 10_000, 30)).toMatchObject({ direction: 'long', pnl: '-20' }); // closes 20 at -1.00, opens short 10
    expect(b.peek(1)?.qty).toBe(-10);
    expect(f(0, 9_900, 10)).toMatchObject({ direction: 'short', pnl: '10' });
    expect(b.stats).toMatchObject({ trades: 2, wins: 1, losses: 1, winRate: 0.5, grossProfit: '10', grossLoss: '20', netPnl: '-10' });
    expect(b.equity.length).toBe(4);
  });
});

describe('recovery', () => {
  it('rebuilds positions and open orders from the journal and reconciles on connect', () => {
    const journal = new MemoryJournal();
    const a = setup({}, journal);
    a.core.onOrderIntent(intent({ intentId: 1, instrument: 1, size: 5, tif: 0 }, a.clock.now), a.rec);
    a.report('new', 'i1');
    a.report('trade', 'i1', { fill: { size: 2 } });
    const b = setup({}, journal);
    expect(b.core.positions.peek(1)?.qty).toBe(2);
    expect(b.core.openOrders().map((o) => o.clientOrderId)).toEqual(['i1']);
    expect(b.core.lastSeq).toBe(2);
    b.core.pump(b.rec); // recovered state goes downstream first
    expect(b.rec.positions[0]).toMatchObject({ quantity: 2 });
    expect(b.rec.events[0]).toMatchObject({ clientOrderId: 'i1', reason: 'recovered' });
    b.core.onVenue({ kind: 'connected' }, b.rec);
    expect(b.venue.queries).toEqual(['fills:2', 'open_orders']);
    // the venue filled 1 more while we were down; the order is still open there
    b.core.onVenue(
      {
        kind: 'fills',
        seq: 4,
        fills: [
          {
            fillId: 'late',
            seq: 3,
            clientOrderId: 'i1',
            venueOrderId: 'v1',
            instrument: 1,
            side: 0,
            price: 10_000,
            size: 1,
            fee: 0,
            feeScale: 8,
            maker: true,
            tsMs: 0,
          },
        ],
      },
      b.rec,
    );
    b.core.onVenue(
      {
        kind: 'open-orders',
        seq: 4,
        orders: [
          {
            clientOrderId: 'i1',
            venueOrderId: 'v1',
            instrument: 1,
            side: 0,
            type: 0,
            price: 10_000,
            size: 5,
            filled: 3,
            status: 'partially_filled',
          },
        ],
      },
      b.rec,
    );
    expect(b.core.positions.peek(1)?.qty).toBe(3);
    expect(b.core.orders.get('i1')?.filled).toBe(3);
    expect(b.core.lastSeq).toBe(4);
    expect(journal.fills.at(-1)?.synthesized).toBe(true);
  });
});
