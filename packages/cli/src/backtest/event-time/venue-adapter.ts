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
import type { VenueMessage, VenuePort } from '@tickline/execution';
import {
  Body,
  decimalString,
  type InstrumentRegistry,
  type InstrumentSpec,
  type LevelsLike,
  mulDecimals,
  RecordReader,
  SideCode,
  subDecimals,
  sumDecimals,
  type VenueName,
} from '@tickline/wire';
import type { LoadedConfig } from '../../config.js';
import type { ReplayPlan } from '../../commands/replay-registry.js';
import { BacktestUsageError, type LatencyArg, type ResolvedBacktest } from '../options.js';
import type { EngineVenue, FeedLatency } from './engine.js';
import { RecordKind, type RecordStore } from './store.js';

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
  // a sim recording trades at the embedded exchange's fees, as the config sets them
  const ex = (config as { exchange?: { makerFeeBps?: number; takerFeeBps?: number } }).exchange ?? {};
  if (plan.venue === 'sim' && (ex.makerFeeBps !== undefined || ex.takerFeeBps !== undefined)) {
    const venues = { ...((fees.venues as object) ?? {}) } as Record<string, Record<string, unknown>>;
    const spot = { ...((((venues.sim as object) ?? {}) as Record<string, unknown>).spot as object) } as Record<string, unknown>;
    if (ex.makerFeeBps !== undefined && spot.makerBps === undefined) spot.makerBps = ex.makerFeeBps;
    if (ex.takerFeeBps !== undefined && spot.takerBps === undefined) spot.takerBps = ex.takerFeeBps;
    venues.sim = { ...(venues.sim ?? {}), spot };
    fees.venues = venues;
  }
  if (r.exchange.makerFeeBps !== undefined || r.exchange.takerFeeBps !== undefined) {
    // the flags set every instrument of the file's venue, whatever its class
    const venues = { ...((fees.venues as object) ?? {}) } as Record<string, unknown>;
    const rates: Record<string, number> = {};
    if (r.exchange.makerFeeBps !== undefined) rates.makerBps = r.exchange.makerFeeBps;
    if (r.exchange.takerFeeBps !== undefined) rates.takerBps = r.exchange.takerFeeBps;
    venues[plan.venue] = { spot: rates, swap: rates, futures: rates };
    fees.venues = venues;
  }
  const input = { ...base, queue, latency, fees, ...(r.seed !== undefined ? { seed: r.seed } : {}) };
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

/** A side's levels rebuilt from records, as LevelsLike (best first). */
function sortedLevels(m: Map<number, number>, bids: boolean): ScaledLevels {
  const out = new ScaledLevels();
  const keys = [...m.keys()].sort((a, b) => (bids ? b - a : a - b));
  for (const k of keys) {
    out.prices.push(k);
    out.sizes.push(m.get(k) as number);
  }
  return out;
}

/**
 * The venue keeps no book for an instrument until the strategy first sends it an order: then the
 * instrument's records up to the venue's cursor are replayed into a book (from its latest
 * snapshot) and seeded, and from there on every record of it is applied. Nothing can differ: an
 * instrument with no order at the venue has no queue position and no fill to compute.
 */
export function createEngineVenue(
  registry: InstrumentRegistry,
  venueName: VenueName,
  settings: VenueSettings,
  store: RecordStore,
  /** 'traded' (default): a book only for instruments the strategy sent orders; 'all': every book from the start. */
  books: 'traded' | 'all' = 'traded',
): EngineVenueHandle {
  let clock: () => number = () => Number.NaN;
  const venue = createLocalVenue(settings, registry, () => clock());
  const fills: ReplayFill[] = [];
  const orders = new Set<string>();
  const pendingLive: { instrument: number; live: boolean }[] = [];
  const bids = new ScaledLevels();
  const asks = new ScaledLevels();
  let offScale = 0;
  const maxId = Math.max(0, ...registry.list().map((x) => x.id));
  const active = new Uint8Array(maxId + 1);
  /** Instruments the pipeline reported not live, while the venue keeps no book of them. */
  const down = new Uint8Array(maxId + 1);
  let activated = 0;
  if (books === 'all') {
    active.fill(1);
    activated = registry.list().length;
  }
  let applied = 0; // the venue cursor: records below this index reached the venue
  const readers: RecordReader[] = [];
  for (let k = 0; k < store.chunks; k++) readers.push(new RecordReader(store.chunk(k)));
  const open = (i: number): RecordReader | null => {
    const r = readers[store.chunkOf(i)] as RecordReader;
    return r.open(store.offset(i), store.length(i), true) === Body.NONE ? null : r;
  };
  // records by instrument (CSR), built at the first activation
  let starts: Int32Array | null = null;
  let index: Int32Array | null = null;
  const byInstrument = () => {
    if (starts !== null && index !== null) return { starts, index };
    const n = store.count;
    const st = new Int32Array(maxId + 2);
    for (let i = 0; i < n; i++) {
      const ins = store.instrumentOf(i);
      if (ins >= 0 && ins <= maxId) st[ins + 1] = (st[ins + 1] as number) + 1;
    }
    for (let k = 1; k < st.length; k++) st[k] = (st[k] as number) + (st[k - 1] as number);
    const fill = st.slice(0, maxId + 1);
    const ix = new Int32Array(st[maxId + 1] as number);
    for (let i = 0; i < n; i++) {
      const ins = store.instrumentOf(i);
      if (ins < 0 || ins > maxId) continue;
      ix[fill[ins] as number] = i;
      fill[ins] = (fill[ins] as number) + 1;
    }
    starts = st;
    index = ix;
    return { starts: st, index: ix };
  };
  const eachLevel = (r: RecordReader, f: (side: number, price: number, size: number) => void) => {
    const d = r.type === Body.BookSnapshot ? r.snapshot : r.delta;
    const spec = registry.get(d.instrument);
    if (spec === undefined) return;
    for (let side = 0; side < 2; side++) {
      const l = side === 0 ? d.bids : d.asks;
      for (let i = 0; i < l.length; i++) {
        const p = rescaled(l.price(i), d.priceScale, spec.priceScale);
        const q = rescaled(l.size(i), d.sizeScale, spec.sizeScale);
        if (!Number.isNaN(p) && !Number.isNaN(q)) f(side, p, q);
      }
    }
  };
  const activate = (ins: number) => {
    if (ins < 0 || ins > maxId || active[ins] === 1) return;
    active[ins] = 1;
    activated++;
    const { starts: st, index: ix } = byInstrument();
    const from = st[ins] as number;
    let to = st[ins + 1] as number;
    while (to > from && (ix[to - 1] as number) >= applied) to--;
    let first = from;
    for (let k = to - 1; k >= from; k--)
      if (store.kindOf(ix[k] as number) === RecordKind.Snapshot) {
        first = k;
        break;
      }
    const b = new Map<number, number>();
    const a = new Map<number, number>();
    let seeded = false;
    for (let k = first; k < to; k++) {
      const i = ix[k] as number;
      const kind = store.kindOf(i);
      if (kind !== RecordKind.Snapshot && kind !== RecordKind.Delta) continue;
      const r = open(i);
      if (r === null) continue;
      if (kind === RecordKind.Snapshot) {
        b.clear();
        a.clear();
        seeded = true;
      }
      eachLevel(r, (side, p, q) => {
        const m = side === 0 ? b : a;
        if (q > 0) m.set(p, q);
        else m.delete(p);
      });
    }
    venue.seedBook(ins, sortedLevels(b, true), sortedLevels(a, false), seeded && down[ins] === 0);
  };
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
  const port: VenuePort = {
    get connected() {
      return venue.connected;
    },
    newOrder(o) {
      activate(o.instrument);
      return venue.newOrder(o);
    },
    cancel: (id) => venue.cancel(id),
    cancelAll: () => venue.cancelAll(),
    openOrders: () => venue.openOrders(),
    fills: (since) => venue.fills(since),
  };
  const feed = venue.feedLatency;
  return {
    venue,
    port,
    feedLatency: { next: () => feed.sample() },
    nextEventTime: () => (pendingLive.length > 0 ? venue.now : venue.nextEventTime()),
    runUntil(t, deliver) {
      venue.runUntil(t, (m) => {
        keep(m);
        deliver(m);
      });
      applyLive(t);
    },
    applyRecord(t: number, i: number) {
      applied = i + 1;
      const ins = store.instrumentOf(i);
      if (ins < 0 || ins > maxId || active[ins] === 0) return;
      if (pendingLive.length > 0) applyLive(t);
      const r = open(i);
      if (r === null) return;
      switch (r.type) {
        case Body.BookSnapshot: {
          const s = r.snapshot;
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
          const d = r.delta;
          const spec = registry.get(d.instrument);
          if (spec === undefined) return;
          const same = d.priceScale === spec.priceScale && d.sizeScale === spec.sizeScale;
          for (let side = 0; side < 2; side++) {
            const l = side === 0 ? d.bids : d.asks;
            for (let k = 0; k < l.length; k++) {
              const p = same ? l.price(k) : rescaled(l.price(k), d.priceScale, spec.priceScale);
              const q = same ? l.size(k) : rescaled(l.size(k), d.sizeScale, spec.sizeScale);
              if (Number.isNaN(p) || Number.isNaN(q)) offScale++;
              else venue.level(t, d.instrument, side, p, q);
            }
          }
          return;
        }
        case Body.TradeBatch: {
          const tr = r.trades;
          const spec = registry.get(tr.instrument);
          if (spec === undefined) return;
          for (let k = 0; k < tr.length; k++) {
            const p = rescaled(tr.price(k), tr.priceScale, spec.priceScale);
            const q = rescaled(tr.size(k), tr.sizeScale, spec.sizeScale);
            const side = tr.side(k);
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
      if (instrument >= 0 && instrument <= maxId && active[instrument] === 0) {
        down[instrument] = live ? 0 : 1;
        return;
      }
      pendingLive.push({ instrument, live });
    },
    settings: () => ({
      ...venue.settings(),
      throughTrades: settings.throughTrades,
      seed: settings.seed,
      offScaleLevels: offScale,
      booksKept: activated,
    }),
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
