/**
 * Paces the work that seeds books: subscriptions that bring a snapshot, snapshot requests, REST
 * snapshot fetches. Thousands of books seeding at once (start-up, a reconnect, instruments shed
 * under overload) would put thousands of full snapshots in front of live deltas; instead seeds
 * leave at most `perSecond` a second (token bucket with `burst`), and none while the consumer of
 * the frames is behind (the gate): live data first, so re-seeding cannot become a storm.
 *
 * One job per key (instrument): enqueueing a key already waiting replaces its job and keeps its
 * place, so a book asking twice, or a reconnect re-queueing a restore, never seeds twice. Cheaper
 * seeds leave first.
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

interface Job {
  readonly run: () => void;
  readonly cost: number;
  readonly order: number;
}

export class SeedPacer {
  #perMs: number;
  readonly #burst: number;
  readonly #gate: () => boolean;
  readonly #now: () => number;
  readonly #retryMs: number;
  readonly #jobs = new Map<number, Job>();
  /** Keys by cost then arrival; rebuilt when jobs were added since (entries may be stale). */
  #order: number[] = [];
  #sorted = true;
  #next = 0;
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

  /** Changes the rate (seeds/s); tokens already earned stay. */
  setRate(perSecond: number): void {
    if (!(Number.isFinite(perSecond) && perSecond > 0)) throw new RangeError(`perSecond must be > 0, got ${perSecond}`);
    const now = this.#now();
    this.#tokens = Math.min(this.#burst, this.#tokens + (now - this.#at) * this.#perMs);
    this.#at = now;
    this.#perMs = perSecond / 1000;
  }

  /** Seeds waiting. */
  get queued(): number {
    return this.#jobs.size;
  }

  has(key: number): boolean {
    return this.#jobs.has(key);
  }

  /**
   * Queues (or replaces) the seed of `key` and releases what the budget allows now. Cheaper
   * seeds leave first (`cost`: e.g. the book's frame rate, so the quietest books come back
   * first after shedding); equal costs in the order asked.
   */
  enqueue(key: number, job: () => void, cost = 0): void {
    if (this.#stopped) return;
    const had = this.#jobs.get(key);
    this.#jobs.set(key, { run: job, cost, order: had?.order ?? this.#next++ });
    if (had === undefined || had.cost !== cost) {
      this.#order.push(key);
      this.#sorted = false;
    }
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
    else if (this.#tokens >= 1) {
      if (!this.#sorted) this.#sort();
      const order = this.#order;
      let i = 0;
      for (; i < order.length && this.#tokens >= 1; i++) {
        const key = order[i] as number;
        const job = this.#jobs.get(key);
        if (job === undefined) continue;
        this.#jobs.delete(key);
        this.#tokens -= 1;
        n++;
        job.run();
      }
      order.splice(0, i);
    }
    this.released += n;
    if (this.#jobs.size > 0) this.#later();
    else this.#order.length = 0;
    return n;
  }

  stop(): void {
    this.#stopped = true;
    this.#jobs.clear();
    this.#order.length = 0;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
  }

  #sort(): void {
    const jobs = this.#jobs;
    const keys = [...new Set(this.#order)].filter((k) => jobs.has(k));
    keys.sort((a, b) => {
      const x = jobs.get(a) as Job;
      const y = jobs.get(b) as Job;
      return x.cost - y.cost || x.order - y.order;
    });
    this.#order = keys;
    this.#sorted = true;
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
