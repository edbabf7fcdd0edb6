/**
 * Load control at ingest, the one place that sees every frame before anything is spent on it.
 *
 * Every `intervalMs` it reads the backlog of the frames' consumer (the age of the oldest frame
 * normalize has not taken). Over `maxBacklogMs`, the pipeline cannot keep up: it sheds the
 * busiest instruments first (the most load removed per book lost), a share of the admitted load
 * that grows with the overshoot, and holds re-seeds back for a cool-down. It acts on a backlog over
 * the bound at two looks in a row, not one: a pause (a GC, a busy machine) drains by itself, and
 * shedding for it would lose books for nothing. Nor does a look count at which the consumer took
 * nothing since the last: a consumer that is starting or stalled (a GC, a page fault storm, a
 * descheduled thread) is not outpaced by the load, shedding would not bring it back sooner, and
 * its queue drains in an instant once it runs (the stages' freshness checks keep decisions off
 * that data meanwhile). After shedding it waits for the backlog to answer
 * (what is already queued still has to drain, so the backlog lags the cut): it sheds again only
 * once `settleMs` has passed and the backlog has not fallen by a fifth since. The ring's capacity
 * is the hard limit (a frame the ring refuses sheds its instrument at once).
 *
 * Re-seeds flow only while the backlog is under `seedBacklogMs`, quietest books first, at a rate
 * that adapts like TCP's window: it falls to `minSeedsPerSecond` at every overload and climbs back
 * by a twentieth of `maxSeedsPerSecond` a second while the pipeline keeps up. Overload so settles
 * into fewer live books, all fresh, instead of every book late or a shed/re-seed churn. The only
 * per-frame work is one increment of the instrument's frame count.
 */

import type { SubscriptionEntry } from './subscriptions.js';

export interface GovernorOptions {
  /** Shed while the backlog is above this (ms); 0 = never. */
  readonly maxBacklogMs: number;
  /** Re-seeds only while the backlog is below this (ms). */
  readonly seedBacklogMs: number;
  /** Decision period (ms). */
  readonly intervalMs: number;
  /** After shedding, no re-seed for this long (ms). */
  readonly cooldownMs: number;
  /** After shedding, no more shedding for this long, nor while the backlog falls (ms). */
  readonly settleMs?: number;
  /** Re-seed rate bounds (seeds/s): the ceiling, and the floor it falls to at an overload. */
  readonly maxSeedsPerSecond: number;
  readonly minSeedsPerSecond: number;
}

export interface GovernorPorts {
  /** The backlog now, ms (the largest over the source's connections). */
  backlogMs(): number;
  /** What the consumer has taken so far (any monotonic count; absent = not known). */
  consumed?(): number;
  /** Every subscribed instrument. */
  entries(): Iterable<SubscriptionEntry>;
  /** Sheds one instrument (announce it downstream, queue its re-seed with this cost). */
  shed(e: SubscriptionEntry, framesPerSec: number): void;
  /** The re-seed rate changed (seeds/s). */
  seedRate(perSecond: number): void;
  now(): number;
}

export class LoadGovernor {
  readonly #o: GovernorOptions;
  readonly #p: GovernorPorts;
  #lastTick = Number.NaN;
  #lastShedAt = Number.NEGATIVE_INFINITY;
  #backlog = 0;
  #consumed = Number.NaN;
  #seedRate: number;
  /** Looks in a row that found the backlog over the bound. */
  #over = 0;
  /** Backlog when the governor last shed (ms). */
  #shedBacklog = 0;
  /** Decisions that shed something, and instruments shed by them. */
  overloads = 0;
  shedByGovernor = 0;

  constructor(o: GovernorOptions, p: GovernorPorts) {
    this.#o = o;
    this.#p = p;
    this.#seedRate = o.maxSeedsPerSecond;
  }

  /** The re-seed rate allowed now (seeds/s). */
  get seedRate(): number {
    return this.#seedRate;
  }

  /** The backlog read at the last tick (ms). */
  get backlogMs(): number {
    return this.#backlog;
  }

  /** May seeds go now: live data caught up, and no shedding in the last cool-down. */
  seedsAllowed(): boolean {
    const now = this.#p.now();
    return now - this.#lastShedAt >= this.#o.cooldownMs && this.#p.backlogMs() < this.#o.seedBacklogMs;
  }

  tick(): void {
    const now = this.#p.now();
    const dt = Number.isNaN(this.#lastTick) ? 0 : (now - this.#lastTick) / 1000;
    this.#lastTick = now;
    const backlog = this.#p.backlogMs();
    this.#backlog = backlog;
    // frame rates of the last period, per instrument
    const admitted: SubscriptionEntry[] = [];
    let total = 0;
    for (const e of this.#p.entries()) {
      e.rate = dt > 0 ? (e.frames - e.framesAtTick) / dt : 0;
      e.framesAtTick = e.frames;
      if (!e.shed) {
        admitted.push(e);
        total += e.rate;
      }
    }
    const limit = this.#o.maxBacklogMs;
    const consumed = this.#p.consumed?.() ?? Number.NaN;
    const stalled = consumed === this.#consumed; // took nothing since the last look (NaN: not known)
    this.#consumed = consumed;
    if (!(limit > 0 && backlog > limit)) this.#over = 0;
    else if (!stalled) this.#over++;
    if (this.#over < 2 || admitted.length === 0 || total <= 0) {
      // keeping up: the re-seed rate climbs back (additive increase)
      if (this.#over === 0 && backlog < this.#o.seedBacklogMs && this.#seedRate < this.#o.maxSeedsPerSecond && dt > 0) {
        this.#setSeedRate(this.#seedRate + (this.#o.maxSeedsPerSecond / 20) * dt);
      }
      return;
    }
    // Let the last cut show: the queue it left still drains after it.
    const sinceShed = now - this.#lastShedAt;
    if (sinceShed < (this.#o.settleMs ?? 250) || (sinceShed < 4 * (this.#o.settleMs ?? 250) && backlog < 0.8 * this.#shedBacklog)) {
      return;
    }
    // Over the bound: shed a share of the admitted load that grows with the overshoot
    // (10% at the bound, up to half), busiest instruments first.
    const share = Math.min(0.5, 0.1 * (backlog / limit));
    admitted.sort((a, b) => b.rate - a.rate);
    let removed = 0;
    let n = 0;
    for (const e of admitted) {
      if (removed >= share * total && n > 0) break;
      removed += e.rate;
      n++;
      this.#p.shed(e, e.rate);
    }
    this.overloads++;
    this.shedByGovernor += n;
    this.#shedBacklog = backlog;
    this.overloaded(now);
  }

  /** An overload seen here or by a connection: re-seeds pause and restart slow. */
  overloaded(now = this.#p.now()): void {
    this.#lastShedAt = now;
    this.#setSeedRate(this.#o.minSeedsPerSecond);
  }

  #setSeedRate(r: number): void {
    const rate = Math.max(this.#o.minSeedsPerSecond, Math.min(this.#o.maxSeedsPerSecond, r));
    if (rate === this.#seedRate) return;
    this.#seedRate = rate;
    this.#p.seedRate(rate);
  }
}
