import {
  type BookDeltaLike,
  type BookSnapshotLike,
  type BookViewLike,
  canonicalName,
  type InstrumentRegistry,
  type QuoteBatchLike,
  type TradeBatchLike,
  type VenueName,
  venueName,
} from '@tickline/wire';
import { type BookCoreConfig, type BookConfigInput, resolveBookConfig } from '../config.js';
import { BarBuilder, BarKind, type BarLike, BarRecord, type BarSink } from './bars.js';
import { TopLevels } from './book-side.js';
import { BookState, BookSync, DeltaOutcome, type ResyncReason, SnapshotOutcome, SyncCounters, type SyncHost } from './book-sync.js';
import { BookChecksum } from './checksum.js';
import { L2Book } from './l2-book.js';

/** Mirrors the BookView table of schema/tickline.fbs. Figures are decimals, levels mantissas. */
/** The BookView record the core publishes (schema/tickline.fbs; the contract lives in @tickline/wire). */
export type { BookViewLike } from '@tickline/wire';

/** Where the core's products go. Objects passed are reused after the call returns: copy to keep. */
export interface BookOutput {
  view(v: BookViewLike): void;
  /** Ask the control plane for a snapshot (REST fetch or resubscribe) of one instrument. */
  resync(instrument: number, venue: number, reason: string): void;
  bar(b: BarLike): void;
}

export type VenueCountersSnapshot = { -readonly [K in keyof SyncCounters]: number };

export interface BookStats {
  instruments: number;
  syncing: number;
  live: number;
  reseeding: number;
  /** Records for a venue id this build does not know (ignored). */
  unknownVenue: number;
  dropMarks: number;
  droppedRecords: number;
  /** Bytes held by level arrays of all books. */
  levelBytes: number;
  /**
   * Market-data events this stage took in: level changes (each level of every delta and
   * snapshot record, applied or buffered) and trades. The unit of `bench` event rates.
   */
  events: number;
  venues: Partial<Record<VenueName, VenueCountersSnapshot>>;
}

class ViewRecord implements BookViewLike {
  instrument = 0;
  venue = 0;
  priceScale = 0;
  sizeScale = 0;
  state = BookState.Syncing;
  seq = Number.NaN;
  recvS = 0;
  recvNs = 0;
  mid = Number.NaN;
  microprice = Number.NaN;
  imbalance = Number.NaN;
  spread = Number.NaN;
  readonly bids: TopLevels;
  readonly asks: TopLevels;
  constructor(placeholder: L2Book) {
    this.bids = new TopLevels(placeholder.bids, 0);
    this.asks = new TopLevels(placeholder.asks, 0);
  }
}

interface Entry {
  readonly sync: BookSync;
  readonly bars: BarBuilder[];
  viewState: number;
  /**
   * Conflation state within the current batch: 0 nothing published, 1 a view published (the
   * leading one), 2 a later change owes a view at the end of the batch.
   */
  batchState: number;
  viewRecvS: number;
  viewRecvNs: number;
  /** Last spread (mantissas) fed to the bars, to sample only on change. */
  spreadM: number;
}

/**
 * The book stage's pure core: routes canonical records to per-instrument sync state machines,
 * publishes a BookView after applied changes and state changes, requests snapshots, builds bars.
 * With `conflateViews` (the default) an instrument publishes at most two views per input batch:
 * its first change at once (no added latency when it changes once, the common case when the
 * pipeline keeps up), and, if it changes again in the batch, its latest when the batch ends
 * (`flushViews()`). Under load batches grow, and downstream gets fewer, fresher views instead of
 * a backlog. Synchronous, allocation-free per record once an instrument is known.
 */
export class BookCore {
  readonly config: BookCoreConfig;
  readonly #registry: InstrumentRegistry;
  readonly #out: BookOutput;
  readonly #entries: (Entry | undefined)[] = [];
  readonly #list: Entry[] = [];
  /** Entries that published or owe a view in the current batch. */
  readonly #batch: Entry[] = [];
  readonly #counters = new Map<number, SyncCounters>();
  readonly #checksum = new BookChecksum();
  readonly #view: ViewRecord;
  readonly #host: SyncHost;
  readonly #barSink: BarSink;
  #nowS = 0;
  #nowNs = 0;
  #unknownVenue = 0;
  #events = 0;
  #dropMarks = 0;
  #droppedRecords = 0;

  constructor(config: BookCoreConfig | BookConfigInput | undefined, registry: InstrumentRegistry, out: BookOutput) {
    this.config = resolveBookConfig(config);
    this.#registry = registry;
    this.#out = out;
    this.#view = new ViewRecord(new L2Book(1));
    this.#host = { requestSnapshot: (sync: BookSync, reason: ResyncReason) => out.resync(sync.instrument, sync.venue, reason) };
    this.#barSink = (b) => out.bar(b);
  }

  /** Returns what happened (Rejected also for a record of an unknown venue). */
  onSnapshot(s: BookSnapshotLike): SnapshotOutcome {
    this.#events += s.bids.length + s.asks.length;
    const e = this.#entry(s.instrument, s.venue, s.sizeScale);
    this.#now(s.recvS, s.recvNs);
    if (e === undefined) return SnapshotOutcome.Rejected;
    const r = e.sync.onSnapshot(s);
    if (r === SnapshotOutcome.Applied) {
      this.#emit(e, s.recvS, s.recvNs);
      this.#sampleBook(e, s.recvS, s.recvNs);
    } else if (e.sync.state !== e.viewState) this.#emit(e, s.recvS, s.recvNs);
    return r;
  }

  /** Returns what happened (Discarded also for a record of an unknown venue). */
  onDelta(d: BookDeltaLike): DeltaOutcome {
    this.#events += d.bids.length + d.asks.length;
    const e = this.#entry(d.instrument, d.venue, d.sizeScale);
    this.#nowS = d.recvS;
    this.#nowNs = d.recvNs;
    if (e === undefined) return DeltaOutcome.Discarded;
    const r = e.sync.onDelta(d);
    if (r === DeltaOutcome.Applied) {
      this.#emit(e, d.recvS, d.recvNs);
      if (e.bars.length > 0) this.#sampleBook(e, d.recvS, d.recvNs);
    } else if (e.sync.state !== e.viewState) this.#emit(e, d.recvS, d.recvNs);
    return r;
  }

  onTrades(t: TradeBatchLike): void {
    this.#events += t.length;
    this.#now(t.recvS, t.recvNs);
    const e = this.#entry(t.instrument, t.venue, t.sizeScale);
    if (e === undefined || e.bars.length === 0) return;
    for (const b of e.bars) {
      for (let i = 0; i < t.length; i++) b.trade(t.price(i), t.size(i), t.priceScale, t.sizeScale, t.recvS, t.recvNs, this.#barSink);
    }
  }

  onQuotes(q: QuoteBatchLike): void {
    this.#now(q.recvS, q.recvNs);
    const e = this.#entry(q.instrument, q.venue, q.sizeScale);
    if (e === undefined || e.bars.length === 0) return;
    const unit = 10 ** q.priceScale;
    for (let i = 0; i < q.length; i++) {
      const bid = q.bidPrice(i);
      const ask = q.askPrice(i);
      const spread = q.bidSize(i) > 0 && q.askSize(i) > 0 ? (ask - bid) / unit : Number.NaN;
      for (const b of e.bars) b.spread(spread, q.recvS, q.recvNs, this.#barSink);
    }
  }

  /** A ring drop on this worker's inbound edge: every instrument re-seeds (snapshots requested lazily). */
  onDrop(count: number, _reason: number): void {
    this.#dropMarks++;
    this.#droppedRecords += count;
    const nowMs = this.#nowS * 1000 + this.#nowNs / 1e6;
    for (const e of this.#list) {
      e.sync.invalidate('drop', nowMs);
      if (e.sync.state !== e.viewState) this.#emit(e, this.#nowS, this.#nowNs);
    }
  }

  /** Ingest lost this instrument's data (shed under load) and re-seeds it: invalid until then. */
  onShed(instrument: number): void {
    const e = this.#entries[instrument];
    if (e === undefined) return;
    e.sync.invalidate('shed', this.#nowS * 1000 + this.#nowNs / 1e6);
    if (e.sync.state !== e.viewState) this.#emit(e, this.#nowS, this.#nowNs);
  }

  /** The venue's feed went down: its instruments re-seed once data flows again. */
  onFeedDown(venue: number): void {
    const nowMs = this.#nowS * 1000 + this.#nowNs / 1e6;
    for (const e of this.#list) {
      if (e.sync.venue !== venue) continue;
      e.sync.invalidate('feed-down', nowMs);
      if (e.sync.state !== e.viewState) this.#emit(e, this.#nowS, this.#nowNs);
    }
  }

  /** Closes time bars whose bucket has passed (the runtime calls this from a timer). */
  flush(nowS: number, nowNs: number): void {
    this.#now(nowS, nowNs);
    // Only time bars close on a timer, and only when the clock enters a new bucket: a bar opened
    // since the last pass is in the current bucket (time does not go back), so it stays open.
    const interval = this.config.bars.timeMs;
    if (interval <= 0) return;
    const bucket = Math.floor((nowS * 1000 + Math.floor(nowNs / 1e6)) / interval);
    if (bucket === this.#flushedBucket) return;
    this.#flushedBucket = bucket;
    for (const e of this.#list) for (const b of e.bars) b.advance(nowS, nowNs, this.#barSink);
  }

  /** The book of an instrument (read-only use: tests, verifier, diagnostics). */
  book(instrument: number): L2Book | undefined {
    return this.#entries[instrument]?.sync.book;
  }

  state(instrument: number): BookState | undefined {
    return this.#entries[instrument]?.sync.state;
  }

  /** The sync state machine of an instrument (read-only use: verifier, diagnostics). */
  sync(instrument: number): BookSync | undefined {
    return this.#entries[instrument]?.sync;
  }

  /** Pre-creates the state of an instrument (e.g. a worker's whole partition at start). */
  ensure(instrument: number, venue: number): boolean {
    const spec = this.#registry.get(instrument);
    return this.#entry(instrument, venue, spec?.sizeScale ?? 0) !== undefined;
  }

  stats(): BookStats {
    let syncing = 0;
    let live = 0;
    let reseeding = 0;
    let levelBytes = 0;
    for (const e of this.#list) {
      const s = e.sync.state;
      if (s === BookState.Live) live++;
      else if (s === BookState.Syncing) syncing++;
      else reseeding++;
      levelBytes += e.sync.book.byteLength;
    }
    const venues: Partial<Record<VenueName, VenueCountersSnapshot>> = {};
    for (const [id, c] of this.#counters) {
      const name = venueName(id);
      if (name !== undefined) venues[name] = { ...c };
    }
    return {
      instruments: this.#list.length,
      syncing,
      live,
      reseeding,
      unknownVenue: this.#unknownVenue,
      dropMarks: this.#dropMarks,
      droppedRecords: this.#droppedRecords,
      levelBytes,
      events: this.#events,
      venues,
    };
  }

  /** Time-bar bucket of the last flush that walked the bars. */
  #flushedBucket = Number.NaN;

  #now(s: number, ns: number): void {
    this.#nowS = s;
    this.#nowNs = ns;
  }

  #entry(instrument: number, venue: number, sizeScale: number): Entry | undefined {
    const e = this.#entries[instrument];
    if (e !== undefined) return e;
    const name = venueName(venue);
    if (name === undefined) {
      this.#unknownVenue++;
      return undefined;
    }
    let counters = this.#counters.get(venue);
    if (counters === undefined) {
      counters = new SyncCounters();
      this.#counters.set(venue, counters);
    }
    const c = this.config;
    const sync = new BookSync(instrument, venue, c.venues[name], c.depth, counters, this.#host, c, this.#checksum);
    const spec = this.#registry.get(instrument);
    const text = spec === undefined ? undefined : c.checksumText[canonicalName(spec.venue, spec.symbol)];
    if (text !== undefined) {
      sync.book.priceText = text.price ?? -1;
      sync.book.sizeText = text.size ?? -1;
      sync.book.textKnown = true;
    }
    const bars: BarBuilder[] = [];
    if (c.bars.tickTrades > 0) bars.push(new BarBuilder(BarKind.Tick, c.bars.tickTrades, instrument, venue, new BarRecord()));
    if (c.bars.volume > 0) {
      const scale = spec?.sizeScale ?? sizeScale;
      const threshold = Math.max(1, Math.round(c.bars.volume * 10 ** scale));
      bars.push(new BarBuilder(BarKind.Volume, threshold, instrument, venue, new BarRecord()));
    }
    if (c.bars.timeMs > 0) bars.push(new BarBuilder(BarKind.Time, c.bars.timeMs, instrument, venue, new BarRecord()));
    const entry: Entry = { sync, bars, viewState: -1, batchState: 0, viewRecvS: 0, viewRecvNs: 0, spreadM: Number.NaN };
    while (this.#entries.length <= instrument) this.#entries.push(undefined);
    this.#entries[instrument] = entry;
    this.#list.push(entry);
    return entry;
  }

  #sampleBook(e: Entry, s: number, ns: number): void {
    if (e.bars.length === 0) return;
    const book = e.sync.book;
    const m = book.spreadMantissa();
    if (m === e.spreadM || (Number.isNaN(m) && Number.isNaN(e.spreadM))) return;
    e.spreadM = m;
    const spread = book.spread();
    for (const b of e.bars) b.spread(spread, s, ns, this.#barSink);
  }

  /** Ends the batch: publishes the latest view of every instrument that changed again in it. */
  flushViews(): void {
    const batch = this.#batch;
    for (let i = 0; i < batch.length; i++) {
      const e = batch[i] as Entry;
      if (e.batchState === 2) this.#publish(e, e.viewRecvS, e.viewRecvNs);
      e.batchState = 0;
    }
    batch.length = 0;
  }

  #emit(e: Entry, recvS: number, recvNs: number): void {
    if (!this.config.conflateViews) {
      this.#publish(e, recvS, recvNs);
      return;
    }
    if (e.batchState === 0) {
      // the instrument's first change in this batch goes out at once
      e.batchState = 1;
      this.#batch.push(e);
      this.#publish(e, recvS, recvNs);
      return;
    }
    e.batchState = 2;
    e.viewState = e.sync.state;
    e.viewRecvS = recvS;
    e.viewRecvNs = recvNs;
  }

  #publish(e: Entry, recvS: number, recvNs: number): void {
    const v = this.#view;
    const sync = e.sync;
    const book = sync.book;
    e.viewState = sync.state;
    v.instrument = sync.instrument;
    v.venue = sync.venue;
    v.priceScale = book.priceScale;
    v.sizeScale = book.sizeScale;
    v.state = sync.state;
    v.seq = sync.lastSeq;
    v.recvS = recvS;
    v.recvNs = recvNs;
    v.bids.side = book.bids;
    v.asks.side = book.asks;
    if (sync.state === BookState.Live) {
      const n = this.config.viewLevels;
      v.bids.limit = n;
      v.asks.limit = n;
      v.mid = book.mid();
      v.microprice = book.microprice();
      v.imbalance = book.imbalance(n);
      v.spread = book.spread();
    } else {
      v.bids.limit = 0;
      v.asks.limit = 0;
      v.mid = Number.NaN;
      v.microprice = Number.NaN;
      v.imbalance = Number.NaN;
      v.spread = Number.NaN;
    }
    this.#out.view(v);
  }
}
