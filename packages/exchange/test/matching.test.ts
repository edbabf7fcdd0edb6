import { describe, expect, it } from 'vitest';
import { type Account, CASH_PRECISION, feeFor, notionalCash } from '../src/accounts.js';
import { formatBigUnits } from '../src/decimal.js';
import { generateUniverse, type Instrument, priceString, sizeString } from '../src/instruments.js';
import { type ExecutionReport, MatchingEngine, type NewOrder } from '../src/matching.js';
import { Prng } from '../src/prng.js';
import { SimBook } from '../src/sim-book.js';

const universe = generateUniverse(80, 7);
const bySymbol = new Map(universe.map((i) => [i.symbol, i]));
const AAPL = bySymbol.get('AAPL') as Instrument;

interface Setup {
  engine: MatchingEngine;
  books: SimBook[];
  reports: ExecutionReport[];
  /** Reports as they were at emission time (orders mutate later). */
  snaps: Array<{
    event: string;
    seq: number;
    status: string;
    filled: number;
    reason?: string;
    fill?: { price: number; lots: number; liq: string };
  }>;
}

/** A fixed book for AAPL: bids 100.00 / 99.99 / 99.98, asks 100.02 / 100.03 / 100.05, 10/20/30 lots. */
function setup(opts: { makerFeeBps?: number; takerFeeBps?: number; orderRateLimit?: number } = {}): Setup {
  const books = universe.map((i) => new SimBook(i.index, () => {}));
  const b = books[AAPL.index] as SimBook;
  const bid = [10000, 9999, 9998];
  const ask = [10002, 10003, 10005];
  for (const [i, p] of bid.entries()) b.setLevel('bid', p, 10 * (i + 1));
  for (const [i, p] of ask.entries()) b.setLevel('ask', p, 10 * (i + 1));
  b.clearPending();
  const reports: ExecutionReport[] = [];
  const snaps: Setup['snaps'] = [];
  const engine = new MatchingEngine(
    bySymbol,
    books,
    { makerFeeBps: opts.makerFeeBps ?? 1, takerFeeBps: opts.takerFeeBps ?? 2, orderRateLimit: opts.orderRateLimit ?? 0 },
    (r) => {
      reports.push(r);
      snaps.push({
        event: r.event,
        seq: r.seq,
        status: r.order.status,
        filled: r.order.filledLots,
        ...(r.reason !== undefined ? { reason: r.reason } : {}),
        ...(r.fill !== undefined ? { fill: { price: r.fill.priceTicks, lots: r.fill.lots, liq: r.fill.liquidity } } : {}),
      });
    },
  );
  return { engine, books, reports, snaps };
}

const order = (o: Partial<NewOrder> & { clientOrderId: string }): NewOrder => ({
  instrument: 'AAPL',
  side: 'buy',
  type: 'limit',
  timeInForce: 'GTC',
  size: '1',
  ...o,
});

describe('MatchingEngine: taking liquidity', () => {
  it('a marketable limit buy fills across levels at each level price, then rests the remainder', () => {
    const { engine, books, snaps } = setup();
    const r = engine.submit('acc', order({ clientOrderId: 'a', price: '100.03', size: '45' }), 1);
    expect(r.ok).toBe(true);
    expect(snaps.map((s) => s.event)).toEqual(['new', 'trade', 'trade']);
    expect(snaps[1]?.fill).toEqual({ price: 10002, lots: 10, liq: 'taker' });
    expect(snaps[2]?.fill).toEqual({ price: 10003, lots: 20, liq: 'taker' });
    expect(snaps.map((s) => s.status)).toEqual(['open', 'partially_filled', 'partially_filled']);
    const book = books[AAPL.index] as SimBook;
    // Both levels consumed; 100.05 untouched; the resting rest is private (not in the book).
    expect(book.asks.prices).toEqual([10005]);
    expect(book.bids.prices).toEqual([10000, 9999, 9998]);
    expect([...book.asks.pending]).toEqual([
      [10002, 0],
      [10003, 0],
    ]);
    expect(book.pendingTrades.map((t) => [t.priceTicks, t.lots, t.aggressor])).toEqual([
      [10002, 10, 'buy'],
      [10003, 20, 'buy'],
    ]);
    expect(
      engine
        .account('acc')
        .openOrders()
        .map((o) => o.lots - o.filledLots),
    ).toEqual([15]);
  });

  it('partially consumes a level and leaves the rest of it', () => {
    const { engine, books } = setup();
    engine.submit('acc', order({ clientOrderId: 'a', price: '100.02', size: '4', timeInForce: 'IOC' }), 1);
    const book = books[AAPL.index] as SimBook;
    expect(book.asks.sizes[0]).toBe(6);
    expect(book.asks.pending.get(10002)).toBe(6);
  });

  it('a market sell takes every bid and cancels the rest as market_remainder', () => {
    const { engine, books, snaps } = setup();
    engine.submit('acc', order({ clientOrderId: 'm', side: 'sell', type: 'market', timeInForce: 'IOC', size: '100' }), 1);
    expect(snaps.map((s) => s.event)).toEqual(['new', 'trade', 'trade', 'trade', 'canceled']);
    expect(snaps.at(-1)).toMatchObject({ status: 'canceled', filled: 60, reason: 'market_remainder' });
    expect((books[AAPL.index] as SimBook).bids.prices).toEqual([]);
  });

  it('an IOC limit cancels its unfilled rest with ioc_remainder and never rests', () => {
    const { engine, snaps } = setup();
    engine.submit('acc', order({ clientOrderId: 'i', price: '100.02', size: '25', timeInForce: 'IOC' }), 1);
    expect(snaps.at(-1)).toMatchObject({ event: 'canceled', filled: 10, reason: 'ioc_remainder' });
    expect(engine.account('acc').openOrders()).toHaveLength(0);
  });

  it('a non-marketable limit order rests without touching the book', () => {
    const { engine, books, snaps } = setup();
    engine.submit('acc', order({ clientOrderId: 'r', price: '100.01', size: '5' }), 1);
    expect(snaps.map((s) => s.event)).toEqual(['new']);
    expect((books[AAPL.index] as SimBook).hasPending()).toBe(false);
  });
});

describe('MatchingEngine: rejects', () => {
  const cases: Array<[string, Partial<NewOrder>, string]> = [
    ['price with too many decimals', { price: '100.015' }, 'bad_price'],
    ['zero price', { price: '0' }, 'bad_price'],
    ['negative price', { price: '-1.00' }, 'bad_price'],
    ['non-numeric price', { price: '1e3' }, 'bad_price'],
    ['limit without price', { price: undefined }, 'bad_price'],
    ['market with price', { type: 'market', timeInForce: 'IOC', price: '100.00' }, 'bad_price'],
    ['market GTC', { type: 'market', timeInForce: 'GTC' }, 'bad_request'],
    ['zero size', { price: '100.00', size: '0' }, 'bad_size'],
    ['fractional size on whole lots', { price: '100.00', size: '1.5' }, 'bad_size'],
  ];
  for (const [name, o, code] of cases) {
    it(`${name} -> ${code}, with a rejected report`, () => {
      const { engine, snaps } = setup();
      const r = engine.submit('acc', order({ clientOrderId: 'x', ...o }), 1);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.error.code).toBe(code);
      expect(snaps).toEqual([{ event: 'rejected', seq: 1, status: 'rejected', filled: 0, reason: code }]);
    });
  }

  it('rejects a price off the tick grid of a 0.05-tick instrument', () => {
    const inst = universe.find((i) => i.tickUnits === 5);
    expect(inst).toBeDefined();
    const { engine } = setup();
    const r = engine.submit('acc', order({ clientOrderId: 't', instrument: inst?.symbol as string, price: '10.01' }), 1);
    expect(r.ok ? '' : r.error.code).toBe('bad_price');
    const ok = engine.submit('acc', order({ clientOrderId: 't2', instrument: inst?.symbol as string, price: '10.05' }), 1);
    expect(ok.ok).toBe(true);
  });

  it('rejects a size that is not a lot multiple', () => {
    const inst = universe.find((i) => i.lotUnits === 10) as Instrument;
    expect(inst).toBeDefined();
    const { engine } = setup();
    const r = engine.submit('acc', order({ clientOrderId: 'l', instrument: inst.symbol, price: '1.00', size: '15' }), 1);
    expect(r.ok ? '' : r.error.code).toBe('bad_size');
  });

  it('unknown instrument and duplicate client ids are rejected without a report', () => {
    const { engine, snaps } = setup();
    const u = engine.submit('acc', order({ clientOrderId: 'u', instrument: 'NOPE', price: '1.00' }), 1);
    expect(u.ok ? '' : u.error.code).toBe('unknown_instrument');
    engine.submit('acc', order({ clientOrderId: 'd', price: '99.00' }), 1);
    const d = engine.submit('acc', order({ clientOrderId: 'd', price: '99.00' }), 1);
    expect(d.ok ? '' : d.error.code).toBe('duplicate_client_order_id');
    expect(snaps.map((s) => s.event)).toEqual(['new']);
    // Another account may use the same client id.
    expect(engine.submit('other', order({ clientOrderId: 'd', price: '99.00' }), 1).ok).toBe(true);
  });

  it('enforces the per-account order rate per second', () => {
    const { engine } = setup({ orderRateLimit: 3 });
    const codes = [0, 1, 2, 3, 4].map((i) => {
      const r = engine.submit('acc', order({ clientOrderId: `r${i}`, price: '99.00' }), 1000 + i);
      return r.ok ? 'ok' : r.error.code;
    });
    expect(codes).toEqual(['ok', 'ok', 'ok', 'rate_limited', 'rate_limited']);
    expect(engine.submit('other', order({ clientOrderId: 'o', price: '99.00' }), 1005).ok).toBe(true);
    expect(engine.submit('acc', order({ clientOrderId: 'later', price: '99.00' }), 2001).ok).toBe(true);
  });
});

describe('MatchingEngine: resting orders and cancels', () => {
  it('fills resting orders when the market trades through or at their price, in time priority', () => {
    const { engine, snaps } = setup();
    engine.submit('a', order({ clientOrderId: 'b1', price: '100.01', size: '8' }), 1);
    engine.submit('a', order({ clientOrderId: 'b2', price: '100.00', size: '8' }), 2);
    engine.submit('a', order({ clientOrderId: 'b3', price: '100.00', size: '8' }), 3);
    engine.submit('a', order({ clientOrderId: 's1', side: 'sell', price: '100.04', size: '8' }), 4);
    snaps.length = 0;
    // A sell aggressor prints 5 lots at 100.00: b1 (100.01) is traded through and fills completely;
    // b2 at exactly 100.00 gets the 5 lots; b3 gets nothing; the resting sell is unaffected.
    engine.onMarketTrade(AAPL, 10000, 5, 'sell', 10);
    expect(snaps.map((s) => [s.event, s.fill?.price, s.fill?.lots, s.fill?.liq])).toEqual([
      ['trade', 10001, 8, 'maker'],
      ['trade', 10000, 5, 'maker'],
    ]);
    const open = engine
      .account('a')
      .openOrders()
      .map((o) => [o.clientOrderId, o.lots - o.filledLots]);
    expect(open).toEqual([
      ['b2', 3],
      ['b3', 8],
      ['s1', 8],
    ]);
    // Buy-side trades below the resting sell do nothing to it.
    engine.onMarketTrade(AAPL, 10003, 50, 'buy', 11);
    expect(engine.account('a').openOrders()).toHaveLength(3);
    engine.onMarketTrade(AAPL, 10005, 1, 'buy', 12);
    expect(
      engine
        .account('a')
        .openOrders()
        .map((o) => o.clientOrderId),
    ).toEqual(['b2', 'b3']);
  });

  it("a taker's prints fill other accounts' resting orders", () => {
    const { engine } = setup();
    engine.submit('maker', order({ clientOrderId: 's', side: 'sell', price: '100.01', size: '3' }), 1);
    engine.submit('taker', order({ clientOrderId: 't', type: 'market', timeInForce: 'IOC', size: '5' }), 2);
    const m = engine.account('maker');
    expect(m.openOrders()).toHaveLength(0);
    expect(m.fills.map((f) => [f.priceTicks, f.lots, f.liquidity])).toEqual([[10001, 3, 'maker']]);
  });

  it('cancels by client id and order id, cancel-all by instrument, unknown_order otherwise', () => {
    const { engine, snaps } = setup();
    const a = engine.submit('acc', order({ clientOrderId: 'a', price: '99.00' }), 1);
    engine.submit('acc', order({ clientOrderId: 'b', price: '99.00' }), 1);
    const other = universe[2] as Instrument;
    engine.submit('acc', order({ clientOrderId: 'c', instrument: other.symbol, price: '1.00' }), 1);
    expect(engine.cancel('acc', { clientOrderId: 'a' }, 2).status).toBe('canceled');
    expect(snaps.at(-1)).toMatchObject({ event: 'canceled', reason: 'canceled_by_user' });
    expect(() => engine.cancel('acc', { orderId: a.ok ? a.order.orderId : '' }, 3)).toThrow(/no open order/);
    expect(() => engine.cancel('acc', { clientOrderId: 'zzz' }, 3)).toThrowError(expect.objectContaining({ code: 'unknown_order' }));
    expect(engine.cancelAll('acc', 'AAPL', 4).map((o) => o.clientOrderId)).toEqual(['b']);
    expect(engine.cancelAll('acc', undefined, 4).map((o) => o.clientOrderId)).toEqual(['c']);
    expect(() => engine.cancelAll('acc', 'NOPE', 4)).toThrowError(expect.objectContaining({ code: 'unknown_instrument' }));
    // A canceled order does not fill later.
    engine.onMarketTrade(AAPL, 9000, 100, 'sell', 5);
    expect(engine.account('acc').fills).toHaveLength(0);
  });
});

describe('MatchingEngine: fees, positions and sequencing', () => {
  it('books taker and maker fees exactly (maker rebate negative)', () => {
    const { engine } = setup({ takerFeeBps: 2.5, makerFeeBps: -0.25 });
    engine.submit('acc', order({ clientOrderId: 't', price: '100.02', size: '7', timeInForce: 'IOC' }), 1);
    engine.submit('acc', order({ clientOrderId: 'm', side: 'sell', price: '100.10', size: '3' }), 2);
    engine.onMarketTrade(AAPL, 10011, 1, 'buy', 3);
    const acc = engine.account('acc');
    const [t, m] = acc.fills;
    // 7 x 100.02 = 700.14; 2.5 bps = 0.175035
    expect(formatBigUnits(t?.fee ?? 0n, 8)).toBe('0.17503500');
    // 3 x 100.10 = 300.30; -0.25 bps = -0.00750750
    expect(formatBigUnits(m?.fee ?? 0n, 8)).toBe('-0.00750750');
    expect(formatBigUnits(acc.cash, 8)).toBe(formatBigUnits(-70014000000n - 17503500n + 30030000000n + 750750n, 8));
    expect(acc.positions.get('AAPL')?.units).toBe(4);
  });

  it('feeFor rounds half away from zero', () => {
    expect(feeFor(5000n, 1)).toBe(1n); // 0.5 -> 1
    expect(feeFor(4999n, 1)).toBe(0n);
    expect(feeFor(5000n, -1)).toBe(-1n);
  });

  it('property: random order flow keeps positions, cash, seqs and books consistent', () => {
    const prng = new Prng(99);
    for (let run = 0; run < 20; run++) {
      const { engine, books, reports } = setup({ orderRateLimit: 0 });
      const book = books[AAPL.index] as SimBook;
      // Random deeper book.
      for (let i = 0; i < 20; i++) {
        book.setLevel('bid', 9990 - i * prng.range(1, 3), prng.range(1, 50));
        book.setLevel('ask', 10010 + i * prng.range(1, 3), prng.range(1, 50));
      }
      const accounts = ['a', 'b', 'c'];
      let liquidityTaken = 0;
      for (let k = 0; k < 200; k++) {
        const acc = accounts[prng.int(3)] as string;
        const r = prng.next();
        if (r < 0.6) {
          const side = prng.chance(0.5) ? 'buy' : 'sell';
          const type = prng.chance(0.2) ? 'market' : 'limit';
          const before = book.asks.sizes.reduce((x, y) => x + y, 0) + book.bids.sizes.reduce((x, y) => x + y, 0);
          engine.submit(
            acc,
            order({
              clientOrderId: `o${k}`,
              side,
              type,
              timeInForce: type === 'market' || prng.chance(0.3) ? 'IOC' : 'GTC',
              price: type === 'market' ? undefined : priceString(AAPL, 9985 + prng.int(30)),
              size: sizeString(AAPL, 1 + prng.int(40)),
            }),
            k,
          );
          const after = book.asks.sizes.reduce((x, y) => x + y, 0) + book.bids.sizes.reduce((x, y) => x + y, 0);
          liquidityTaken += before - after;
        } else if (r < 0.8) {
          engine.onMarketTrade(AAPL, 9985 + prng.int(30), 1 + prng.int(20), prng.chance(0.5) ? 'buy' : 'sell', k);
        } else {
          engine.cancelAll(acc, undefined, k);
        }
        const bb = book.bestBid();
        const ba = book.bestAsk();
        if (bb !== undefined && ba !== undefined) expect(bb).toBeLessThan(ba);
      }
      let takerLots = 0;
      for (const name of accounts) {
        const acc = engine.account(name) as Account;
        const mine = reports.filter((x) => x.account === name);
        // Per-account seq rises by exactly one.
        expect(mine.map((x) => x.seq)).toEqual(mine.map((_, i) => i + 1));
        let units = 0;
        let cash = 0n;
        for (const f of acc.fills) {
          const sign = f.order.side === 'buy' ? 1 : -1;
          units += sign * f.lots;
          const n = notionalCash(AAPL, f.priceTicks, f.lots);
          cash += (sign > 0 ? -n : n) - f.fee;
          if (f.liquidity === 'taker') takerLots += f.lots;
          const rep = mine.find((x) => x.fill === f);
          expect(rep?.seq).toBe(f.seq);
        }
        expect(acc.positions.get('AAPL')?.units ?? 0).toBe(units);
        expect(acc.cash).toBe(cash);
        for (const o of acc.orders.values()) {
          expect(o.filledLots).toBeLessThanOrEqual(o.lots);
          if (o.status === 'filled') expect(o.filledLots).toBe(o.lots);
        }
      }
      // Every taker lot came out of the simulated book, and nothing else did.
      expect(takerLots).toBe(liquidityTaken);
    }
    expect(CASH_PRECISION).toBe(8);
  });
});
