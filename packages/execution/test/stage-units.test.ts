/**
 * The execution stage's units of work (src/worker.ts) against the real exchange and a real
 * SQLite journal: an input batch's orders leave only at endBatch, after their rows are on disk;
 * venue messages of one event-loop turn commit before that turn publishes; tick and control
 * commands end their own units. The emitter checks, at every flush (what the runtime publishes),
 * that every order event and fill flushed so far is on disk.
 */

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ExchangeHandle, startExchange } from '@tickline/exchange';
import type { StageCore } from '@tickline/runtime';
import { intent, Recorder } from '@tickline/runtime/testing';
import type { InstrumentSpec } from '@tickline/wire';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { OrderStatus as S } from '../src/index.js';
import createExecutionStage from '../src/worker.js';
import { registryFor, until } from './exchange-harness.js';

let ex: ExchangeHandle | null = null;
let stage: StageCore | null = null;
afterAll(async () => {
  await stage?.close?.();
  await ex?.close();
});

/** Publishes like the runtime; at each flush, checks that what it publishes is on disk. */
class DiskCheckingEmitter extends Recorder {
  readonly violations: string[] = [];
  #checkedEvents = 0;
  #checkedFills = 0;
  constructor(readonly db: Database.Database) {
    super();
  }
  override flush(): void {
    super.flush();
    const event = this.db.prepare('SELECT count(*) FROM order_events WHERE client_order_id = ? AND status = ?').pluck();
    const fill = this.db.prepare('SELECT count(*) FROM fills WHERE fill_id = ?').pluck();
    for (const e of this.events.slice(this.#checkedEvents))
      if (event.get(e.clientOrderId, e.status) === 0)
        this.violations.push(`event ${e.clientOrderId} ${e.status} published before it was on disk`);
    for (const f of this.fills.slice(this.#checkedFills))
      if (fill.get(f.fillId) === 0) this.violations.push(`fill ${f.fillId} published before it was on disk`);
    this.#checkedEvents = this.events.length;
    this.#checkedFills = this.fills.length;
  }
}

describe('execution stage units of work', () => {
  it('commits each batch, venue turn, tick and command before its requests leave and its records are published', {
    timeout: 60_000,
  }, async () => {
    ex = await startExchange({ instruments: 20, seed: 9, eventsPerSecond: 500, orderRateLimit: 0, heartbeatMs: 0 });
    const reg = registryFor(ex.instruments, ['AAPL']);
    const spec = reg.lookup('sim', 'AAPL') as InstrumentSpec;
    const path = join(mkdtempSync(join(tmpdir(), 'tkl-stage-')), 'journal.db');
    const s = createExecutionStage({
      stage: 'execution',
      partition: 0,
      partitions: 1,
      registry: reg,
      config: {
        venue: { url: ex.wsUrl, account: 'units', reconnectMinMs: 20, reconnectMaxMs: 200 },
        journal: { path },
        maxIntentAgeMs: 60_000,
        orderTtlMs: 300,
        marketMove: { policy: 'none' },
        exits: { enabled: false },
      },
      notify: () => {},
      marketView: null,
      maxDataAgeMs: 0,
    }) as StageCore;
    stage = s;
    const disk = new Database(path, { readonly: true });
    const out = new DiskCheckingEmitter(disk);
    const onDisk = (cid: string) => disk.prepare('SELECT status FROM orders WHERE client_order_id = ?').pluck().get(cid);
    const stats = () => s.stats?.() ?? {};
    await s.start?.(out);
    // The connect reconciliation: its two queries leave after the turn's (empty) commit.
    await until(() => (stats()['groupCommit.released'] ?? 0) >= 2, 10_000, 'connect and reconcile');
    const order = (id: number, type: number, price: number) =>
      intent({
        intentId: id,
        instrument: spec.id,
        type,
        tif: 0,
        price,
        size: spec.lotSize,
        priceScale: spec.priceScale,
        sizeScale: spec.sizeScale,
      });

    // An input batch: a market order waits for endBatch, then leaves; its fill comes back in a venue turn.
    const framesOut = stats()['gateway.framesOut'] ?? 0;
    s.onOrderIntent?.(order(1, 1, 0), out);
    expect(onDisk('i1')).toBeUndefined();
    expect(stats()['gateway.framesOut']).toBe(framesOut);
    s.endBatch?.(out);
    expect(onDisk('i1')).toBe(S.PendingNew);
    expect(stats()['gateway.framesOut']).toBe(framesOut + 1);
    out.flush();
    await until(() => out.fills.length > 0, 10_000, 'the fill');

    // A resting order far from the market: time to live (tick) cancels it.
    s.onOrderIntent?.(order(2, 0, spec.tickSize), out);
    s.endBatch?.(out);
    out.flush();
    await until(() => onDisk('i2') === S.Accepted, 10_000, 'i2 accepted');
    await new Promise((r) => setTimeout(r, 350));
    s.tick?.(Date.now(), out);
    expect(onDisk('i2')).toBe(S.PendingCancel);
    out.flush();
    await until(() => onDisk('i2') === S.Cancelled, 10_000, 'i2 cancelled by tick');

    // A control command: cancel-all leaves after its unit.
    s.onOrderIntent?.(order(3, 0, spec.tickSize), out);
    s.endBatch?.(out);
    out.flush();
    await until(() => onDisk('i3') === S.Accepted, 10_000, 'i3 accepted');
    await s.control?.('cancel-all', null);
    out.flush();
    await until(() => onDisk('i3') === S.Cancelled, 10_000, 'i3 cancelled by cancel-all');

    expect(out.violations).toEqual([]);
    expect(out.events.map((e) => `${e.clientOrderId} ${e.status}`)).toEqual(
      expect.arrayContaining([`i1 ${S.Filled}`, `i2 ${S.PendingCancel}`, `i2 ${S.Cancelled}`, `i3 ${S.Cancelled}`]),
    );
    const st = stats();
    expect(st.journalCommits).toBeLessThan(st.journalRecords as number);
    await s.close?.();
    stage = null;
    disk.close();
  });
});
