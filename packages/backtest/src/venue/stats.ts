import { formatDecimal, type InstrumentSpec, moneyScale } from '@tickline/wire';
import { type FeeOverrides, feeRatesFor } from './fees.js';
import type { LatencySettings } from './latency.js';
import type { ThroughTradeRule } from './queue-model.js';

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

/** The fill model's settings as plain JSON, for reports. */
export interface FillModelSettings {
  readonly queue: { readonly model: string; readonly n?: number; readonly sampling?: string; readonly seed?: number };
  readonly throughTrades: ThroughTradeRule;
  readonly latency: { readonly feed: LatencySettings; readonly entry: LatencySettings; readonly response: LatencySettings };
  /** Per instrument that saw orders (`<venue>:<symbol>`): the rates and the fee scale. */
  readonly fees: Record<string, { readonly makerBps: number; readonly takerBps: number; readonly feeScale: number }>;
}

/** What the reports read of an instrument at the venue. */
interface Traded {
  readonly spec: InstrumentSpec;
  readonly stats: InstrumentStats;
}

const traded = (s: Traded | undefined): s is Traded => s !== undefined && s.stats.orders + s.stats.rejected > 0;

/** Statistics per instrument that saw orders, keyed `<venue>:<symbol>`. */
export function fillStats(insts: readonly (Traded | undefined)[]): Record<string, InstrumentFillStats> {
  const out: Record<string, InstrumentFillStats> = {};
  for (const s of insts.filter(traded))
    out[`${s.spec.venue}:${s.spec.symbol}`] = s.stats.snapshot((m) => formatDecimal(m, s.spec.sizeScale));
  return out;
}

/** Fee rates per instrument that saw orders. */
export function feeSettings(insts: readonly (Traded | undefined)[], overrides: FeeOverrides): FillModelSettings['fees'] {
  const out: Record<string, { makerBps: number; takerBps: number; feeScale: number }> = {};
  for (const s of insts.filter(traded))
    out[`${s.spec.venue}:${s.spec.symbol}`] = { ...feeRatesFor(s.spec, overrides), feeScale: moneyScale(s.spec) };
  return out;
}
