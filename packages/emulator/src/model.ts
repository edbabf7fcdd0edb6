/**
 * What the emulator knows of the market at the current point of the file: the venue's books as the
 * recorded frames build them (the normalize core and the same BookCore the pipeline and `replay
 * --verify` run), and what each frame carried, so it can be routed to the subscribers of its
 * instrument and channel. Snapshots the emulator serves (REST depth, snapshot-on-subscribe) are
 * these books at this point.
 */

import { BookCore, type BookConfigInput, BookState, type L2Book } from '@tickline/book';
import type { RecordedFrame } from '@tickline/ingest';
import { Normalizer } from '@tickline/normalize';
import type {
  BookDeltaLike,
  BookSnapshotLike,
  CanonicalSink,
  InstrumentRegistry,
  QuoteBatchLike,
  TradeBatchLike,
  VenueName,
} from '@tickline/wire';
import { venueId } from '@tickline/wire';

/** What a frame carried (the strongest class when it carried several). */
export const FrameClass = { None: 0, Quotes: 1, Trades: 2, Delta: 3, Snapshot: 4 } as const;
export type FrameClassCode = (typeof FrameClass)[keyof typeof FrameClass];

export interface FrameInfo {
  cls: FrameClassCode;
  /** Instruments the frame named (ids; usually one). */
  readonly instruments: number[];
  /** Venue event time of the last record (0 when the venue sent none). */
  exchS: number;
  exchNs: number;
  /** A delta's venue checksum (NaN when none). */
  checksum: number;
}

export class MarketModel implements CanonicalSink {
  readonly registry: InstrumentRegistry;
  readonly core: BookCore;
  readonly #normalizer: Normalizer;
  readonly #venue: number;
  readonly #info: FrameInfo = { cls: FrameClass.None, instruments: [], exchS: 0, exchNs: 0, checksum: Number.NaN };
  frames = 0;
  rejects = 0;

  constructor(venue: VenueName, registry: InstrumentRegistry, book: BookConfigInput) {
    this.registry = registry;
    this.#venue = venueId(venue);
    this.#normalizer = new Normalizer({ registry });
    this.core = new BookCore({ depth: 5000, ...book }, registry, { view: () => {}, bar: () => {}, resync: () => {} });
  }

  /** Applies one recorded frame; the returned info is reused by the next call. */
  apply(f: RecordedFrame): FrameInfo {
    const info = this.#info;
    info.cls = FrameClass.None;
    info.instruments.length = 0;
    info.exchS = 0;
    info.exchNs = 0;
    info.checksum = Number.NaN;
    this.frames++;
    this.#normalizer.handleFrame(this.#venue, f.kind, f.context, f.bytes, f.recvS, f.recvNs, this);
    return info;
  }

  /** The book of an instrument while it is LIVE (in sync with the file), else undefined. */
  liveBook(instrument: number): L2Book | undefined {
    return this.core.state(instrument) === BookState.Live ? this.core.book(instrument) : undefined;
  }

  /** The last sequence number applied to an instrument's book (NaN when none). */
  lastSeq(instrument: number): number {
    return this.core.sync(instrument)?.lastSeq ?? Number.NaN;
  }

  bookDelta(d: BookDeltaLike): void {
    this.#note(d.instrument, FrameClass.Delta, d.exchS, d.exchNs);
    this.#info.checksum = d.checksum;
    this.core.onDelta(d);
  }

  bookSnapshot(s: BookSnapshotLike): void {
    this.#note(s.instrument, FrameClass.Snapshot, s.exchS, s.exchNs);
    this.core.onSnapshot(s);
  }

  trades(t: TradeBatchLike): void {
    const n = t.length;
    this.#note(t.instrument, FrameClass.Trades, n > 0 ? t.exchS(n - 1) : 0, n > 0 ? t.exchNs(n - 1) : 0);
    this.core.onTrades(t);
  }

  quotes(q: QuoteBatchLike): void {
    const n = q.length;
    this.#note(q.instrument, FrameClass.Quotes, n > 0 ? q.exchS(n - 1) : 0, n > 0 ? q.exchNs(n - 1) : 0);
  }

  reject(): void {
    this.rejects++;
  }

  #note(instrument: number, cls: FrameClassCode, s: number, ns: number): void {
    const info = this.#info;
    if (!info.instruments.includes(instrument)) info.instruments.push(instrument);
    if (cls > info.cls) info.cls = cls;
    if (s > 0) {
      info.exchS = s;
      info.exchNs = ns;
    }
  }
}
