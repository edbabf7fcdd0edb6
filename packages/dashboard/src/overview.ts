/**
 * The market overview, sampled from the shared market view on the dashboard's timer (never
 * from the data path): one compact row per instrument, the rows that changed since the last
 * sample, and an activity rate (book updates + trades per second, smoothed).
 */

import type { MarketViewRow, MarketViewTable } from '@tickline/runtime';
import type { InstrumentRegistry } from '@tickline/wire';

/** Row layout on the wire, shared with public/js/overview.js. */
export const ROW_FIELDS = [
  'id',
  'state',
  'bid',
  'ask',
  'last',
  'mid',
  'spread',
  'volume',
  'trades',
  'rate',
  'imbalance',
  'updatedMs',
] as const;
export type OverviewRow = (number | null)[];

const finite = (v: number): number | null => (Number.isFinite(v) ? v : null);

export class MarketOverview {
  readonly #view: MarketViewTable;
  readonly #ids: number[];
  readonly #prevCount: Float64Array;
  readonly #rate: Float64Array;
  readonly #rows = new Map<number, OverviewRow>();
  readonly #scratch = { instrument: 0 } as MarketViewRow;
  #lastMs = 0;

  constructor(view: MarketViewTable, registry: InstrumentRegistry) {
    this.#view = view;
    this.#ids = registry
      .list()
      .map((i) => i.id)
      .sort((a, b) => a - b);
    const max = (this.#ids[this.#ids.length - 1] ?? 0) + 1;
    this.#prevCount = new Float64Array(max);
    this.#rate = new Float64Array(max);
  }

  /** Reads every row; returns the rows that changed. `onRow` sees each written row (bars). */
  sample(nowMs: number, onRow?: (row: MarketViewRow) => void): OverviewRow[] {
    const dt = this.#lastMs === 0 ? 0 : (nowMs - this.#lastMs) / 1000;
    this.#lastMs = nowMs;
    const changed: OverviewRow[] = [];
    const r = this.#scratch;
    for (const id of this.#ids) {
      if (this.#view.read(id, r) === null) continue;
      onRow?.(r);
      const count = r.updates + r.trades;
      const delta = count - (this.#prevCount[id] as number);
      this.#prevCount[id] = count;
      const before = this.#rate[id] as number;
      let rate = dt > 0 ? before * 0.75 + (delta / dt) * 0.25 : 0;
      if (rate < 0.05) rate = 0;
      this.#rate[id] = rate;
      const shownRateChanged = Math.round(before * 10) !== Math.round(rate * 10);
      if (delta === 0 && !shownRateChanged && this.#rows.has(id)) continue;
      const row: OverviewRow = [
        id,
        r.state,
        finite(r.bid),
        finite(r.ask),
        r.trades > 0 ? finite(r.last) : null,
        finite(r.mid),
        finite(r.spread),
        r.volume,
        r.trades,
        Math.round(rate * 10) / 10,
        finite(Math.round(r.imbalance * 1000) / 1000),
        Math.round(r.updatedMs),
      ];
      this.#rows.set(id, row);
      changed.push(row);
    }
    return changed;
  }

  /** Every row sampled so far. */
  all(): OverviewRow[] {
    return [...this.#rows.values()];
  }

  row(id: number): OverviewRow | undefined {
    return this.#rows.get(id);
  }

  /** Book-state counts over the sampled rows (0 syncing, 1 live, 2 reseeding). */
  stateCounts(): { syncing: number; live: number; reseeding: number; silent: number } {
    const c = { syncing: 0, live: 0, reseeding: 0, silent: this.#ids.length - this.#rows.size };
    for (const row of this.#rows.values()) {
      const s = row[1];
      if (s === 1) c.live++;
      else if (s === 2) c.reseeding++;
      else c.syncing++;
    }
    return c;
  }
}
