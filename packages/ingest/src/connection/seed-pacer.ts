/**
 * Paces the work that seeds books: subscriptions that bring a snapshot, snapshot requests, REST
 * snapshot fetches. Thousands of books seeding at once (start-up, a reconnect, instruments shed
 * under overload) would put thousands of full snapshots in front of live deltas; instead seeds
 * leave at most `perSecond` a second (token bucket with `burst`), and none while the consumer of
 * the frames is behind (the gate): live data first, so re-seeding cannot become a storm.
 *
 * One job per key (instrument): enqueueing a key already waiting replaces its job and keeps its
 * place, so a book asking twice, or a reconnect re-queueing a restore, never seeds twice.
 */

export interface SeedPacerOptions {
  /** Seeds released per second. */
  readonly perSecond: number;
  /** Seeds that may leave at once after a quiet period. */
  readonly burst: number;
  /** False while seeds must wait (the frames' consumer is behind). */
  readonly gate: () => boolean;
  /** Monotonic clock in ms. */
  readonly now?: () => number;
  /** How often a waiting queue is retried (ms). */
  readonly retryMs?: number;
}

export class SeedPacer {
  readonly #perMs: number;
  readonly #burst: number;
  readonly #gate: () => boolean;
  readonly #now: () => number;
  readonly #retryMs: number;
  readonly #jobs = new Map<number, () => void>();
  #tokens: number;
  #at: number;
  #timer: NodeJS.Timeout | null = null;
  #stopped = false;
  /** Seeds released so far. */
  released = 0;
  /** Times the gate held seeds back because live data was behind. */
  gated = 0;

  constructor(o: SeedPacerOptions) {
    if (!(Number.isFinite(o.perSecond) && o.perSecond > 0)) throw new RangeError(`options.perSecond must be > 0, got ${o.perSecond}`);
    if (!(Number.isInteger(o.burst) && o.burst >= 1)) throw new RangeError(`options.burst must be an integer >= 1, got ${o.burst}`);
    if (typeof o.gate !== 'function') throw new TypeError('options.gate must be a function');
    this.#perMs = o.perSecond / 1000;
    this.#burst = o.burst;
    this.#gate = o.gate;
    this.#now = o.now ?? (() => performance.now());
    this.#retryMs = o.retryMs ?? 10;
    this.#tokens = o.burst;
    this.#at = this.#now();
  }

  /** Seeds waiting. */
  get queued(): number {
    return this.#jobs.size;
  }

  has(key: number): boolean {
    return this.#jobs.has(key);
  }

  /** Queues (or replaces) the seed of `key` and releases what the budget allows now. */
  enqueue(key: number, job: () => void): void {
    if (this.#stopped) return;
    this.#jobs.set(key, job);
    this.pump();
  }

  cancel(key: number): void {
    this.#jobs.delete(key);
  }

  /** Releases seeds while tokens last and the gate is open; returns how many left. */
  pump(): number {
    if (this.#stopped || this.#jobs.size === 0) return 0;
    const now = this.#now();
    this.#tokens = Math.min(this.#burst, this.#tokens + (now - this.#at) * this.#perMs);
    this.#at = now;
    let n = 0;
    if (this.#tokens >= 1 && !this.#gate()) this.gated++;
    else {
      for (const [key, job] of this.#jobs) {
        if (this.#tokens < 1) break;
        this.#jobs.delete(key);
        this.#tokens -= 1;
        n++;
        job();
      }
    }
    this.released += n;
    if (this.#jobs.size > 0) this.#later();
    return n;
  }

  stop(): void {
    this.#stopped = true;
    this.#jobs.clear();
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
  }

  #later(): void {
    if (this.#timer !== null) return;
    const wait = this.#tokens >= 1 ? this.#retryMs : Math.max(this.#retryMs, (1 - this.#tokens) / this.#perMs);
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.pump();
    }, wait);
    this.#timer.unref();
  }
}
