/**
 * REST book snapshots for venues that seed books that way (Binance; the embedded exchange on
 * request). Requests are deduplicated per instrument, run `concurrency` at a time, and honour
 * HTTP 429/418 with Retry-After by pausing the whole queue (the limit is per IP, not per path).
 * The body goes downstream untouched as a RestResponse raw frame whose context is path + query.
 */

import { Backoff, parseRetryAfter, type Random } from './backoff.js';
import type { IngestConfig } from './config.js';
import { withCredentials } from './redact.js';
import type { Counters } from './stats.js';

export type FetchLike = (url: string, init: { signal: AbortSignal; headers?: Readonly<Record<string, string>> }) => Promise<Response>;

export interface RestSink {
  /** Emits the body as a RestResponse frame (and flushes). */
  emitRest(connId: number, path: string, body: Uint8Array): void;
  log(level: 'debug' | 'info' | 'warn' | 'error', msg: string, data?: Record<string, unknown>): void;
}

interface Job {
  readonly instrument: number;
  readonly connId: number;
  readonly path: string;
  attempts: number;
  cancelled: boolean;
}

export class RestSnapshots {
  readonly #base: string;
  readonly #headers: Readonly<Record<string, string>> | undefined;
  readonly #cfg: IngestConfig;
  readonly #sink: RestSink;
  readonly #stats: Counters;
  readonly #fetch: FetchLike;
  readonly #backoff: Backoff;
  readonly #queue: Job[] = [];
  readonly #queued = new Set<number>();
  readonly #inFlight = new Map<number, { ctl: AbortController; job: Job }>();
  /** Asked again while in flight: fetch once more afterwards (the book wants a newer one). */
  readonly #again = new Map<number, Job>();
  #pausedUntil = 0;
  #timer: NodeJS.Timeout | null = null;
  #stopped = false;

  constructor(
    baseUrl: string,
    cfg: IngestConfig,
    sink: RestSink,
    stats: Counters,
    fetchImpl: FetchLike,
    random: Random,
    headers?: Readonly<Record<string, string>>,
  ) {
    // fetch() refuses user info in URLs: it travels as HTTP Basic credentials.
    const creds = withCredentials(baseUrl.replace(/\/+$/, ''), headers);
    this.#base = creds.url.replace(/\/+$/, '');
    this.#headers = creds.headers;
    this.#cfg = cfg;
    this.#sink = sink;
    this.#stats = stats;
    this.#fetch = fetchImpl;
    this.#backoff = new Backoff(cfg.backoff, random);
  }

  get pending(): number {
    return this.#queue.length + this.#inFlight.size;
  }

  request(instrument: number, connId: number, path: string): void {
    if (this.#stopped) return;
    const job: Job = { instrument, connId, path, attempts: 0, cancelled: false };
    if (this.#inFlight.has(instrument)) {
      this.#again.set(instrument, job);
      return;
    }
    if (this.#queued.has(instrument)) return;
    this.#queued.add(instrument);
    this.#queue.push(job);
    this.#pump();
  }

  /** Drops a queued request (instrument unsubscribed). An in-flight one is aborted. */
  cancel(instrument: number): void {
    if (this.#queued.delete(instrument)) {
      const i = this.#queue.findIndex((j) => j.instrument === instrument);
      if (i >= 0) this.#queue.splice(i, 1);
    }
    this.#again.delete(instrument);
    const f = this.#inFlight.get(instrument);
    if (f) {
      f.job.cancelled = true;
      f.ctl.abort();
    }
  }

  stop(): void {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    for (const f of this.#inFlight.values()) f.ctl.abort();
    this.#queue.length = 0;
    this.#queued.clear();
    this.#again.clear();
  }

  #pump(): void {
    if (this.#stopped || this.#timer) return;
    const wait = this.#pausedUntil - Date.now();
    if (wait > 0) {
      this.#timer = setTimeout(() => {
        this.#timer = null;
        this.#pump();
      }, wait);
      return;
    }
    while (this.#inFlight.size < this.#cfg.restConcurrency && this.#queue.length > 0) {
      const job = this.#queue.shift() as Job;
      this.#queued.delete(job.instrument);
      void this.#run(job);
    }
  }

  async #run(job: Job): Promise<void> {
    const ctl = new AbortController();
    this.#inFlight.set(job.instrument, { ctl, job });
    const timeout = setTimeout(() => ctl.abort(), this.#cfg.connectTimeoutMs + this.#cfg.ackTimeoutMs);
    this.#stats.restRequests++;
    let retryMs = -1;
    try {
      const res = await this.#fetch(this.#base + job.path, { signal: ctl.signal, ...(this.#headers ? { headers: this.#headers } : {}) });
      if (res.status === 429 || res.status === 418) {
        this.#stats.restRateLimited++;
        const hint = parseRetryAfter(res.headers.get('retry-after'));
        // No hint: wait one backoff step; never hammer a venue that said stop.
        this.#pausedUntil = Date.now() + Math.max(hint, this.#backoff.next());
        await res.body?.cancel();
        this.#sink.log('warn', 'REST rate limited', { status: res.status, retryAfterMs: this.#pausedUntil - Date.now() });
        retryMs = 0; // requeue without counting an attempt
      } else if (!res.ok) {
        await res.body?.cancel();
        this.#stats.restErrors++;
        if (res.status >= 500 && ++job.attempts < this.#cfg.restMaxAttempts) retryMs = this.#backoff.next();
        else this.#sink.log('warn', 'REST snapshot failed', { status: res.status, path: job.path });
      } else {
        const body = new Uint8Array(await res.arrayBuffer());
        this.#backoff.reset();
        if (!this.#stopped && !job.cancelled) {
          this.#stats.restSnapshots++;
          this.#sink.emitRest(job.connId, job.path, body);
        }
      }
    } catch (err) {
      if (!this.#stopped && !job.cancelled) {
        this.#stats.restErrors++;
        if (++job.attempts < this.#cfg.restMaxAttempts) retryMs = this.#backoff.next();
        else this.#sink.log('warn', 'REST snapshot failed', { path: job.path, error: (err as Error).message });
      }
    } finally {
      clearTimeout(timeout);
      this.#inFlight.delete(job.instrument);
    }
    if (this.#stopped) return;
    if (job.cancelled) retryMs = -1;
    const again = this.#again.get(job.instrument);
    if (again) {
      this.#again.delete(job.instrument);
      this.request(again.instrument, again.connId, again.path);
    } else if (retryMs === 0) {
      this.#queued.add(job.instrument);
      this.#queue.unshift(job);
    } else if (retryMs > 0) {
      setTimeout(() => {
        if (this.#stopped || this.#queued.has(job.instrument) || this.#inFlight.has(job.instrument)) return;
        this.#queued.add(job.instrument);
        this.#queue.push(job);
        this.#pump();
      }, retryMs).unref();
    }
    this.#pump();
  }
}
