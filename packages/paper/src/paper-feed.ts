/**
 * The paper venue's own market data: one connection to the venue for the traded instruments,
 * through the same code the pipeline runs (ingest's connection and REST snapshots, normalize's
 * Normalizer, book's BookCore with the venue's sync rules and checksums), kept inside the
 * execution worker. What the local venue sees is the venue's book as the venue publishes it,
 * not the pipeline's: a view the pipeline conflated, shed under load or has not yet delivered
 * does not change where a paper order stands (docs/backtest.md, Paper trading).
 *
 * Out: `PaperMarket` calls, in arrival order: a book that went LIVE (its levels, a snapshot), the
 * levels that changed since (absolute sizes, 0 = removed), trades, and a book that is no longer
 * LIVE. Synchronous within each frame.
 */

import { BookCore, BookState } from '@tickline/book';
import { createIngestSource, type IngestSource, type IngestStats } from '@tickline/ingest';
import { Normalizer } from '@tickline/normalize';
import { type Mark, type RawFrameLike, SourceEmitter } from '@tickline/runtime';
import type {
  BookDeltaLike,
  BookSnapshotLike,
  BookViewLike,
  CanonicalSink,
  InstrumentRegistry,
  LevelsLike,
  TradeBatchLike,
} from '@tickline/wire';
import type { PaperStageConfig } from './config.js';

/** What the feed drives (the paper venue). */
export interface PaperMarket {
  snapshot(instrument: number, bids: LevelsLike, asks: LevelsLike): void;
  level(instrument: number, side: number, price: number, size: number): void;
  trade(instrument: number, price: number, size: number, aggressor: number): void;
  bookDown(instrument: number): void;
}

/** The stage config's market-data part, plus where it goes. */
export interface PaperFeedOptions extends Omit<PaperStageConfig, 'fill'> {
  readonly registry: InstrumentRegistry;
  readonly market: PaperMarket;
  readonly log: (level: 'info' | 'warn', msg: string, data: Record<string, unknown>) => void;
}

/** Levels per side the local venue keeps of each book (the book stage's depth if larger). */
const VENUE_LEVELS = 100;

/** One side of the last book passed to the venue: price -> size. */
type Side = Map<number, number>;

export class PaperFeed {
  readonly #source: IngestSource;
  readonly #normalizer: Normalizer;
  readonly #book: BookCore;
  readonly #market: PaperMarket;
  /** Per instrument: the levels last passed on (null: not LIVE, the next LIVE view is a snapshot). */
  readonly #sent = new Map<number, [Side, Side] | null>();
  readonly counters = { frames: 0, snapshots: 0, levels: 0, trades: 0, bookDowns: 0, feedDowns: 0 };

  constructor(o: PaperFeedOptions) {
    this.#market = o.market;
    this.#normalizer = new Normalizer({ registry: o.registry });
    const depth = Math.max(VENUE_LEVELS, Number((o.book as { depth?: unknown } | undefined)?.depth ?? 0));
    // conflateViews off: every change reaches the venue (one view per record)
    this.#book = new BookCore({ ...(o.book ?? {}), depth, viewLevels: depth, conflateViews: false, bars: {} }, o.registry, {
      view: (v) => this.#onView(v),
      bar: () => {},
      resync: (instrument) => this.#source.resync(instrument),
    });
    this.#source = createIngestSource({
      venue: o.venue,
      url: o.url,
      restUrl: o.restUrl,
      registry: o.registry,
      instruments: o.symbols,
      channels: ['book', 'trades'],
      config: { ...(o.ingest ?? {}) },
      log: (level, msg, data) => {
        if (level !== 'debug') o.log(level === 'info' ? 'info' : 'warn', `paper feed: ${msg}`, data ?? {});
      },
    });
  }

  start(): Promise<void> {
    return this.#source.start(new FeedEmitter(this));
  }

  stop(): Promise<void> {
    return this.#source.stop();
  }

  stats(): IngestStats {
    return this.#source.stats();
  }

  /** A raw frame from the connection: normalized, through the book, to the venue. */
  frame(f: RawFrameLike): void {
    this.counters.frames++;
    this.#normalizer.handleFrame(f.venue, f.kind, f.context, f.bytes, f.recvS, f.recvNs, this.#sink, f.connId);
    this.#book.flushViews();
  }

  mark(m: Mark): void {
    if (m.type !== 'feed' || m.up) return;
    // the connection dropped: every book re-seeds, and the venue's copies are not live meanwhile
    this.counters.feedDowns++;
    this.#book.onFeedDown(m.venue);
    for (const [instrument, sent] of this.#sent) if (sent !== null) this.#down(instrument);
  }

  readonly #sink: CanonicalSink = {
    bookDelta: (d: BookDeltaLike) => void this.#book.onDelta(d),
    bookSnapshot: (s: BookSnapshotLike) => void this.#book.onSnapshot(s),
    trades: (t: TradeBatchLike) => {
      this.#book.onTrades(t);
      for (let i = 0; i < t.length; i++) {
        this.counters.trades++;
        this.#market.trade(t.instrument, t.price(i), t.size(i), t.side(i));
      }
    },
    quotes: () => {},
    reject: () => {},
    sequenceCheck: (_venue, _connId, expected, got) => {
      if (got !== expected) this.#book.onDrop(Math.max(1, got - expected), 0);
    },
  };

  #down(instrument: number): void {
    this.#sent.set(instrument, null);
    this.counters.bookDowns++;
    this.#market.bookDown(instrument);
  }

  #onView(v: BookViewLike): void {
    const sent = this.#sent.get(v.instrument) ?? null;
    if (v.state !== BookState.Live) {
      if (sent !== null) this.#down(v.instrument);
      return;
    }
    if (sent === null) {
      this.#sent.set(v.instrument, [sideOf(v.bids), sideOf(v.asks)]);
      this.counters.snapshots++;
      this.#market.snapshot(v.instrument, v.bids, v.asks);
      return;
    }
    this.#diff(v.instrument, 0, sent[0], v.bids);
    this.#diff(v.instrument, 1, sent[1], v.asks);
  }

  /** Passes on the levels of one side that changed since the last view (size 0: gone). */
  #diff(instrument: number, side: number, prev: Side, now: LevelsLike): void {
    const seen = new Set<number>();
    for (let i = 0; i < now.length; i++) {
      const price = now.price(i);
      const size = now.size(i);
      seen.add(price);
      if (prev.get(price) !== size) {
        prev.set(price, size);
        this.counters.levels++;
        this.#market.level(instrument, side, price, size);
      }
    }
    for (const price of prev.keys())
      if (!seen.has(price)) {
        prev.delete(price);
        this.counters.levels++;
        this.#market.level(instrument, side, price, 0);
      }
  }
}

function sideOf(levels: LevelsLike): Side {
  const m: Side = new Map();
  for (let i = 0; i < levels.length; i++) m.set(levels.price(i), levels.size(i));
  return m;
}

/** The connection's output: frames straight into the feed (no ring: one consumer, this worker). */
class FeedEmitter extends SourceEmitter {
  constructor(readonly feed: PaperFeed) {
    super();
  }
  rawFrame(f: RawFrameLike): void {
    this.feed.frame(f);
  }
  mark(m: Mark): void {
    this.feed.mark(m);
  }
  flush(): void {}
}
