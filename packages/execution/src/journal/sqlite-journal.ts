/**
 * The durable journal: SQLite in WAL mode (better-sqlite3). Per record, every call to `record`
 * is one transaction; grouped (`group()`), the calls of a unit of work queue their rows and
 * `commit()` writes them all in one transaction. With `synchronous = FULL` a transaction is
 * fsync'd before it returns, so what execution sends or emits after it is on disk first. The ids
 * of journaled fills are kept in memory (loaded at open), so a repeated fill is refused at once in
 * both modes. Tables are plain and documented in docs/trading.md, so users can query orders, order
 * history and fills with any SQLite client.
 */

import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { LatencyHistogram } from '@tickline/runtime';
import { decimalPlaces, decimalString, FEE_SCALE, parseDecimal } from '@tickline/wire';
import Database from 'better-sqlite3';
import type { JournalFill, JournalOrder, JournalPort, JournalState, OrderPurpose } from '../core/journal.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS orders (
  client_order_id TEXT PRIMARY KEY,
  venue_order_id  TEXT NOT NULL,
  intent_id       INTEGER NOT NULL,
  instrument      INTEGER NOT NULL,
  side            INTEGER NOT NULL,
  type            INTEGER NOT NULL,
  tif             INTEGER NOT NULL,
  price           INTEGER NOT NULL,
  size            INTEGER NOT NULL,
  filled          INTEGER NOT NULL,
  status          INTEGER NOT NULL,
  purpose         TEXT NOT NULL,
  strategy        TEXT NOT NULL,
  reason          TEXT NOT NULL,
  created_ms      REAL NOT NULL,
  updated_ms      REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS order_events (
  id              INTEGER PRIMARY KEY AUTOINCREMENT,
  client_order_id TEXT NOT NULL,
  status          INTEGER NOT NULL,
  filled          INTEGER NOT NULL,
  reason          TEXT NOT NULL,
  ts_ms           REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS fills (
  id              INTEGER PRIMARY KEY AUTOINCREMENT,
  fill_id         TEXT NOT NULL UNIQUE,
  client_order_id TEXT NOT NULL,
  venue_order_id  TEXT NOT NULL,
  instrument      INTEGER NOT NULL,
  side            INTEGER NOT NULL,
  price           INTEGER NOT NULL,
  size            INTEGER NOT NULL,
  fee             TEXT NOT NULL,
  maker           INTEGER NOT NULL,
  venue_seq       INTEGER NOT NULL,
  ts_ms           REAL NOT NULL,
  synthesized     INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS orders_open ON orders(status);
`;

interface OrderRow {
  client_order_id: string;
  venue_order_id: string;
  intent_id: number;
  instrument: number;
  side: number;
  type: number;
  tif: number;
  price: number;
  size: number;
  filled: number;
  status: number;
  purpose: string;
  strategy: string;
  reason: string;
  created_ms: number;
  updated_ms: number;
}

interface FillRow {
  fill_id: string;
  client_order_id: string;
  venue_order_id: string;
  instrument: number;
  side: number;
  price: number;
  size: number;
  /** An exact decimal string; a REAL in journals written before fees were exact. */
  fee: string | number;
  maker: number;
  venue_seq: number;
  ts_ms: number;
  synthesized: number;
}

/** A journal invariant broke (a fill the in-memory set did not know was already on disk). */
export class JournalError extends Error {
  readonly code = 'TKL_EXECUTION_ERR_JOURNAL';
  constructor(message: string) {
    super(message);
    this.name = 'JournalError';
  }
}

export class SqliteJournal implements JournalPort {
  readonly db: Database.Database;
  readonly #upsert: Database.Statement;
  readonly #event: Database.Statement;
  readonly #fill: Database.Statement;
  readonly #seq: Database.Statement;
  readonly #tx: () => void;
  /** Every journaled fill id, including those queued in the open unit. */
  readonly #fillIds = new Set<string>();
  // The open unit: order rows and fills in call order, the highest venue sequence.
  readonly #orders: JournalOrder[] = [];
  readonly #fills: JournalFill[] = [];
  #lastSeq: number | null = null;
  #pending = 0;
  #grouping = false;
  records = 0;
  commits = 0;
  /** Time of each transaction (ns), fsync included. */
  readonly commitTime = new LatencyHistogram();

  /** `path` ':memory:' gives a non-durable journal (tests). */
  constructor(path: string, opts: { synchronous?: 'full' | 'normal' } = {}) {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma(`synchronous = ${opts.synchronous === 'normal' ? 'NORMAL' : 'FULL'}`);
    this.db.exec(SCHEMA);
    this.#upsert =
      this.db.prepare(`INSERT INTO orders VALUES (@clientOrderId, @venueOrderId, @intentId, @instrument, @side, @type, @tif, @price, @size, @filled, @status, @purpose, @strategy, @reason, @createdMs, @updatedMs)
      ON CONFLICT(client_order_id) DO UPDATE SET venue_order_id = excluded.venue_order_id, price = excluded.price, size = excluded.size,
      filled = excluded.filled, status = excluded.status, reason = excluded.reason, updated_ms = excluded.updated_ms`);
    this.#event = this.db.prepare('INSERT INTO order_events (client_order_id, status, filled, reason, ts_ms) VALUES (?, ?, ?, ?, ?)');
    this.#fill =
      this.db.prepare(`INSERT OR IGNORE INTO fills (fill_id, client_order_id, venue_order_id, instrument, side, price, size, fee, maker, venue_seq, ts_ms, synthesized)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    this.#seq = this.db.prepare(
      "INSERT INTO meta (key, value) VALUES ('last_seq', ?) ON CONFLICT(key) DO UPDATE SET value = max(value, excluded.value)",
    );
    for (const r of this.db.prepare('SELECT fill_id FROM fills').pluck().iterate()) this.#fillIds.add(r as string);
    this.#tx = this.db.transaction(() => {
      for (const f of this.#fills) {
        const r = this.#fill.run(
          f.fillId,
          f.clientOrderId,
          f.venueOrderId,
          f.instrument,
          f.side,
          f.price,
          f.size,
          decimalString(f.fee, f.feeScale),
          f.maker ? 1 : 0,
          f.venueSeq,
          f.tsMs,
          f.synthesized ? 1 : 0,
        );
        // The set was loaded from this file and every write goes through it: a second writer.
        if (r.changes === 0)
          throw new JournalError(`fill ${f.fillId} is already in the journal but was not loaded; is another process writing it?`);
      }
      for (const o of this.#orders) {
        this.#upsert.run(o);
        this.#event.run(o.clientOrderId, o.status, o.filled, o.reason, o.updatedMs);
      }
      if (this.#lastSeq !== null) this.#seq.run(this.#lastSeq);
    });
  }

  record(orders: readonly JournalOrder[], fill: JournalFill | null, lastSeq: number | null): boolean {
    if (fill !== null) {
      if (this.#fillIds.has(fill.fillId)) return false;
      this.#fillIds.add(fill.fillId);
      this.#fills.push(fill);
    }
    // Rows are kept, not copied: callers hand over fresh rows (journalRow) and never change them.
    for (const o of orders) this.#orders.push(o);
    if (lastSeq !== null && (this.#lastSeq === null || lastSeq > this.#lastSeq)) this.#lastSeq = lastSeq;
    this.#pending++;
    if (!this.#grouping) this.commit();
    return true;
  }

  group(): void {
    this.#grouping = true;
  }

  get pending(): number {
    return this.#pending;
  }

  /**
   * One transaction for the open unit. If it throws (disk full, I/O error) the unit is not on
   * disk and must not be acted on: the error goes up and fails the worker (nothing held is sent).
   */
  commit(): number {
    const n = this.#pending;
    if (n === 0) return 0;
    const t0 = performance.now();
    this.#tx();
    this.commitTime.record((performance.now() - t0) * 1e6);
    this.#orders.length = 0;
    this.#fills.length = 0;
    this.#lastSeq = null;
    this.#pending = 0;
    this.records += n;
    this.commits++;
    return n;
  }

  load(): JournalState {
    const orders = (this.db.prepare('SELECT * FROM orders ORDER BY rowid').all() as OrderRow[]).map(
      (r): JournalOrder => ({
        clientOrderId: r.client_order_id,
        venueOrderId: r.venue_order_id,
        intentId: r.intent_id,
        instrument: r.instrument,
        side: r.side,
        type: r.type,
        tif: r.tif,
        price: r.price,
        size: r.size,
        filled: r.filled,
        status: r.status,
        purpose: r.purpose as OrderPurpose,
        strategy: r.strategy,
        reason: r.reason,
        createdMs: r.created_ms,
        updatedMs: r.updated_ms,
      }),
    );
    const fills = (this.db.prepare('SELECT * FROM fills ORDER BY id').all() as FillRow[]).map(
      (r): JournalFill => ({
        fillId: r.fill_id,
        clientOrderId: r.client_order_id,
        venueOrderId: r.venue_order_id,
        instrument: r.instrument,
        side: r.side,
        price: r.price,
        size: r.size,
        ...feeOf(r.fee),
        maker: r.maker === 1,
        venueSeq: r.venue_seq,
        tsMs: r.ts_ms,
        synthesized: r.synthesized === 1,
      }),
    );
    const seq = this.db.prepare("SELECT value FROM meta WHERE key = 'last_seq'").get() as { value: number } | undefined;
    return { orders, fills, lastSeq: seq?.value ?? 0 };
  }

  close(): void {
    if (!this.db.open) return;
    this.commit();
    this.db.close();
  }
}

/** A journaled fee as mantissa and scale: text is exact; an old REAL fee was a number of 10^-8 units. */
function feeOf(fee: string | number): { fee: number; feeScale: number } {
  if (typeof fee === 'number') return { fee: Math.round(fee * 10 ** FEE_SCALE), feeScale: FEE_SCALE };
  const feeScale = decimalPlaces(fee);
  const m = parseDecimal(fee, feeScale);
  if (Number.isNaN(m)) throw new JournalError(`journaled fee ${JSON.stringify(fee)} is not a decimal`);
  return { fee: m, feeScale };
}
