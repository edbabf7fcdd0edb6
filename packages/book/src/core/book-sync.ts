import type { BookDeltaLike, BookSnapshotLike } from '@tickline/wire';
import type { BookChecksum } from './checksum.js';
import { DeltaBuffer } from './delta-buffer.js';
import { L2Book } from './l2-book.js';
import type { VenueRule } from './venue-rules.js';

/** Mirrors the BookState enum of schema/tickline.fbs. */
export enum BookState {
  Syncing = 0,
  Live = 1,
  Reseeding = 2,
}

/** What happened to one delta (returned for tests, the verifier and the core's view logic). */
export enum DeltaOutcome {
  Applied = 0,
  Buffered = 1,
  Stale = 2,
  /** Not LIVE on a venue without sequence numbers: useless before the snapshot, dropped. */
  Discarded = 3,
  Gap = 4,
  ChecksumMismatch = 5,
  Crossed = 6,
}

export enum SnapshotOutcome {
  Applied = 0,
  /** LIVE and the snapshot is not newer than the book: ignored. */
  Ignored = 1,
  /** Unsorted, crossed or failing its own checksum: the book stays invalid. */
  Rejected = 2,
}

/** Extra written decimals tried when learning a venue's checksum text widths. */
const MAX_EXTRA_DECIMALS = 10;

/** Reasons passed to requestSnapshot / resync (stable strings, used as metric labels). */
export type ResyncReason = 'initial' | 'gap' | 'checksum' | 'crossed' | 'overflow' | 'drop' | 'feed-down' | 'shed' | 'rejected-snapshot';

/** Counters shared by every instrument of one venue (plain numbers, read by stats()). */
export class SyncCounters {
  gaps = 0;
  checksumFailures = 0;
  crossed = 0;
  /** LIVE -> RESEEDING transitions. */
  resyncs = 0;
  /** Snapshot requests sent (initial syncs, re-seeds, overflow restarts). */
  snapshotRequests = 0;
  /** Time spent not LIVE after having been LIVE or since the first record, in ms (receive clock). */
  resyncMs = 0;
  snapshotsApplied = 0;
  snapshotsIgnored = 0;
  snapshotsRejected = 0;
  deltasApplied = 0;
  deltasBuffered = 0;
  deltasDroppedStale = 0;
  deltasDiscarded = 0;
  bufferOverflows = 0;
  ringDrops = 0;
  feedDowns = 0;
  /** Books whose data ingest shed under load (it re-seeds them, paced). */
  sheds = 0;
  /** Instruments whose checksum text widths were learned from the venue's checksums (Kraken v1 pads). */
  checksumWidthsLearned = 0;
}

export interface SyncHost {
  /** Ask for a snapshot of this instrument (the runtime routes it to ingest). */
  requestSnapshot(sync: BookSync, reason: ResyncReason): void;
}

export interface SyncLimits {
  readonly maxBufferedDeltas: number;
  readonly maxBufferedLevels: number;
}

/**
 * The per-instrument sync state machine shared by every venue:
 *
 *   SYNCING --snapshot--> LIVE --gap | checksum | crossed | drop | feed-down--> RESEEDING
 *   RESEEDING --snapshot--> LIVE
 *
 * While not LIVE, deltas are buffered (bounded) and replayed onto the next snapshot under the
 * venue's first-delta rule; venues without sequence numbers drop them instead. Times are the
 * records' receive times: the core has no clock.
 */
export class BookSync {
  readonly instrument: number;
  readonly venue: number;
  readonly rule: VenueRule;
  readonly book: L2Book;
  readonly counters: SyncCounters;
  state: BookState = BookState.Syncing;
  /** Last applied sequence number (NaN when unknown). */
  lastSeq = Number.NaN;
  /** Receive time of the last record applied (for views). */
  recvS = 0;
  recvNs = 0;
  #awaitingFirst = false;
  #requested = false;
  #downSinceMs = Number.NaN;
  #buffer: DeltaBuffer | null = null;
  #replaying = false;
  readonly #limits: SyncLimits;
  readonly #host: SyncHost;
  readonly #checksum: BookChecksum;
  readonly #sequenced: boolean;

  constructor(
    instrument: number,
    venue: number,
    rule: VenueRule,
    depth: number,
    counters: SyncCounters,
    host: SyncHost,
    limits: SyncLimits,
    checksum: BookChecksum,
  ) {
    this.instrument = instrument;
    this.venue = venue;
    this.rule = rule;
    this.book = new L2Book(rule.depth > 0 ? rule.depth : depth);
    this.counters = counters;
    this.#host = host;
    this.#limits = limits;
    this.#checksum = checksum;
    this.#sequenced = rule.sequence === 'contiguous' || rule.sequence === 'linked';
  }

  get buffered(): number {
    return this.#buffer === null ? 0 : this.#buffer.length;
  }

  get snapshotRequested(): boolean {
    return this.#requested;
  }

  onSnapshot(s: BookSnapshotLike): SnapshotOutcome {
    const nowMs = s.recvS * 1000 + s.recvNs / 1e6;
    if (
      this.state === BookState.Live &&
      this.rule.sequence !== 'none' &&
      s.seq <= this.lastSeq // false when either is NaN
    ) {
      this.counters.snapshotsIgnored++;
      return SnapshotOutcome.Ignored;
    }
    const book = this.book;
    book.priceScale = s.priceScale;
    book.sizeScale = s.sizeScale;
    const sorted = book.load(s.bids, s.asks);
    let ok = sorted && !(this.rule.reseedOnCrossed && book.isCrossed());
    if (ok && this.rule.checksum !== 'none' && !Number.isNaN(s.checksum)) {
      if (!this.#checksumMatches(s.checksum)) {
        this.counters.checksumFailures++;
        ok = false;
      }
    }
    if (!ok) {
      this.counters.snapshotsRejected++;
      this.#requested = false; // the next delta asks again
      this.#leave(BookState.Reseeding, nowMs);
      return SnapshotOutcome.Rejected;
    }
    this.counters.snapshotsApplied++;
    this.lastSeq = s.seq;
    this.#awaitingFirst = this.#sequenced && !Number.isNaN(s.seq);
    this.#requested = false;
    this.recvS = s.recvS;
    this.recvNs = s.recvNs;
    this.#enterLive(nowMs);
    this.#replay();
    return SnapshotOutcome.Applied;
  }

  onDelta(d: BookDeltaLike): DeltaOutcome {
    if (this.state !== BookState.Live) return this.#hold(d, 'initial');
    return this.#apply(d);
  }

  /**
   * Ring drop / feed down / shed: the book can no longer be trusted. After a drop or a feed down
   * the snapshot is requested lazily (by the next delta); a shed book is re-seeded by ingest,
   * which shed it and queued its snapshot, so nothing is asked twice.
   */
  invalidate(reason: 'drop' | 'feed-down' | 'shed', nowMs: number): void {
    if (reason === 'drop') this.counters.ringDrops++;
    else if (reason === 'feed-down') this.counters.feedDowns++;
    else this.counters.sheds++;
    this.#requested = reason === 'shed';
    this.#buffer?.clear();
    this.#leave(BookState.Reseeding, nowMs);
  }

  #apply(d: BookDeltaLike): DeltaOutcome {
    const verdict = this.#checkSeq(d);
    if (verdict === DeltaOutcome.Stale) {
      this.counters.deltasDroppedStale++;
      return verdict;
    }
    const nowMs = d.recvS * 1000 + d.recvNs / 1e6;
    if (verdict === DeltaOutcome.Gap) {
      this.counters.gaps++;
      this.#fail('gap', nowMs);
      // The delta that revealed the gap may be the first one after the next snapshot.
      if (!this.#replaying) this.#hold(d, 'gap');
      return DeltaOutcome.Gap;
    }
    const book = this.book;
    book.apply(d.bids, d.asks);
    this.counters.deltasApplied++;
    const u = Number.isNaN(d.lastSeq) ? d.firstSeq : d.lastSeq;
    if (!Number.isNaN(u)) this.lastSeq = u;
    this.#awaitingFirst = false;
    this.recvS = d.recvS;
    this.recvNs = d.recvNs;
    if (this.rule.checksum !== 'none' && !Number.isNaN(d.checksum)) {
      if (!this.#checksumMatches(d.checksum)) {
        this.counters.checksumFailures++;
        this.#fail('checksum', nowMs);
        return DeltaOutcome.ChecksumMismatch;
      }
    }
    if (this.rule.reseedOnCrossed && book.isCrossed()) {
      this.counters.crossed++;
      this.#fail('crossed', nowMs);
      return DeltaOutcome.Crossed;
    }
    return DeltaOutcome.Applied;
  }

  /**
   * The book against the venue's checksum. Venues that hash fixed-width strings may write more
   * decimals than the instrument's scale (Kraken v1 pads XMR/USD prices to 8 decimals at pair
   * precision 2): until the widths are known, a mismatch at the scales is retried at wider widths,
   * and the first widths that match are kept for the instrument (a false match needs a 32-bit
   * CRC collision among at most 121 candidates).
   */
  #checksumMatches(expected: number): boolean {
    const book = this.book;
    if (this.#checksum.compute(book, this.rule) === expected) {
      if (this.rule.priceFormat === 'fixed') book.textKnown = true;
      return true;
    }
    if (book.textKnown || this.rule.priceFormat !== 'fixed' || this.rule.sizeFormat !== 'fixed') return false;
    const pt = book.priceText;
    const st = book.sizeText;
    for (let p = book.priceScale; p <= book.priceScale + MAX_EXTRA_DECIMALS; p++) {
      for (let q = book.sizeScale; q <= book.sizeScale + MAX_EXTRA_DECIMALS; q++) {
        book.priceText = p;
        book.sizeText = q;
        if (this.#checksum.compute(book, this.rule) === expected) {
          book.textKnown = true;
          this.counters.checksumWidthsLearned++;
          return true;
        }
      }
    }
    book.priceText = pt;
    book.sizeText = st;
    return false;
  }

  /** Applied, Stale or Gap under the venue's sequence rule. */
  #checkSeq(d: BookDeltaLike): DeltaOutcome {
    const rule = this.rule;
    if (rule.sequence === 'none') return DeltaOutcome.Applied;
    const first = d.firstSeq;
    const u = Number.isNaN(d.lastSeq) ? first : d.lastSeq;
    const last = this.lastSeq;
    if (rule.sequence === 'increasing') {
      if (Number.isNaN(u)) return rule.sequenceOptional ? DeltaOutcome.Applied : DeltaOutcome.Gap;
      return u <= last ? DeltaOutcome.Stale : DeltaOutcome.Applied;
    }
    const linked = rule.sequence === 'linked';
    const U = Number.isNaN(first) ? u : first;
    const pu = d.prevSeq;
    if (Number.isNaN(u) || (linked && !this.#awaitingFirst && Number.isNaN(pu))) {
      return rule.sequenceOptional ? DeltaOutcome.Applied : DeltaOutcome.Gap;
    }
    if (Number.isNaN(last)) return DeltaOutcome.Applied; // a snapshot without seq: chain from here
    if (this.#awaitingFirst) {
      switch (rule.firstDelta) {
        case 'next-inside':
          if (u <= last) return DeltaOutcome.Stale;
          return U <= last + 1 ? DeltaOutcome.Applied : DeltaOutcome.Gap;
        case 'snapshot-inside':
          if (u < last) return DeltaOutcome.Stale;
          // pu = the snapshot's id: the event follows the snapshot exactly (a snapshot taken on
          // an event boundary, as an emulated venue serves it); else the documented U <= S <= u.
          return U <= last || pu === last ? DeltaOutcome.Applied : DeltaOutcome.Gap;
        default:
          if (pu === last) return DeltaOutcome.Applied;
          return u <= last ? DeltaOutcome.Stale : DeltaOutcome.Gap;
      }
    }
    if (linked) {
      if (pu === last) return DeltaOutcome.Applied;
      return u <= last ? DeltaOutcome.Stale : DeltaOutcome.Gap;
    }
    if (U === last + 1) return DeltaOutcome.Applied;
    return u <= last ? DeltaOutcome.Stale : DeltaOutcome.Gap;
  }

  /** Not LIVE: keep the delta for the next snapshot (or drop it on unsequenced venues). */
  #hold(d: BookDeltaLike, reason: ResyncReason): DeltaOutcome {
    if (!this.#requested) this.#request(reason);
    if (this.rule.sequence === 'none') {
      this.counters.deltasDiscarded++;
      return DeltaOutcome.Discarded;
    }
    if (this.#buffer === null) {
      this.#buffer = new DeltaBuffer(this.#limits.maxBufferedDeltas, this.#limits.maxBufferedLevels);
    }
    const evicted = this.#buffer.push(d);
    if (evicted !== 0) {
      // Overflow: the oldest deltas are gone, so the pending snapshot may no longer connect.
      this.counters.bufferOverflows++;
      this.#request('overflow');
      if (evicted < 0) {
        this.counters.deltasDiscarded++;
        return DeltaOutcome.Discarded;
      }
    }
    this.counters.deltasBuffered++;
    return DeltaOutcome.Buffered;
  }

  #replay(): void {
    const buf = this.#buffer;
    if (buf === null || buf.length === 0) return;
    if (this.rule.sequence === 'none') {
      buf.clear();
      return;
    }
    const n = buf.length;
    let i = 0;
    let outcome = DeltaOutcome.Applied;
    this.#replaying = true;
    for (; i < n; i++) {
      outcome = this.#apply(buf.at(i, this.instrument, this.venue));
      if (this.state !== BookState.Live) break;
    }
    this.#replaying = false;
    if (outcome === DeltaOutcome.Gap) {
      // Keep the delta that did not connect and everything after it for the next snapshot.
      for (let k = 0; k < i; k++) buf.dropOldest();
    } else {
      buf.clear();
    }
  }

  #fail(reason: ResyncReason, nowMs: number): void {
    if (!this.#replaying) this.#buffer?.clear();
    this.#leave(BookState.Reseeding, nowMs);
    this.#request(reason);
  }

  #request(reason: ResyncReason): void {
    this.#requested = true;
    this.counters.snapshotRequests++;
    this.#host.requestSnapshot(this, reason);
  }

  #leave(state: BookState, nowMs: number): void {
    if (this.state === BookState.Live) {
      this.counters.resyncs++;
      this.#downSinceMs = nowMs;
      this.state = state;
    }
    this.book.clear();
    this.lastSeq = Number.NaN;
    this.#awaitingFirst = false;
  }

  #enterLive(nowMs: number): void {
    if (this.state !== BookState.Live && !Number.isNaN(this.#downSinceMs)) {
      const dt = nowMs - this.#downSinceMs;
      if (dt > 0) this.counters.resyncMs += dt;
    }
    this.#downSinceMs = Number.NaN;
    this.state = BookState.Live;
  }
}
