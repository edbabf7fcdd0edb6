/**
 * Recorded frames to the exchange's books, through the same normalize parsers the pipeline uses:
 * the Normalizer turns a venue's frame into canonical snapshots, deltas and trades (exact integer
 * mantissas), and this sink applies them to the replay exchange by symbol. Any venue normalize
 * reads works the same way; the exchange lists the file's instruments (`universeOf`).
 */

import type { ReplayExchangeHandle, ReplayInstrument, UnitLevel } from '@tickline/exchange';
import { Normalizer } from '@tickline/normalize';
import {
  type BookDeltaLike,
  type BookSnapshotLike,
  type CanonicalSink,
  type InstrumentRegistry,
  type InstrumentSpec,
  type LevelsLike,
  SideCode,
  type TradeBatchLike,
  type VenueName,
  venueId,
} from '@tickline/wire';

export interface FeedStats {
  rejects: number;
  /** Trades whose aggressor side the venue did not give (they cannot fill resting orders). */
  tradesWithoutSide: number;
  /** Levels whose mantissa could not be brought to the instrument's scale exactly. */
  offScale: number;
}

export interface RecordedFrameLike {
  readonly kind: number;
  readonly context: string | null;
  readonly bytes: Uint8Array;
  readonly recvS: number;
  readonly recvNs: number;
}

export function universeOf(registry: InstrumentRegistry): ReplayInstrument[] {
  return registry.list().map((s) => ({
    symbol: s.symbol,
    priceScale: s.priceScale,
    sizeScale: s.sizeScale,
    tickSize: Math.max(1, s.tickSize),
    lotSize: Math.max(1, s.lotSize),
  }));
}

class ExchangeSink implements CanonicalSink {
  readonly stats: FeedStats = { rejects: 0, tradesWithoutSide: 0, offScale: 0 };
  constructor(
    private readonly registry: InstrumentRegistry,
    private readonly exchange: ReplayExchangeHandle,
  ) {}

  /** A mantissa at `from` decimals as one at `to` decimals; NaN when it is not exact. */
  private rescale(v: number, from: number, to: number): number {
    if (from === to) return v;
    const r = from < to ? v * 10 ** (to - from) : v / 10 ** (from - to);
    if (!Number.isSafeInteger(r)) {
      this.stats.offScale++;
      return Number.NaN;
    }
    return r;
  }

  private levels(spec: InstrumentSpec, l: LevelsLike, priceScale: number, sizeScale: number): UnitLevel[] {
    const out: UnitLevel[] = [];
    for (let i = 0; i < l.length; i++) {
      const p = this.rescale(l.price(i), priceScale, spec.priceScale);
      const s = this.rescale(l.size(i), sizeScale, spec.sizeScale);
      if (!Number.isNaN(p) && !Number.isNaN(s)) out.push([p, s]);
    }
    return out;
  }

  private book(r: BookDeltaLike | BookSnapshotLike, snapshot: boolean): void {
    const spec = this.registry.get(r.instrument);
    if (spec === undefined) return;
    this.exchange.applyBook(
      spec.symbol,
      snapshot,
      this.levels(spec, r.bids, r.priceScale, r.sizeScale),
      this.levels(spec, r.asks, r.priceScale, r.sizeScale),
    );
  }

  bookSnapshot(s: BookSnapshotLike): void {
    this.book(s, true);
  }

  bookDelta(d: BookDeltaLike): void {
    this.book(d, false);
  }

  trades(t: TradeBatchLike): void {
    const spec = this.registry.get(t.instrument);
    if (spec === undefined) return;
    const out: { price: number; size: number; aggressor: 'buy' | 'sell' }[] = [];
    for (let i = 0; i < t.length; i++) {
      const side = t.side(i);
      if (side === SideCode.None) {
        this.stats.tradesWithoutSide++;
        continue;
      }
      const price = this.rescale(t.price(i), t.priceScale, spec.priceScale);
      const size = this.rescale(t.size(i), t.sizeScale, spec.sizeScale);
      if (!Number.isNaN(price) && !Number.isNaN(size)) out.push({ price, size, aggressor: side === SideCode.Buy ? 'buy' : 'sell' });
    }
    if (out.length > 0) this.exchange.applyTrades(spec.symbol, out);
  }

  quotes(): void {}

  reject(): void {
    this.stats.rejects++;
  }
}

/** A function applying one recorded frame to the exchange, and its counters. */
export function marketFeed(
  venue: VenueName,
  registry: InstrumentRegistry,
  exchange: ReplayExchangeHandle,
): { apply(f: RecordedFrameLike): void; stats: FeedStats } {
  const normalizer = new Normalizer({ registry });
  const sink = new ExchangeSink(registry, exchange);
  const v = venueId(venue);
  return {
    apply: (f) => normalizer.handleFrame(v, f.kind, f.context, f.bytes, f.recvS, f.recvNs, sink),
    stats: sink.stats,
  };
}
