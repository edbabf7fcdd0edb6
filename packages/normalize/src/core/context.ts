import type {
  BookDeltaLike,
  BookSnapshotLike,
  CanonicalSink,
  InstrumentRegistry,
  InstrumentSpec,
  QuoteBatchLike,
  TradeBatchLike,
  VenueName,
} from '@tickline/wire';
import { REASON_CODES, Reason, type ReasonCode } from './reasons.js';

/** Counters of one normalize core. Plain numbers: read them through `Normalizer.stats()`. */
export interface NormalizeCounts {
  frames: number;
  bytes: number;
  /** Venue acks, subscriptions, heartbeats, pongs, status: read and dropped on purpose. */
  control: number;
  /** Valid venue messages of a kind normalize does not map (klines, mark prices, ...). */
  ignored: number;
  deltas: number;
  snapshots: number;
  tradeBatches: number;
  quoteBatches: number;
  rejectedTotal: number;
}

const NOOP_SINK: CanonicalSink = {
  bookDelta() {},
  bookSnapshot() {},
  trades() {},
  quotes() {},
  reject() {},
};

/**
 * Per-frame state every venue parser shares: where output goes, the frame's receive time, the
 * registry and the counters. One instance per Normalizer, re-aimed at each frame (no allocation).
 */
export class ParseContext {
  sink: CanonicalSink = NOOP_SINK;
  venue = 0;
  venueName: VenueName = 'sim';
  /** Prefix of reject details: the venue name, or `venue#<id>` for an id without a parser. */
  venueLabel = 'sim';
  recvS = 0;
  recvNs = 0;
  /** Connection the current frame came on (ingest's connection id). */
  connId = 0;
  readonly counts: NormalizeCounts = {
    frames: 0,
    bytes: 0,
    control: 0,
    ignored: 0,
    deltas: 0,
    snapshots: 0,
    tradeBatches: 0,
    quoteBatches: 0,
    rejectedTotal: 0,
  };
  readonly rejected: Record<ReasonCode, number>;

  constructor(readonly registry: InstrumentRegistry) {
    const r = {} as Record<ReasonCode, number>;
    for (const code of REASON_CODES) r[code] = 0;
    this.rejected = r;
  }

  reject(reason: ReasonCode, detail: string): void {
    this.rejected[reason]++;
    this.counts.rejectedTotal++;
    this.sink.reject(reason, `${this.venueLabel}: ${detail}`);
  }

  control(): void {
    this.counts.control++;
  }

  ignored(): void {
    this.counts.ignored++;
  }

  /** The instrument for a venue code, or undefined after rejecting (missing or unknown code). */
  instrument(symbol: unknown, field: string): InstrumentSpec | undefined {
    if (typeof symbol !== 'string') {
      this.reject(symbol === undefined ? Reason.MissingField : Reason.InvalidField, `${field} must be a string`);
      return undefined;
    }
    const spec = this.registry.lookup(this.venueName, symbol);
    if (spec === undefined)
      this.reject(Reason.UnknownInstrument, `${field} "${clip(symbol)}" is not a registered ${this.venueName} instrument`);
    return spec;
  }

  emitDelta(d: BookDeltaLike): void {
    this.counts.deltas++;
    this.sink.bookDelta(d);
  }

  emitSnapshot(s: BookSnapshotLike): void {
    this.counts.snapshots++;
    this.sink.bookSnapshot(s);
  }

  emitTrades(t: TradeBatchLike): void {
    this.counts.tradeBatches++;
    this.sink.trades(t);
  }

  emitQuotes(q: QuoteBatchLike): void {
    this.counts.quoteBatches++;
    this.sink.quotes(q);
  }
}

/** Shortens untrusted text for a reject detail. */
export function clip(text: string, max = 40): string {
  return text.length <= max ? text : `${text.slice(0, max)}...`;
}

/** The writable header every draft has. */
export interface HeaderFields {
  instrument: number;
  venue: number;
  priceScale: number;
  sizeScale: number;
  recvS: number;
  recvNs: number;
}

/** Fills a draft's header from the instrument and the frame being parsed. */
export function stamp(d: HeaderFields, ctx: ParseContext, spec: InstrumentSpec): void {
  d.instrument = spec.id;
  d.venue = ctx.venue;
  d.priceScale = spec.priceScale;
  d.sizeScale = spec.sizeScale;
  d.recvS = ctx.recvS;
  d.recvNs = ctx.recvNs;
}
