/**
 * The request side of one socket session: what the venue holds from this session, what is queued
 * to send, and which requests await an answer. Queued work is coalesced (a burst of subscribe
 * calls becomes one request per venue limit), deduplicated (a stream held or queued is never sent
 * again; subscribe then unsubscribe before sending sends nothing) and sent only when the rate
 * limiter allows. Answers are matched by echoed id, else in send order. A fresh socket starts a
 * fresh session (`reset`).
 */

import type { ControlEvent, DialectOptions, OutgoingRequest, RequestOp, StreamRef, VenueDialect } from '../venues/types.js';
import type { RateLimiter } from './rate-limit.js';
import type { Counters } from './stats.js';
import { streamKey } from './subscriptions.js';

export interface SessionHooks {
  send(text: string): void;
  /** The venue confirmed a subscription (or it was already held). */
  onStreamAck(ref: StreamRef): void;
  onStreamFailed(ref: StreamRef, reason: string): void;
  /** Call pump() again in `ms` (rate limit). */
  schedule(ms: number): void;
}

interface Outstanding {
  readonly req: OutgoingRequest;
  readonly sentAt: number;
  readonly pending: Map<string, StreamRef>;
}

/** Fallback pause after a rate-limit answer that gives no hint. */
const RATE_LIMIT_PAUSE_MS = 1000;

export class Session {
  readonly #dialect: VenueDialect;
  readonly #opts: DialectOptions;
  readonly #limiter: RateLimiter;
  readonly #stats: Counters;
  readonly #hooks: SessionHooks;
  readonly #nextId: () => number;
  /** Streams the venue holds (or will, once answered) from this session. */
  readonly #sent = new Map<string, 'pending' | 'acked'>();
  readonly #subQ = new Map<string, StreamRef>();
  readonly #unsubQ = new Map<string, StreamRef>();
  readonly #snapQ = new Map<string, StreamRef>();
  readonly #openQ: OutgoingRequest[] = [];
  /** Unsubscribe queued as the first half of a resubscribe. */
  readonly #resubAfter = new Set<string>();
  readonly #outstanding: Outstanding[] = [];

  constructor(
    dialect: VenueDialect,
    opts: DialectOptions,
    limiter: RateLimiter,
    stats: Counters,
    hooks: SessionHooks,
    nextId: () => number,
  ) {
    this.#dialect = dialect;
    this.#opts = opts;
    this.#limiter = limiter;
    this.#stats = stats;
    this.#hooks = hooks;
    this.#nextId = nextId;
  }

  reset(): void {
    this.#sent.clear();
    this.#subQ.clear();
    this.#unsubQ.clear();
    this.#snapQ.clear();
    this.#openQ.length = 0;
    this.#resubAfter.clear();
    this.#outstanding.length = 0;
  }

  /** No subscribe waiting to be sent or answered: the session holds what it was asked to. */
  get settled(): boolean {
    return (
      this.#subQ.size === 0 && this.#openQ.length === 0 && !this.#outstanding.some((o) => o.req.op === 'subscribe' || o.req.op === 'open')
    );
  }

  get oldestOutstandingAt(): number {
    return this.#outstanding[0]?.sentAt ?? Number.POSITIVE_INFINITY;
  }

  get queued(): number {
    return this.#subQ.size + this.#unsubQ.size + this.#snapQ.size + this.#openQ.length;
  }

  open(reqs: readonly OutgoingRequest[]): void {
    this.#openQ.push(...reqs);
  }

  subscribe(ref: StreamRef): void {
    const key = streamKey(ref);
    if (this.#unsubQ.has(key)) {
      if (this.#resubAfter.has(key)) return; // the subscribe half follows
      this.#unsubQ.delete(key); // never sent: the venue still holds it
    }
    const held = this.#sent.get(key);
    if (held === 'acked') this.#hooks.onStreamAck(ref);
    else if (held === undefined) this.#subQ.set(key, ref);
  }

  unsubscribe(ref: StreamRef): void {
    const key = streamKey(ref);
    this.#resubAfter.delete(key);
    this.#snapQ.delete(key);
    if (this.#subQ.delete(key)) return; // never sent
    if (this.#sent.has(key)) this.#unsubQ.set(key, ref);
  }

  /** Unsubscribe then subscribe on the live socket (a fresh snapshot on snapshot-on-subscribe venues). */
  resubscribe(ref: StreamRef): void {
    const key = streamKey(ref);
    if (this.#subQ.has(key) || this.#resubAfter.has(key)) return;
    if (!this.#sent.has(key)) {
      this.#subQ.set(key, ref);
      return;
    }
    this.#unsubQ.set(key, ref);
    this.#resubAfter.add(key);
  }

  /** A fresh snapshot through the venue's snapshot request (only for held, answered streams). */
  snapshot(ref: StreamRef): void {
    const key = streamKey(ref);
    if (this.#sent.get(key) === 'acked' && !this.#unsubQ.has(key)) this.#snapQ.set(key, ref);
  }

  /** Sends queued work while the limiter allows; asks to be called again when it does not. */
  pump(now: number): void {
    for (;;) {
      const op: RequestOp | null =
        this.#openQ.length > 0
          ? 'open'
          : this.#unsubQ.size > 0
            ? 'unsubscribe'
            : this.#subQ.size > 0
              ? 'subscribe'
              : this.#snapQ.size > 0
                ? 'snapshot'
                : null;
      if (op === null) return;
      const wait = this.#limiter.waitMs(now);
      if (wait > 0) {
        this.#hooks.schedule(wait);
        return;
      }
      const req = this.#take(op);
      if (req === null) continue;
      this.#limiter.record(now);
      this.#hooks.send(req.text);
      this.#account(req, now);
    }
  }

  #take(op: RequestOp): OutgoingRequest | null {
    if (op === 'open') return this.#openQ.shift() ?? null;
    const q = op === 'subscribe' ? this.#subQ : op === 'unsubscribe' ? this.#unsubQ : this.#snapQ;
    const items = [...q.values()];
    const reqs =
      op === 'snapshot'
        ? (this.#dialect.snapshotRequests(items, this.#nextId) ?? [])
        : this.#dialect.requests(op, items, this.#nextId, this.#opts);
    const first = reqs[0];
    if (!first || first.items.length === 0) {
      q.clear(); // nothing the venue can be asked for: never send an empty list
      return null;
    }
    for (const it of first.items) q.delete(streamKey(it));
    return first;
  }

  #account(req: OutgoingRequest, now: number): void {
    const pending = new Map<string, StreamRef>();
    for (const it of req.items) pending.set(streamKey(it), it);
    switch (req.op) {
      case 'subscribe':
        this.#stats.subscribeRequests++;
        this.#stats.streamsSubscribed += req.items.length;
        for (const key of pending.keys()) {
          if (this.#sent.has(key)) this.#stats.duplicateSubscribeSends++;
          this.#sent.set(key, 'pending');
        }
        break;
      case 'unsubscribe':
        this.#stats.unsubscribeRequests++;
        for (const [key, ref] of pending) {
          this.#sent.delete(key);
          if (this.#resubAfter.delete(key)) {
            this.#stats.resubscribes++;
            this.#subQ.set(key, ref);
          }
        }
        break;
      case 'snapshot':
        this.#stats.snapshotRequests++;
        break;
      default:
        break;
    }
    if (req.answered) this.#outstanding.push({ req, sentAt: now, pending });
  }

  onControl(ev: ControlEvent, now: number): void {
    if (ev.type !== 'ack' && ev.type !== 'error') return;
    const idx = ev.id === null ? (this.#outstanding.length > 0 ? 0 : -1) : this.#outstanding.findIndex((o) => o.req.id === ev.id);
    const o = idx >= 0 ? this.#outstanding[idx] : undefined;
    if (ev.type === 'error') {
      this.#stats.venueErrors++;
      if (ev.rateLimited) {
        this.#stats.venueRateLimited++;
        this.#limiter.pauseUntil(now + (ev.retryAfterMs > 0 ? ev.retryAfterMs : RATE_LIMIT_PAUSE_MS));
      }
    }
    if (!o) return;
    const keys = ev.items === null ? [...o.pending.keys()] : ev.items.map(streamKey).filter((k) => o.pending.has(k));
    const op = o.req.op;
    for (const key of keys) {
      const ref = o.pending.get(key) as StreamRef;
      o.pending.delete(key);
      if (ev.type === 'ack') {
        if (op === 'subscribe' && this.#sent.get(key) === 'pending') {
          this.#sent.set(key, 'acked');
          this.#hooks.onStreamAck(ref);
        }
      } else if (op === 'subscribe') {
        if (!this.#sent.has(key)) continue; // unsubscribed meanwhile
        this.#sent.delete(key);
        if (ev.rateLimited) this.#subQ.set(key, ref);
        else this.#hooks.onStreamFailed(ref, ev.reason);
      } else if (ev.rateLimited && op === 'unsubscribe') this.#unsubQ.set(key, ref);
      else if (ev.rateLimited && op === 'snapshot') this.#snapQ.set(key, ref);
    }
    if (ev.type === 'ack') this.#stats.venueDuplicateSubscriptions += ev.duplicates;
    if (o.pending.size === 0 || ev.items === null) this.#outstanding.splice(idx, 1);
    if (ev.type === 'error' && ev.rateLimited && op === 'open') this.#openQ.unshift(o.req);
  }
}
