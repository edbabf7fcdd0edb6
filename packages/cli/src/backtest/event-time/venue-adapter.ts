/**
 * The local venue (@tickline/backtest) as the event-time engine drives it: normalized records to
 * its market input (mantissas brought to the instrument's scales), the pipeline's book state to
 * its book down/up, and every fill it hands execution kept for the report's cross-checks.
 */

import {
  createLocalVenue,
  FillModelConfigError,
  type InstrumentFillStats,
  type LocalVenue,
  resolveFillModelConfig,
} from '@tickline/backtest';
import type { ReplayAccountSummary, ReplayFill } from '@tickline/exchange';
import type { VenueMessage } from '@tickline/execution';
import {
  Body,
  decimalString,
  type InstrumentRegistry,
  type InstrumentSpec,
  type LevelsLike,
  mulDecimals,
  type RecordReader,
  SideCode,
  subDecimals,
  sumDecimals,
  type VenueName,
} from '@tickline/wire';
import type { LoadedConfig } from '../../config.js';
import type { ReplayPlan } from '../../commands/replay-registry.js';
import { BacktestUsageError, type LatencyArg, type ResolvedBacktest } from '../options.js';
import type { EngineVenue, FeedLatency } from './engine.js';

/** The fill model's config (`backtest` section of the config, then the flags). */
export type VenueSettings = ReturnType<typeof resolveFillModelConfig>;

const latencyOf = (a: LatencyArg): unknown => (a.kind === 'constant' ? a.ms : { kind: 'samples', file: a.path });

/** The config's `backtest` section with the flags applied; BacktestUsageError naming every bad field. */
export function venueSettingsOf(config: LoadedConfig['config'], r: ResolvedBacktest, plan: ReplayPlan): VenueSettings {
  const base = { ...(((config as { backtest?: unknown }).backtest as Record<string, unknown> | undefined) ?? {}) };
  const queue = { ...((base.queue as object) ?? {}) } as Record<string, unknown>;
  if (r.queueModel !== undefined) queue.model = r.queueModel;
  const latency = { ...((base.latency as object) ?? {}) } as Record<string, unknown>;
  if (r.latency.feed) latency.feed = latencyOf(r.latency.feed);
  if (r.latency.entry) latency.entry = latencyOf(r.latency.entry);
  else if (r.exchange.latencyMs !== undefined) latency.entry = r.exchange.latencyMs;
  if (r.latency.response) latency.response = latencyOf(r.latency.response);
  const fees = { ...((base.fees as object) ?? {}) } as Record<string, unknown>;
  if (r.exchange.makerFeeBps !== undefined || r.exchange.takerFeeBps !== undefined) {
    // the flags set every instrument of the file's venue, whatever its class
    const venues = { ...((fees.venues as object) ?? {}) } as Record<string, unknown>;
    const rates: Record<string, number> = {};
    if (r.exchange.makerFeeBps !== undefined) rates.makerBps = r.exchange.makerFeeBps;
    if (r.exchange.takerFeeBps !== undefined) rates.takerBps = r.exchange.takerFeeBps;
    venues[plan.venue] = { spot: rates, swap: rates, futures: rates };
    fees.venues = venues;
  }
  const input = { ...base, queue, latency, fees, seed: base.seed ?? r.seed };
  if (r.seed !== 1 || base.seed === undefined) input.seed = r.seed;
  try {
    return resolveFillModelConfig(input, 'backtest');
  } catch (err) {
    if (err instanceof FillModelConfigError) throw new BacktestUsageError(err.message);
    throw err;
  }
}

export interface EngineVenueHandle extends EngineVenue {
  readonly venue: LocalVenue;
  readonly feedLatency: FeedLatency;
  settings(): unknown;
  instrumentStats(): Record<string, InstrumentFillStats>;
  /** The venue's fills as the report's account (exact decimal strings). */
  account(): ReplayAccountSummary;
  feeBps(): { maker: number; taker: number };
}

/** A mantissa at `from` decimals as one at `to`; NaN when not exact. */
function rescaled(v: number, from: number, to: number): number {
  if (from === to) return v;
  const r = from < to ? v * 10 ** (to - from) : v / 10 ** (from - to);
  return Number.isSafeInteger(r) ? r : Number.NaN;
}

/** LevelsLike at the instrument's scales (only built when a record's scales differ). */
class ScaledLevels implements LevelsLike {
  prices: number[] = [];
  sizes: number[] = [];
  get length(): number {
    return this.prices.length;
  }
  price(i: number): number {
    return this.prices[i] as number;
  }
  size(i: number): number {
    return this.sizes[i] as number;
  }
  fill(l: LevelsLike, ps: number, ss: number, spec: InstrumentSpec): this {
    this.prices.length = 0;
    this.sizes.length = 0;
    for (let i = 0; i < l.length; i++) {
      const p = rescaled(l.price(i), ps, spec.priceScale);
      const s = rescaled(l.size(i), ss, spec.sizeScale);
      if (Number.isNaN(p) || Number.isNaN(s)) continue;
      this.prices.push(p);
      this.sizes.push(s);
    }
    return this;
  }
}

export function createEngineVenue(registry: InstrumentRegistry, venueName: VenueName, settings: VenueSettings): EngineVenueHandle {
  let clock: () => number = () => Number.NaN;
  const venue = createLocalVenue(settings, registry, () => clock());
  const fills: ReplayFill[] = [];
  const orders = new Set<string>();
  const pendingLive: { instrument: number; live: boolean }[] = [];
  const bids = new ScaledLevels();
  const asks = new ScaledLevels();
  let offScale = 0;
  const applyLive = (t: number) => {
    const at = Math.max(t, venue.now);
    for (const p of pendingLive.splice(0)) {
      if (p.live) venue.bookUp(at, p.instrument);
      else venue.bookDown(at, p.instrument);
    }
  };
  const keep = (m: VenueMessage) => {
    if (m.kind !== 'report') return;
    orders.add(m.order.clientOrderId);
    const f = m.fill;
    if (f === null) return;
    const spec = registry.get(f.instrument);
    if (spec === undefined) return;
    const price = decimalString(f.price, spec.priceScale);
    const size = decimalString(f.size, spec.sizeScale);
    fills.push({
      fillId: f.fillId,
      clientOrderId: f.clientOrderId,
      instrument: spec.symbol,
      side: f.side === SideCode.Buy ? 'buy' : 'sell',
      price,
      size,
      liquidity: f.maker ? 'maker' : 'taker',
      fee: decimalString(f.fee, f.feeScale),
      notional: mulDecimals(price, size),
      ts: f.tsMs,
    });
  };
  const feed = venue.feedLatency;
  return {
    venue,
    port: venue,
    feedLatency: { next: () => feed.sample() },
    nextEventTime: () => (pendingLive.length > 0 ? venue.now : venue.nextEventTime()),
    runUntil(t, deliver) {
      venue.runUntil(t, (m) => {
        keep(m);
        deliver(m);
      });
      applyLive(t);
    },
    applyRecord(t: number, reader: RecordReader) {
      if (pendingLive.length > 0) applyLive(t);
      switch (reader.type) {
        case Body.BookSnapshot: {
          const s = reader.snapshot;
          const spec = registry.get(s.instrument);
          if (spec === undefined) return;
          if (s.priceScale === spec.priceScale && s.sizeScale === spec.sizeScale) venue.snapshot(t, s.instrument, s.bids, s.asks);
          else
            venue.snapshot(
              t,
              s.instrument,
              bids.fill(s.bids, s.priceScale, s.sizeScale, spec),
              asks.fill(s.asks, s.priceScale, s.sizeScale, spec),
            );
          return;
        }
        case Body.BookDeltaBatch: {
          const d = reader.delta;
          const spec = registry.get(d.instrument);
          if (spec === undefined) return;
          const same = d.priceScale === spec.priceScale && d.sizeScale === spec.sizeScale;
          for (let side = 0; side < 2; side++) {
            const l = side === 0 ? d.bids : d.asks;
            for (let i = 0; i < l.length; i++) {
              const p = same ? l.price(i) : rescaled(l.price(i), d.priceScale, spec.priceScale);
              const q = same ? l.size(i) : rescaled(l.size(i), d.sizeScale, spec.sizeScale);
              if (Number.isNaN(p) || Number.isNaN(q)) offScale++;
              else venue.level(t, d.instrument, side, p, q);
            }
          }
          return;
        }
        case Body.TradeBatch: {
          const tr = reader.trades;
          const spec = registry.get(tr.instrument);
          if (spec === undefined) return;
          for (let i = 0; i < tr.length; i++) {
            const p = rescaled(tr.price(i), tr.priceScale, spec.priceScale);
            const q = rescaled(tr.size(i), tr.sizeScale, spec.sizeScale);
            const side = tr.side(i);
            if (Number.isNaN(p) || Number.isNaN(q)) offScale++;
            else venue.trade(t, tr.instrument, p, q, side === SideCode.Buy ? 0 : side === SideCode.Sell ? 1 : -1);
          }
          return;
        }
        default:
      }
    },
    useClock(c) {
      clock = c;
    },
    bookLive(instrument, live) {
      pendingLive.push({ instrument, live });
    },
    settings: () => ({ ...venue.settings(), throughTrades: settings.throughTrades, seed: settings.seed, offScaleLevels: offScale }),
    instrumentStats: () => venue.stats(),
    account(): ReplayAccountSummary {
      const feesPaid = sumDecimals(fills.map((f) => f.fee));
      let cash = '0';
      const positions: Record<string, string> = {};
      for (const f of fills) {
        cash = f.side === 'buy' ? subDecimals(cash, f.notional) : sumDecimals([cash, f.notional]);
        positions[f.instrument] =
          f.side === 'buy' ? sumDecimals([positions[f.instrument] ?? '0', f.size]) : subDecimals(positions[f.instrument] ?? '0', f.size);
      }
      return { account: venueName, fills, feesPaid, cash: subDecimals(cash, feesPaid), positions, orders: orders.size };
    },
    feeBps() {
      const s = venue.settings().fees;
      const first = Object.values(s)[0];
      return first === undefined ? { maker: 0, taker: 0 } : { maker: first.makerBps, taker: first.takerBps };
    },
  };
}
