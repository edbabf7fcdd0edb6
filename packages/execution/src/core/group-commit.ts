/**
 * Units of work for the journal and the venue: what makes "journaled before acted on" hold with
 * one fsync per unit instead of one per record.
 *
 * Per record (a bare core): every `journal.record()` is its own durable transaction and every
 * venue request leaves at once, after the record that precedes it.
 *
 * Grouped (`start()`, what the execution stage runs): the journal queues the rows of the unit and
 * the venue port holds the requests (each answered at once, its bytes kept); `commit()` writes
 * every row of the unit in one transaction, then releases the requests in call order. Whoever
 * drives the core ends each unit with `commit()` before publishing what the core emitted in it
 * (the stage: at the end of each input batch, after tick and control commands, and at the end of
 * each event-loop turn that delivered venue messages). So nothing reaches the venue or
 * downstream before the rows behind it are durable, and a unit cut short by a crash is neither
 * on disk nor at the venue.
 *
 * Pure and synchronous: the driver decides when a unit ends.
 */

import { LatencyHistogram } from '@tickline/runtime';
import { epochMs } from '@tickline/wire';
import type { JournalPort } from './journal.js';
import type { VenuePort } from './venue.js';

export class GroupCommit {
  readonly #journal: JournalPort;
  readonly #venue: VenuePort;
  readonly #tickToDecision: LatencyHistogram;
  /** Entry orders waiting in the venue's hold, with the receive time (epoch ms) of their data. */
  readonly #decided: { recvMs: number; clientOrderId: string }[] = [];
  /** Told of each held order taken back because its data went stale while its unit committed. */
  readonly #onExpired: (clientOrderId: string) => void;
  /** Epoch ms (the core's clock). */
  readonly #clock: () => number;
  #grouped = false;
  readonly #maxDataAgeMs: number;
  readonly counters = {
    /**
     * Orders that left on market data older than maxDataAgeMs. Must stay 0: an order whose data
     * went stale while its unit committed is taken back before release (`expiredAtRelease`).
     */
    sentOnStaleData: 0,
    /** Held orders taken back at release because their data had gone stale during the commit. */
    expiredAtRelease: 0,
    /** Units that wrote rows. */
    units: 0,
    /** Requests released to the venue after a commit. */
    released: 0,
    /** The most journal records one unit committed. */
    maxRecords: 0,
  };

  constructor(
    journal: JournalPort,
    venue: VenuePort,
    tickToDecision: LatencyHistogram,
    maxDataAgeMs = 0,
    onExpired: (clientOrderId: string) => void = () => {},
    clock: () => number = epochMs,
  ) {
    this.#clock = clock;
    this.#journal = journal;
    this.#venue = venue;
    this.#tickToDecision = tickToDecision;
    this.#maxDataAgeMs = maxDataAgeMs;
    this.#onExpired = onExpired;
  }

  /**
   * Receive time of the data -> the order leaving for the venue (after its unit's commit), ns.
   * Tick-to-decision ends earlier, when execution hands the order over.
   */
  readonly tickToOrder = new LatencyHistogram();

  /** An order left now on data received at `recv` (epoch ms). */
  #left(now: number, recv: number): void {
    const age = now - recv;
    this.tickToOrder.record(age * 1e6);
    if (this.#maxDataAgeMs > 0 && age > this.#maxDataAgeMs) this.counters.sentOnStaleData++;
  }

  get grouped(): boolean {
    return this.#grouped;
  }

  /** Rows or requests wait for `commit()`. */
  get pending(): boolean {
    return this.#journal.pending > 0 || (this.#venue.held ?? 0) > 0;
  }

  /** Turns grouping on (one-way). The venue port must be able to hold requests. */
  start(): void {
    const v = this.#venue;
    if (typeof v.hold !== 'function' || typeof v.release !== 'function')
      throw new TypeError(
        'group commit: the venue port must implement hold() and release(), so that no request leaves before the journal commits',
      );
    this.#journal.group();
    v.hold();
    this.#grouped = true;
  }

  /**
   * An entry order was handed to the venue port: its tick-to-decision ends now, its
   * tick-to-order when it leaves (at once per record, after the commit when grouped).
   */
  decided(recvMs: number, clientOrderId: string): void {
    const now = this.#clock();
    this.#tickToDecision.record((now - recvMs) * 1e6);
    if (this.#grouped) this.#decided.push({ recvMs, clientOrderId });
    else this.#left(now, recvMs);
  }

  /**
   * Ends the unit: one transaction for all its rows, then its requests go out. An entry order
   * whose data is older than the bound by now (a slow commit) is taken back first and reported to
   * `onExpired`, whose rows (the order rejected) commit in a second transaction before anything
   * leaves: no order leaves on stale data, and nothing is published before its row.
   */
  commit(): number {
    let n = this.#journal.commit();
    const decided = this.#decided;
    let now = this.#clock();
    if (decided.length > 0 && this.#maxDataAgeMs > 0 && this.#venue.discardHeld !== undefined) {
      // Checked right before release, and again after each commit that rejecting takes (each
      // round after the first rejects something, so the list shrinks and the loop ends).
      for (;;) {
        let kept = 0;
        for (const d of decided) {
          if (now - d.recvMs > this.#maxDataAgeMs && this.#venue.discardHeld(d.clientOrderId)) {
            this.counters.expiredAtRelease++;
            this.#onExpired(d.clientOrderId);
          } else decided[kept++] = d;
        }
        decided.length = kept;
        if (this.#journal.pending === 0) break;
        n += this.#journal.commit();
        now = this.#clock();
      }
    }
    if (n > 0) {
      this.counters.units++;
      if (n > this.counters.maxRecords) this.counters.maxRecords = n;
    }
    // Only orders still held leave now (one whose connection dropped meanwhile went with it).
    const isHeld = this.#venue.isHeld;
    let leaving = decided.length;
    if (isHeld !== undefined) {
      leaving = 0;
      for (const d of decided) if (isHeld.call(this.#venue, d.clientOrderId)) decided[leaving++] = d;
    }
    if (this.#grouped) this.counters.released += this.#venue.release?.() ?? 0;
    for (let i = 0; i < leaving; i++) this.#left(now, (decided[i] as { recvMs: number }).recvMs);
    decided.length = 0;
    return n;
  }
}
