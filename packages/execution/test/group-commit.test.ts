/**
 * Group commit against a real SQLite file: the rows of a unit of work land in one transaction
 * (counted in the WAL file itself: one commit frame = one fsync with synchronous=FULL), no
 * request reaches the venue before the rows behind it are on disk (a venue port that reads the
 * file from a second connection when a request arrives, and the real gateway against a real
 * WebSocket server), repeated fills are refused inside a unit and across units and restarts, and
 * a unit cut short by a crash leaves nothing on disk or at the venue.
 */

import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { intent, Recorder, testRegistry, view } from '@tickline/runtime/testing';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { epochMs } from '@tickline/wire';
import {
  ExecutionCore,
  type JournalFill,
  MemoryJournal,
  OrderStatus as S,
  resolveExecutionConfig,
  SqliteJournal,
  type VenuePort,
  WsVenueGateway,
} from '../src/index.js';
import { until } from './exchange-harness.js';
import { FakeVenue, type ReportExtra, venueReport } from './fake-venue.js';

const registry = testRegistry();
const cleanup: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

/** Transactions committed in the WAL file: frames that end one, under the WAL's current salt. */
function walCommits(dbPath: string): number {
  let buf: Buffer;
  try {
    buf = readFileSync(`${dbPath}-wal`);
  } catch {
    return 0;
  }
  if (buf.length < 32) return 0;
  const pageSize = buf.readUInt32BE(8);
  const salt1 = buf.readUInt32BE(16);
  const salt2 = buf.readUInt32BE(20);
  let commits = 0;
  for (let off = 32; off + 24 + pageSize <= buf.length; off += 24 + pageSize) {
    if (buf.readUInt32BE(off + 8) !== salt1 || buf.readUInt32BE(off + 12) !== salt2) break;
    if (buf.readUInt32BE(off + 4) !== 0) commits++;
  }
  return commits;
}

function journalFile(): string {
  return join(mkdtempSync(join(tmpdir(), 'tkl-group-')), 'journal.db');
}

/** A second connection on the journal file: what is on disk, whatever the writer holds. */
function reader(path: string) {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  cleanup.push(() => {
    db.close();
  });
  return {
    status: (cid: string) => db.prepare('SELECT status FROM orders WHERE client_order_id = ?').pluck().get(cid) as number | undefined,
    count: (table: string) => db.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number,
  };
}

function setup(mode: 'group' | 'record', cfg: Record<string, unknown> = {}, path = journalFile()) {
  const journal = new SqliteJournal(path, { synchronous: 'full' });
  // No checkpoints: every transaction stays countable in the WAL file.
  journal.db.pragma('wal_autocheckpoint = 0');
  cleanup.push(() => journal.close());
  const clock = { now: 1_700_000_000_000 };
  const venue = new FakeVenue();
  const core = new ExecutionCore(resolveExecutionConfig(cfg), registry, venue, journal, { clock: () => clock.now });
  if (mode === 'group') core.unit.start();
  const rec = new Recorder();
  let seq = 0;
  const report = (event: 'new' | 'trade' | 'canceled' | 'rejected', cid: string, extra: ReportExtra & { seq?: number } = {}) =>
    core.onVenue(venueReport(core, event, cid, extra.seq ?? ++seq, clock.now, extra), rec);
  return { path, journal, core, venue, rec, clock, report, disk: reader(path) };
}

const fillOf = (id: string, size = 1): JournalFill => ({
  fillId: id,
  clientOrderId: 'i1',
  venueOrderId: 'v1',
  instrument: 1,
  side: 0,
  price: 10_000,
  size,
  fee: 0,
  feeScale: 8,
  maker: false,
  venueSeq: 1,
  tsMs: 0,
  synthesized: false,
});

describe('group commit', () => {
  it('commits the rows of a unit in one transaction; per record, one each', () => {
    const commits: Record<string, number> = {};
    for (const mode of ['record', 'group'] as const) {
      const t = setup(mode);
      const before = walCommits(t.path);
      // One unit: three orders, their acks and a fill each (9 journal records).
      for (const id of [1, 2, 3]) t.core.onOrderIntent(intent({ intentId: id, instrument: 1, size: 1 }, t.clock.now), t.rec);
      for (const cid of ['i1', 'i2', 'i3']) t.report('new', cid);
      for (const cid of ['i1', 'i2', 'i3']) t.report('trade', cid, { fill: { size: 1 } });
      if (mode === 'group') {
        // Nothing of the unit is on disk or at the venue yet.
        expect(walCommits(t.path)).toBe(before);
        expect(t.disk.count('orders')).toBe(0);
        expect(t.venue.sent).toEqual([]);
        expect(t.journal.pending).toBe(9);
      }
      expect(t.core.unit.commit()).toBe(mode === 'group' ? 9 : 0);
      commits[mode] = walCommits(t.path) - before;
      expect(t.disk.count('orders')).toBe(3);
      expect(t.disk.count('order_events')).toBe(9);
      expect(t.disk.count('fills')).toBe(3);
      expect(['i1', 'i2', 'i3'].map(t.disk.status)).toEqual([S.Filled, S.Filled, S.Filled]);
      expect(t.venue.sent.map((o) => o.clientOrderId)).toEqual(['i1', 'i2', 'i3']);
      expect(t.journal.records).toBe(9);
      expect(t.journal.commits).toBe(commits[mode]);
    }
    expect(commits).toEqual({ record: 9, group: 1 });
  });

  it('sends nothing to the venue before the rows behind it are on disk', () => {
    const t = setup('group', { marketMove: { policy: 'cancel', awayBps: 10, maxReprices: 0 } });
    const arrivals: string[] = [];
    t.venue.onNewOrder = (o) => arrivals.push(`new ${o.clientOrderId} on disk as ${t.disk.status(o.clientOrderId)}`);
    t.venue.onCancel = (cid) => arrivals.push(`cancel ${cid} on disk as ${t.disk.status(cid)}`);
    for (const id of [1, 2]) t.core.onOrderIntent(intent({ intentId: id, instrument: 1, tif: 0, price: 10_000 }, t.clock.now), t.rec);
    expect(t.venue.held).toBe(2);
    expect(arrivals).toEqual([]);
    t.core.unit.commit();
    expect(arrivals).toEqual([`new i1 on disk as ${S.PendingNew}`, `new i2 on disk as ${S.PendingNew}`]);
    t.report('new', 'i1');
    t.report('new', 'i2');
    t.core.unit.commit();
    // The market moves away: both resting orders are cancelled in one unit.
    t.core.onBookView(view({ instrument: 1, bid: 10_050, ask: 10_052, nowMs: t.clock.now }), t.rec);
    expect(arrivals).toHaveLength(2);
    t.core.unit.commit();
    expect(arrivals.slice(2)).toEqual([`cancel i1 on disk as ${S.PendingCancel}`, `cancel i2 on disk as ${S.PendingCancel}`]);
    // Queries wait for the unit too (reconciliation on connect).
    t.core.onVenue({ kind: 'connected' }, t.rec);
    expect(t.venue.queries).toEqual([]);
    t.core.unit.commit();
    expect(t.venue.queries).toEqual(['fills:2', 'open_orders']);
  });

  it('refuses a repeated fill inside a unit, across units and across a restart', () => {
    const t = setup('group');
    t.core.onOrderIntent(intent({ intentId: 1, instrument: 1, size: 3, tif: 0 }, t.clock.now), t.rec);
    t.core.unit.commit();
    // One unit: the same fill in two reports and in a reconciliation answer.
    t.report('trade', 'i1', { fill: { fillId: 'fx', size: 1 } });
    t.report('trade', 'i1', { fill: { fillId: 'fx', size: 1 } });
    t.core.onVenue({ kind: 'connected' }, t.rec);
    t.core.onVenue({ kind: 'fills', seq: 2, fills: [{ ...fillOf('fx'), seq: 1 }] }, t.rec);
    t.core.unit.commit();
    expect(t.disk.count('fills')).toBe(1);
    expect(t.core.positions.peek(1)?.qty).toBe(1);
    expect(t.rec.fills.map((f) => f.fillId)).toEqual(['fx']);
    // A later unit.
    t.core.onVenue({ kind: 'fills', seq: 2, fills: [{ ...fillOf('fx'), seq: 1 }] }, t.rec);
    t.core.unit.commit();
    expect(t.disk.count('fills')).toBe(1);
    expect(t.core.positions.peek(1)?.qty).toBe(1);
    // The journal's own answer, synchronous before its commit, and after a restart.
    expect(t.journal.record([], fillOf('fy'), null)).toBe(true);
    expect(t.journal.record([], fillOf('fy'), null)).toBe(false);
    expect(t.journal.record([], fillOf('fx'), null)).toBe(false);
    expect(t.journal.commit()).toBe(1);
    t.journal.close();
    const again = new SqliteJournal(t.path);
    cleanup.push(() => again.close());
    again.group();
    expect(again.record([], fillOf('fx'), null)).toBe(false);
    expect(again.record([], fillOf('fy'), null)).toBe(false);
    expect(again.record([], fillOf('fz'), null)).toBe(true);
    expect(again.load().fills.map((f) => f.fillId)).toEqual(['fx', 'fy']);
  });

  it('leaves nothing of a unit cut short by a crash, on disk or at the venue', () => {
    const t = setup('group');
    t.core.onOrderIntent(intent({ intentId: 1, instrument: 1, size: 2, tif: 0 }, t.clock.now), t.rec);
    t.core.unit.commit();
    // The next unit: a fill of i1 and a new order i2, then the process dies before the commit.
    t.report('trade', 'i1', { fill: { size: 1 } });
    t.core.onOrderIntent(intent({ intentId: 2, instrument: 1 }, t.clock.now), t.rec);
    t.journal.db.close();
    expect(t.venue.sent.map((o) => o.clientOrderId)).toEqual(['i1']);
    const after = setup('group', {}, t.path);
    expect([...after.core.orders.keys()]).toEqual(['i1']);
    expect(after.core.orders.get('i1')?.filled).toBe(0);
    expect(after.core.positions.peek(1)?.qty ?? 0).toBe(0);
    // The fill is asked for again on connect (it came after the last applied sequence).
    expect(after.core.lastSeq).toBe(0);
    after.core.onVenue({ kind: 'connected' }, after.rec);
    after.core.unit.commit();
    expect(after.venue.queries).toEqual(['fills:0', 'open_orders']);
  });

  it('refuses to group with a venue port that cannot hold requests', () => {
    const journal = new SqliteJournal(':memory:');
    cleanup.push(() => journal.close());
    const venue: VenuePort = {
      connected: true,
      newOrder: () => true,
      cancel: () => true,
      cancelAll: () => true,
      openOrders: () => true,
      fills: () => true,
    };
    const core = new ExecutionCore(resolveExecutionConfig({}), registry, venue, journal);
    expect(() => core.unit.start()).toThrow(TypeError);
    expect(() => core.unit.start()).toThrow(/hold\(\) and release\(\)/);
  });
});

describe('the gateway under group commit', () => {
  it('writes a request only after the commit, and drops one held when its connection drops', async () => {
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    cleanup.push(() => new Promise<void>((resolve) => wss.close(() => resolve())));
    await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
    const path = journalFile();
    const journal = new SqliteJournal(path, { synchronous: 'full' });
    cleanup.push(() => journal.close());
    const onDisk = reader(path);
    const arrived: string[] = [];
    wss.on('connection', (sock) => {
      sock.on('message', (data) => {
        const m = JSON.parse(String(data)) as { action: string; clientOrderId?: string };
        const cid = m.clientOrderId;
        arrived.push(cid === undefined ? m.action : `${m.action} ${cid} on disk as ${onDisk.status(cid)}`);
      });
    });
    const { port } = wss.address() as { port: number };
    const gateway = new WsVenueGateway({
      url: `ws://127.0.0.1:${port}`,
      account: 'gc',
      token: null,
      registry,
      venue: 'sim',
      reconnectMinMs: 10,
      reconnectMaxMs: 20,
      onMessage: () => {},
    });
    cleanup.push(() => gateway.close());
    const cfg = resolveExecutionConfig({ maxIntentAgeMs: 60_000 });
    const core = new ExecutionCore(cfg, registry, gateway, journal);
    core.unit.start();
    gateway.connect();
    await until(() => arrived.includes('subscribe'), 5000, 'subscribe (never held)');
    const rec = new Recorder();

    core.onOrderIntent(intent({ intentId: 1, instrument: 1 }), rec);
    expect(core.orders.get('i1')?.sentSeq).toBe(1); // answered as sent
    expect(gateway.held).toBe(1);
    expect(gateway.counters.framesOut).toBe(1); // only the subscribe was written
    expect(onDisk.status('i1')).toBeUndefined();
    core.unit.commit();
    expect(gateway.held).toBe(0);
    expect(gateway.counters.framesOut).toBe(2);
    await until(() => arrived.length === 2, 5000, 'the order at the server');
    expect(arrived[1]).toBe(`new_order i1 on disk as ${S.PendingNew}`);

    // A request held when its connection drops goes with it (the core reconciles instead).
    core.onOrderIntent(intent({ intentId: 2, instrument: 1 }), rec);
    expect(gateway.held).toBe(1);
    gateway.terminate();
    await until(() => gateway.counters.disconnects === 1, 5000, 'disconnect');
    expect(gateway.held).toBe(0);
    expect(gateway.counters.heldLost).toBe(1);
    await until(() => gateway.connected && arrived.filter((a) => a === 'subscribe').length === 2, 5000, 'reconnect');
    core.unit.commit();
    core.onOrderIntent(intent({ intentId: 3, instrument: 1 }), rec);
    // a held new order can be taken back before release (its data went stale); others cannot
    core.onOrderIntent(intent({ intentId: 4, instrument: 1 }), rec);
    expect(gateway.discardHeld('i4')).toBe(true);
    expect(gateway.discardHeld('i4')).toBe(false);
    expect(gateway.discardHeld('i1')).toBe(false);
    core.unit.commit();
    await until(() => arrived.some((a) => a.startsWith('new_order i3')), 5000, 'i3 at the server');
    await new Promise((r) => setTimeout(r, 100));
    expect(arrived.filter((a) => a.startsWith('new_order'))).toEqual([
      `new_order i1 on disk as ${S.PendingNew}`,
      `new_order i3 on disk as ${S.PendingNew}`,
    ]);
    expect(gateway.counters.discarded).toBe(1);
  });
});

describe('orders whose data goes stale while their unit commits', () => {
  it('are taken back before release and end REJECTED (stale_data), journaled first; none leaves', () => {
    const venue = new FakeVenue();
    const journal = new MemoryJournal();
    const core = new ExecutionCore(resolveExecutionConfig({ maxDataAgeMs: 50 }), testRegistry(), venue, journal, {});
    core.unit.start();
    const rec = new Recorder();
    const recv = (ms: number) => ({ recvS: Math.floor(ms / 1000), recvNs: Math.round((ms % 1000) * 1e6) });
    core.onBookView(view({ instrument: 1, bid: 10_000, ask: 10_002 }), rec);
    // decided on data 45 ms old: in time
    core.onOrderIntent(intent({ intentId: 1, instrument: 1, ...recv(epochMs() - 45) }), rec);
    core.onOrderIntent(intent({ intentId: 2, instrument: 1, ...recv(epochMs()) }), rec);
    expect(venue.held).toBe(2);
    // the commit takes 10 ms: the first order's data is now 55 ms old
    const until = performance.now() + 10;
    while (performance.now() < until);
    core.unit.commit();
    expect(venue.sent.map((o) => o.clientOrderId)).toEqual([`i${(2).toString(36)}`]);
    expect(core.unit.counters.expiredAtRelease).toBe(1);
    expect(core.unit.counters.sentOnStaleData).toBe(0);
    const first = core.orders.get(`i${(1).toString(36)}`);
    expect(first?.status).toBe(S.Rejected);
    expect(first?.reason).toMatch(/stale_data/);
    // its rejection is on disk (the same unit's second transaction) and was told downstream
    expect(journal.orders.get(`i${(1).toString(36)}`)?.status).toBe(S.Rejected);
    expect(rec.events.filter((e) => e.reason === 'stale_data')).toHaveLength(1);
    expect(core.counters.staleData).toBe(1);
  });
});
