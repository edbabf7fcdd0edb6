/**
 * Per-instrument fill statistics of the local venue, for reports: orders placed, maker and taker
 * fills, filled / placed size, queue waits (venue time from resting to the first maker fill) and
 * orders canceled with nothing filled. Counted on order events only, never per market event.
 */

export interface InstrumentFillStats {
  /** Orders accepted (rejected ones are counted in `rejected`). */
  readonly orders: number;
  readonly rejected: number;
  readonly makerFills: number;
  readonly takerFills: number;
  /** Size placed and filled, decimal strings at the instrument's size scale. */
  readonly placedSize: string;
  readonly filledSize: string;
  /** filledSize / placedSize (0 when nothing was placed). */
  readonly fillRatio: number;
  /** makerFills / (makerFills + takerFills), 0 without fills. */
  readonly makerShare: number;
  /** Venue ms from resting to the first maker fill, over orders that rested and then filled. */
  readonly queueWaitMs: { readonly count: number; readonly p50: number; readonly max: number };
  /** Orders canceled (by the strategy, or an IOC/market remainder) with nothing filled. */
  readonly canceledUnfilled: number;
}

export class InstrumentStats {
  orders = 0;
  rejected = 0;
  makerFills = 0;
  takerFills = 0;
  placed = 0;
  filled = 0;
  canceledUnfilled = 0;
  readonly queueWaits: number[] = [];

  snapshot(formatSize: (mantissa: number) => string): InstrumentFillStats {
    const waits = Float64Array.from(this.queueWaits).sort();
    const n = waits.length;
    const fills = this.makerFills + this.takerFills;
    return {
      orders: this.orders,
      rejected: this.rejected,
      makerFills: this.makerFills,
      takerFills: this.takerFills,
      placedSize: formatSize(this.placed),
      filledSize: formatSize(this.filled),
      fillRatio: this.placed > 0 ? this.filled / this.placed : 0,
      makerShare: fills > 0 ? this.makerFills / fills : 0,
      queueWaitMs: { count: n, p50: n > 0 ? (waits[(n - 1) >> 1] as number) : 0, max: n > 0 ? (waits[n - 1] as number) : 0 },
      canceledUnfilled: this.canceledUnfilled,
    };
  }
}
