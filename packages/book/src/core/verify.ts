import type { BookDeltaLike, BookSnapshotLike, CanonicalSink, InstrumentRegistry, QuoteBatchLike, TradeBatchLike } from '@tickline/wire';
import type { BookConfigInput } from '../config.js';
import { BookCore } from './book-core.js';
import { BookState, DeltaOutcome, SnapshotOutcome } from './book-sync.js';

export interface VerifyReport {
  frames: number;
  checksums: { verified: number; mismatched: number };
  sequence: { checked: number; gaps: number };
  topOfBook: { compared: number; mismatched: number };
  resyncs: number;
}

interface PendingQuote {
  bid: number;
  bidSize: number;
  ask: number;
  askSize: number;
}

/** Venue top-of-book quotes kept per instrument until the book reaches their update id. */
const MAX_PENDING = 256;

/**
 * Checks canonical records against the venue's own truth, through the same BookCore the
 * pipeline runs: every checksum the venue sent must match the book, every sequence number must
 * chain, and wherever a top-of-book quote's update id (Binance bookTicker `u`) equals the book's
 * last applied update id, the quote must equal the book's best bid and ask. Pure: feed it
 * records (it is a CanonicalSink, so a Normalizer can write into it) and call `frame()` per
 * input frame.
 */
export class Verifier implements CanonicalSink {
  readonly core: BookCore;
  readonly #report: VerifyReport = {
    frames: 0,
    checksums: { verified: 0, mismatched: 0 },
    sequence: { checked: 0, gaps: 0 },
    topOfBook: { compared: 0, mismatched: 0 },
    resyncs: 0,
  };
  readonly #quotes = new Map<number, Map<number, PendingQuote>>();
  /** Called on every resync request (tests use it to hand in a snapshot). */
  onResync: ((instrument: number, venue: number, reason: string) => void) | null = null;
  /** Called on every top-of-book mismatch (diagnostics). */
  onTopMismatch: ((instrument: number, seq: number) => void) | null = null;
  rejects = 0;
  /** Outcome of the last delta handed in. */
  lastOutcome: DeltaOutcome = DeltaOutcome.Applied;

  constructor(registry: InstrumentRegistry, config: BookConfigInput = {}) {
    this.core = new BookCore({ depth: 5000, conflateViews: false, ...config }, registry, {
      view: () => {},
      bar: () => {},
      resync: (instrument, venue, reason) => {
        if (reason !== 'initial') this.#report.resyncs++;
        this.onResync?.(instrument, venue, reason);
      },
    });
  }

  frame(): void {
    this.#report.frames++;
  }

  bookSnapshot(s: BookSnapshotLike): void {
    const sync = this.core.sync(s.instrument);
    const before = sync?.counters.checksumFailures ?? 0;
    const r = this.core.onSnapshot(s);
    const after = this.core.sync(s.instrument)?.counters.checksumFailures ?? 0;
    if (after > before) this.#report.checksums.mismatched++;
    else if (r === SnapshotOutcome.Applied && !Number.isNaN(s.checksum) && this.#checksummed(s.instrument))
      this.#report.checksums.verified++;
    if (r === SnapshotOutcome.Applied) this.#matchQuotes(s.instrument);
  }

  bookDelta(d: BookDeltaLike): void {
    const live = this.core.state(d.instrument) === BookState.Live;
    const r = this.core.onDelta(d);
    this.lastOutcome = r;
    const sync = this.core.sync(d.instrument);
    if (sync === undefined) return;
    const rule = sync.rule;
    if (live && rule.sequence !== 'none' && !(Number.isNaN(d.firstSeq) && Number.isNaN(d.lastSeq))) {
      this.#report.sequence.checked++;
      if (r === DeltaOutcome.Gap) this.#report.sequence.gaps++;
    }
    if (r === DeltaOutcome.ChecksumMismatch) this.#report.checksums.mismatched++;
    else if ((r === DeltaOutcome.Applied || r === DeltaOutcome.Crossed) && !Number.isNaN(d.checksum) && rule.checksum !== 'none') {
      this.#report.checksums.verified++;
    }
    if (r === DeltaOutcome.Applied || sync.state === BookState.Live) this.#matchQuotes(d.instrument);
  }

  quotes(q: QuoteBatchLike): void {
    this.core.onQuotes(q);
    for (let i = 0; i < q.length; i++) {
      const seq = q.seq(i);
      if (Number.isNaN(seq)) continue;
      let m = this.#quotes.get(q.instrument);
      if (m === undefined) {
        m = new Map();
        this.#quotes.set(q.instrument, m);
      }
      m.set(seq, { bid: q.bidPrice(i), bidSize: q.bidSize(i), ask: q.askPrice(i), askSize: q.askSize(i) });
      if (m.size > MAX_PENDING) m.delete(m.keys().next().value as number);
    }
    this.#matchQuotes(q.instrument);
  }

  trades(t: TradeBatchLike): void {
    this.core.onTrades(t);
  }

  /** Connection-level sequence continuity (Coinbase Advanced Trade), checked by the parser. */
  sequenceCheck(_venue: number, _connId: number, expected: number, got: number): void {
    this.#report.sequence.checked++;
    if (got !== expected) this.#report.sequence.gaps++;
  }

  reject(): void {
    this.rejects++;
  }

  report(): VerifyReport {
    const r = this.#report;
    return {
      frames: r.frames,
      checksums: { ...r.checksums },
      sequence: { ...r.sequence },
      topOfBook: { ...r.topOfBook },
      resyncs: r.resyncs,
    };
  }

  #checksummed(instrument: number): boolean {
    return (this.core.sync(instrument)?.rule.checksum ?? 'none') !== 'none';
  }

  /** Compares pending quotes whose id equals the book's last applied id; drops older ones. */
  #matchQuotes(instrument: number): void {
    const m = this.#quotes.get(instrument);
    const sync = this.core.sync(instrument);
    if (m === undefined || m.size === 0 || sync === undefined || sync.state !== BookState.Live) return;
    const last = sync.lastSeq;
    if (Number.isNaN(last)) return;
    for (const [seq, q] of m) {
      if (seq > last) continue;
      m.delete(seq);
      if (seq < last) continue;
      const book = sync.book;
      this.#report.topOfBook.compared++;
      if (
        book.bids.bestPrice() !== q.bid ||
        book.bids.bestSize() !== q.bidSize ||
        book.asks.bestPrice() !== q.ask ||
        book.asks.bestSize() !== q.askSize
      ) {
        this.#report.topOfBook.mismatched++;
        this.onTopMismatch?.(instrument, seq);
      }
    }
  }
}
