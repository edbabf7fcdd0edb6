/**
 * The intent log (`signals.intentLog`): one JSON line per order intent signals hands to risk, in
 * the order it made them, for comparing runs (docs/cluster.md "Determinism") and for audits.
 * Lines are buffered in memory and appended to the file on the worker's tick and at close, never
 * written from the record path. Unset (the default): no log, nothing on the hot path.
 *
 * A line: `{"instrument":"sim:AAA","strategy":"imb","side":"buy","type":"limit","tif":"IOC",
 * "price":12345,"size":1,"priceScale":2,"sizeScale":0,"reason":"...","data":"1700000000.000123456",
 * "intentId":...,"createdMs":...}`. `price` and `size` are mantissas at the scales; `data` is the
 * receive time (seconds.nanoseconds) of the market-data record the intent was made on: a
 * recording's recorded time, so equal across replays of one file. `intentId` and `createdMs`
 * come from the wall clock and differ between runs.
 */

import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { canonicalName, type InstrumentRegistry, type OrderIntentRecord } from '@tickline/wire';

/** Lines buffered before a write even without a tick (bounds the memory a burst can take). */
const FLUSH_LINES = 4096;

export class IntentLog {
  readonly path: string;
  readonly #registry: InstrumentRegistry;
  #lines: string[] = [];
  /** Lines written to the file. */
  written = 0;
  /** Lines lost to failed writes, and the first failure's message. */
  lost = 0;
  firstError: string | null = null;

  /** `path` with `{partition}` replaced; the directory is made, an existing file is appended to. */
  constructor(path: string, registry: InstrumentRegistry, partition = 0) {
    if (typeof path !== 'string' || path === '') throw new TypeError('path must be a non-empty string');
    this.path = path.replaceAll('{partition}', String(partition));
    this.#registry = registry;
    mkdirSync(dirname(this.path), { recursive: true });
  }

  add(o: OrderIntentRecord): void {
    const spec = this.#registry.get(o.instrument);
    const line = {
      instrument: spec === undefined ? String(o.instrument) : canonicalName(spec.venue, spec.symbol),
      strategy: o.strategy,
      side: o.side === 0 ? 'buy' : 'sell',
      type: o.type === 1 ? 'market' : 'limit',
      tif: o.tif === 1 ? 'IOC' : 'GTC',
      price: o.price,
      size: o.size,
      priceScale: o.priceScale,
      sizeScale: o.sizeScale,
      reason: o.reason,
      data: `${o.recvS}.${String(o.recvNs).padStart(9, '0')}`,
      intentId: o.intentId,
      createdMs: o.createdS * 1000 + Math.floor(o.createdNs / 1e6),
    };
    this.#lines.push(JSON.stringify(line));
    if (this.#lines.length >= FLUSH_LINES) this.flush();
  }

  /**
   * Appends the buffered lines to the file (synchronously: whole lines, in order). Never throws:
   * lines a failed write could not keep are counted in `lost` (the log goes on with the next).
   */
  flush(): void {
    if (this.#lines.length === 0) return;
    const lines = this.#lines;
    this.#lines = [];
    try {
      appendFileSync(this.path, `${lines.join('\n')}\n`);
      this.written += lines.length;
    } catch (err) {
      this.lost += lines.length;
      this.firstError ??= err instanceof Error ? err.message : String(err);
    }
  }
}
