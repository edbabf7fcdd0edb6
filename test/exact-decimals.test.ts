/**
 * Exact decimals from fills to the user, as a property: random fills (prices and sizes at each
 * instrument's tick and lot, buys and sells, partial fills, fees and rebates at 10^-8) go
 * through the real execution core (two partitions) with a real SQLite journal, and every figure
 * a person or a program reads — the execution report, the journal's rows, the position records,
 * the dashboard's /api/trading JSON — must equal the exact decimal sums of the fills, computed
 * here independently with BigInt at 20 decimals.
 */

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DashboardHandle } from '@tickline/dashboard';
import { ExecutionCore, executionReport, resolveExecutionConfig, SqliteJournal } from '@tickline/execution';
import { decimalString, InstrumentRegistry, type InstrumentSpec, moneyScale, parseBigDecimal } from '@tickline/wire';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AcceptingVenue, ExecutionReportPipeline, FillDriver, NOW, startTradingDashboard } from './execution-fills.js';

const S = 20; // the independent model's scale
const P = 10n ** BigInt(S);
const registry = new InstrumentRegistry();
// [symbol, priceScale, sizeScale, tick, lot]: money scales 10, 8, 8 and 8 (price + size < 8)
for (const [symbol, priceScale, sizeScale, tickSize, lotSize] of [
  ['BTC-USD', 2, 8, 1, 1000],
  ['ETH-USD', 2, 4, 5, 10],
  ['AAPL', 2, 0, 1, 1],
  ['DOGE-USD', 5, 1, 1, 1],
] as const)
  registry.add({ venue: 'sim', symbol, priceScale, sizeScale, tickSize, lotSize });
const specs = registry.list();
const PARTITIONS = [specs.slice(0, 2), specs.slice(2)];

/** mulberry32: a small seeded generator, so a failure names its seed. */
function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The independent model of one instrument: BigInt at 10^-20, from the fills alone. */
interface Truth {
  qty: bigint; // size mantissa
  cash: bigint; // sells - buys - fees
  fees: bigint;
  lastPrice: bigint; // price mantissa
  basisNum: bigint; // exact average-cost basis, a fraction at 10^-20
  basisDen: bigint;
  partialCloses: number; // since the position opened: each may round the released basis by 1/2 unit
  trip: { cash: bigint; fees: bigint; maxQty: bigint };
  trips: { pnl: bigint; fees: bigint; quantity: bigint }[];
}

const at = (m: bigint, scale: number) => m * 10n ** BigInt(S - scale);
const exact = (v: string) => {
  const m = parseBigDecimal(v, S);
  if (m === null) throw new Error(`not a plain decimal: ${v}`);
  return m;
};
const str = (m: bigint) => decimalString(m, S);

function book(t: Truth, spec: InstrumentSpec, side: number, price: bigint, size: bigint, fee: bigint): void {
  const notional = at(price * size, spec.priceScale + spec.sizeScale);
  const signed = side === 0 ? size : -size;
  t.cash += side === 0 ? -notional : notional;
  t.cash -= fee;
  t.fees += fee;
  t.lastPrice = price;
  if (t.qty === 0n) t.trip = { cash: 0n, fees: 0n, maxQty: 0n };
  t.trip.fees += fee;
  const px = at(price, spec.priceScale);
  if (t.qty === 0n || t.qty > 0n === signed > 0n) {
    t.basisNum = t.basisNum + notional * t.basisDen;
    t.qty += signed;
    t.trip.cash += side === 0 ? -notional : notional;
    const abs = t.qty < 0n ? -t.qty : t.qty;
    if (abs > t.trip.maxQty) t.trip.maxQty = abs;
    return;
  }
  const held = t.qty < 0n ? -t.qty : t.qty;
  const closing = size < held ? size : held;
  const closingCash = (px * at(closing, spec.sizeScale)) / P;
  t.trip.cash += side === 0 ? -closingCash : closingCash;
  t.basisNum = t.basisNum * (held - closing);
  t.basisDen = t.basisDen * held;
  if (closing < held) t.partialCloses++;
  t.qty += signed > 0n ? closing : -closing;
  if (t.qty !== 0n) return;
  t.trips.push({ pnl: t.trip.cash - t.trip.fees, fees: t.trip.fees, quantity: t.trip.maxQty });
  t.basisNum = 0n;
  t.basisDen = 1n;
  t.partialCloses = 0;
  const rest = size - closing;
  if (rest > 0n) {
    const restCash = (px * at(rest, spec.sizeScale)) / P;
    t.trip = { cash: side === 0 ? -restCash : restCash, fees: 0n, maxQty: rest };
    t.basisNum = restCash;
    t.qty = signed > 0n ? rest : -rest;
  }
}

interface Partition {
  driver: FillDriver;
  journal: SqliteJournal;
  path: string;
}

const dir = mkdtempSync(join(tmpdir(), 'tkl-exact-'));
let parts: Partition[] = [];
const pipeline = new ExecutionReportPipeline();
let dash: DashboardHandle;

beforeAll(async () => {
  dash = await startTradingDashboard(registry, pipeline);
});
afterAll(async () => {
  await dash?.close();
  for (const p of parts) p.journal.close();
});

async function apiTrading(): Promise<Record<string, unknown>> {
  const res = await fetch(`${dash.url}api/trading`, { headers: { authorization: `Bearer ${dash.token}` } });
  expect(res.status).toBe(200);
  return (await res.json()) as Record<string, unknown>;
}

function openPartition(i: number, seed: number): Partition {
  const path = join(dir, `journal-${seed}-${i}.db`);
  const journal = new SqliteJournal(path, { synchronous: 'normal' });
  const core = new ExecutionCore(resolveExecutionConfig({}), registry, new AcceptingVenue(), journal, { clock: () => NOW });
  return { driver: new FillDriver(core), journal, path };
}

/** Drives random orders with random partial fills through partition `p`; returns the truth per instrument. */
function trade(p: Partition, own: InstrumentSpec[], next: () => number, orders: number): Map<number, Truth> {
  const truth = new Map<number, Truth>();
  for (const s of own)
    truth.set(s.id, {
      qty: 0n,
      cash: 0n,
      fees: 0n,
      lastPrice: 0n,
      basisNum: 0n,
      basisDen: 1n,
      partialCloses: 0,
      trip: { cash: 0n, fees: 0n, maxQty: 0n },
      trips: [],
    });
  for (let n = 1; n <= orders; n++) {
    const spec = own[Math.floor(next() * own.length)] as InstrumentSpec;
    const t = truth.get(spec.id) as Truth;
    // sizes around the position, so positions flip, close and reopen
    const lots = 1 + Math.floor(next() * 40);
    const side = next() < 0.5 ? 0 : 1;
    const size = lots * spec.lotSize;
    const order = p.driver.order(spec, n, side, size);
    let left = lots;
    while (left > 0) {
      const part = next() < 0.4 ? left : 1 + Math.floor(next() * left);
      left -= part;
      const ticks = 1 + Math.floor(next() * 200_000);
      const price = ticks * spec.tickSize;
      // fees at 10^-8, sometimes a rebate, as the exchange sends them
      const feeText = decimalString(Math.floor(next() * 2_000_000) - (next() < 0.2 ? 2_000_000 : 0), 8);
      p.driver.fill(order, spec, price, part * spec.lotSize, feeText, next() < 0.5);
      book(t, spec, side, BigInt(price), BigInt(part * spec.lotSize), exact(feeText));
    }
  }
  return truth;
}

/** Every figure of one partition's report against the truth. */
function checkReport(report: ReturnType<typeof executionReport>, own: InstrumentSpec[], truth: Map<number, Truth>, seed: number): void {
  let equity = 0n;
  const trips: { pnl: bigint; fees: bigint; quantity: string }[] = [];
  for (const spec of own) {
    const t = truth.get(spec.id) as Truth;
    const pos = report.positions.find((x) => x.instrument === `sim:${spec.symbol}`);
    const why = `seed ${seed} ${spec.symbol}`;
    if (pos === undefined) {
      expect(t.fees === 0n && t.qty === 0n, why).toBe(true);
      continue;
    }
    expect(pos.quantity, why).toBe(decimalString(t.qty, spec.sizeScale));
    expect(pos.fees, why).toBe(str(t.fees));
    // realized - fees = cash flow + the basis held (long) or - it (short), exactly
    const held = t.qty < 0n ? -exact(pos.costBasis) : exact(pos.costBasis);
    expect(str(exact(pos.realizedPnl) - exact(pos.fees)), why).toBe(str(t.cash + held));
    // the marked value: realized - fees + unrealized = cash + quantity x last price, exactly
    const value = t.cash + at(t.qty * t.lastPrice, spec.priceScale + spec.sizeScale);
    expect(str(exact(pos.realizedPnl) - exact(pos.fees) + exact(pos.unrealizedPnl)), why).toBe(str(value));
    equity += value;
    // average cost: the basis is the exact one, off by at most half a money unit per partial close
    const unit = 10n ** BigInt(S - moneyScale(spec));
    const off = exact(pos.costBasis) * t.basisDen - t.basisNum;
    expect((off < 0n ? -off : off) * 2n <= BigInt(t.partialCloses) * unit * t.basisDen, why).toBe(true);
    for (const x of t.trips) trips.push({ ...x, quantity: decimalString(x.quantity, spec.sizeScale) });
  }
  expect(report.equity, `seed ${seed}`).toBe(str(equity));
  const listed = report.trades.map((x) => ({ pnl: exact(x.pnl), fees: exact(x.fees), quantity: x.quantity }));
  expect(new Set(listed.map((x) => `${x.quantity} ${str(x.pnl)} ${str(x.fees)}`)), `seed ${seed}`).toEqual(
    new Set(trips.map((x) => `${x.quantity} ${str(x.pnl)} ${str(x.fees)}`)),
  );
  const net = trips.reduce((a, x) => a + x.pnl, 0n);
  expect(report.stats.netPnl).toBe(str(net));
  expect(report.stats.grossProfit).toBe(str(trips.reduce((a, x) => a + (x.pnl > 0n ? x.pnl : 0n), 0n)));
}

describe('exact decimals from fills to the user', () => {
  it('property: every figure shown equals the exact sum of the fills', async () => {
    const seen = { trips: 0, partialCloses: 0, shorts: 0 };
    for (let seed = 1; seed <= 12; seed++) {
      const next = rng(seed);
      parts = PARTITIONS.map((_, i) => openPartition(i, seed));
      pipeline.cores = parts.map((p) => p.driver.core);
      const truths = parts.map((p, i) => trade(p, PARTITIONS[i] as InstrumentSpec[], next, 60));
      const reports = parts.map((p) => executionReport(p.driver.core));
      for (const [i, r] of reports.entries()) checkReport(r, PARTITIONS[i] as InstrumentSpec[], truths[i] as Map<number, Truth>, seed);
      for (const t of truths.flatMap((m) => [...m.values()])) {
        seen.trips += t.trips.length;
        seen.partialCloses += t.partialCloses;
        seen.shorts += t.qty < 0n ? 1 : 0;
      }

      for (const [i, p] of parts.entries()) {
        // the journal: each fill's price and size mantissas and its fee as exact text
        const rows = p.journal.db.prepare('SELECT instrument, price, size, fee FROM fills ORDER BY id').all() as {
          instrument: number;
          price: number;
          size: number;
          fee: unknown;
        }[];
        expect(rows.length).toBe(p.driver.core.counters.fills);
        for (const r of rows) expect(typeof r.fee === 'string' && /^-?\d+(\.\d*[1-9])?$/.test(r.fee), String(r.fee)).toBe(true);
        const fees = new Map<number, bigint>();
        for (const r of rows) fees.set(r.instrument, (fees.get(r.instrument) ?? 0n) + exact(r.fee as string));
        for (const [id, f] of fees) expect(str(f)).toBe(str((truths[i] as Map<number, Truth>).get(id)?.fees as bigint));
        // the position records on the wire: mantissas at the money scale
        for (const spec of PARTITIONS[i] as InstrumentSpec[]) {
          const last = p.driver.rec.positions.filter((x) => x.instrument === spec.id).at(-1);
          const pos = reports[i]?.positions.find((x) => x.instrument === `sim:${spec.symbol}`);
          if (!last || !pos) continue;
          expect(last.moneyScale).toBe(moneyScale(spec));
          expect(decimalString(last.fees, last.moneyScale)).toBe(pos.fees);
          expect(decimalString(last.realizedPnl, last.moneyScale)).toBe(pos.realizedPnl);
          expect(decimalString(last.quantity, last.sizeScale)).toBe(pos.quantity);
        }
        // a restart from the journal shows the same figures
        p.journal.close();
        p.journal = new SqliteJournal(p.path, { synchronous: 'normal' });
        p.driver.core = new ExecutionCore(resolveExecutionConfig({}), registry, new AcceptingVenue(), p.journal, {
          clock: () => NOW,
        });
        const again = executionReport(p.driver.core);
        expect(again.positions.map((x) => [x.quantity, x.costBasis, x.realizedPnl, x.fees])).toEqual(
          reports[i]?.positions.map((x) => [x.quantity, x.costBasis, x.realizedPnl, x.fees]),
        );
      }

      // the dashboard merges the partitions exactly (the restarted cores answer now)
      pipeline.cores = parts.map((p) => p.driver.core);
      const api = await apiTrading();
      const positions = api.positions as Record<string, unknown>[];
      for (const r of reports)
        for (const pos of r.positions) {
          if (pos.quantity === '0') continue;
          const shown = positions.find((x) => `sim:${x.instrument}` === pos.instrument);
          expect(shown, pos.instrument).toMatchObject({
            quantity: pos.quantity,
            avgPrice: pos.avgPrice,
            fees: pos.fees,
            realizedPnl: pos.realizedPnl,
          });
        }
      const total = reports.reduce((a, r) => a + exact(r.equity), 0n);
      expect(api.equity).toBe(str(total));
      const closed = reports.flatMap((r) => r.trades).reduce((a, t) => a + exact(t.pnl), 0n);
      expect((api.stats as { netPnl: string }).netPnl).toBe(str(closed));
      for (const p of parts) p.journal.close();
    }
    // the runs covered round trips, partial closes that round, and short positions
    expect(seen.trips).toBeGreaterThan(50);
    expect(seen.partialCloses).toBeGreaterThan(5);
    expect(seen.shorts).toBeGreaterThan(3);
  });

  it('shows sums of decimal fills as the decimals they are (0.013, not 0.013000000000000001)', async () => {
    parts = [openPartition(0, 0), openPartition(1, 0)];
    pipeline.cores = parts.map((p) => p.driver.core);
    const [p] = parts as [Partition];
    const eth = specs[1] as InstrumentSpec; // ETH-USD: size scale 4, lot 0.001
    const buy = (n: number, size: number, side = 0) => p.driver.fill(p.driver.order(eth, n, side, size), eth, 300_005, size, '0.00000007');
    buy(1, 30); // 0.003
    buy(2, 100); // 0.010
    const api = await apiTrading();
    const shown = (api.positions as { instrument: string; quantity: string; fees: string }[]).find((x) => x.instrument === 'ETH-USD');
    expect(shown).toMatchObject({ quantity: '0.013', fees: '0.00000014', avgPrice: '3000.05' });
    buy(3, 1310, 1); // sell 0.131: short 0.118
    const after = executionReport(p.driver.core).positions[0];
    expect(after?.quantity).toBe('-0.118');
    for (const x of parts) x.journal.close();
  });
});
