/**
 * One venue socket (a shard of a source) and its life: connect, restore every subscription it
 * owns, hand every frame downstream untouched, watch liveness, and on any loss reconnect with
 * backoff. A `feed` mark with `up: false` goes downstream the moment the socket is lost; `up: true`
 * once it is back and every subscription it owns is answered again.
 */

import type { Emitter } from '@tickline/runtime';
import { nowSplit, type SplitTime, splitMs } from '@tickline/wire';
import WebSocket from 'ws';
import type { DialectOptions, Peek, StreamRef, VenueDialect } from '../venues/types.js';
import { PeekKind } from '../venues/types.js';
import { Backoff, parseRetryAfter, type Random } from './backoff.js';
import type { IngestConfig } from './config.js';
import { HeartbeatMonitor } from './heartbeat.js';
import { RateLimiter, withMargin } from './rate-limit.js';
import { LagProbe } from './lag-probe.js';
import { Session } from './session.js';
import type { Counters } from './stats.js';
import type { SubscriptionEntry, SubscriptionTable } from './subscriptions.js';

export type LogFn = (level: 'debug' | 'info' | 'warn' | 'error', msg: string, data?: Record<string, unknown>) => void;

export interface ConnectionContext {
  readonly dialect: VenueDialect;
  readonly venueId: number;
  readonly url: string;
  readonly config: IngestConfig;
  readonly dialectOpts: DialectOptions;
  readonly table: SubscriptionTable;
  readonly stats: Counters;
  readonly random: Random;
  /** Shared by the source's connections: the venue counts connection attempts per IP. */
  readonly connectLimiter: RateLimiter;
  /** Shared request limiter where the venue counts requests per IP; null = one per connection. */
  readonly requestLimiter: RateLimiter | null;
  /** Planned reconnect after this long open (the venue's forced disconnect less a margin); 0 = never. */
  readonly maxAgeMs: () => number;
  emitter(): Emitter | null;
  /** Flush once at the end of this event-loop turn. */
  scheduleFlush(): void;
  onStreamAck(conn: VenueConnection, ref: StreamRef): void;
  onStreamFailed(conn: VenueConnection, ref: StreamRef, reason: string): void;
  /** The socket is open again: subscribe every stream this connection owns (seeds paced). */
  restore(conn: VenueConnection): void;
  /** Book seeds of this connection still waiting in the pacer (the feed is not up before). */
  seedsWaiting(conn: VenueConnection): number;
  /** Data of `e` is being lost (overload): shed the instrument until its paced re-seed. */
  shed(conn: VenueConnection, e: SubscriptionEntry): void;
  /** Observes every reconnect delay drawn (benchmarks, tests). */
  onBackoff?: ((delayMs: number, attempt: number, hintMs: number) => void) | undefined;
  log: LogFn;
}

type State = 'idle' | 'waiting' | 'connecting' | 'open' | 'stopped';

interface MutableFrame {
  venue: number;
  connId: number;
  recvS: number;
  recvNs: number;
  frameSeq: number;
  kind: number;
  context: string | null;
  bytes: Uint8Array;
}

export class VenueConnection {
  readonly index: number;
  readonly connId: number;
  readonly #ctx: ConnectionContext;
  readonly #backoff: Backoff;
  readonly #limiter: RateLimiter;
  readonly #heartbeat: HeartbeatMonitor;
  readonly session: Session;
  readonly #frame: MutableFrame;
  readonly #peek: Peek = { kind: PeekKind.Other, symbol: '' };
  readonly #t: SplitTime = { s: 0, ns: 0 };
  #ws: WebSocket | null = null;
  #state: State = 'idle';
  #feedUp = false;
  #opens = 0;
  #frameSeq = 0;
  #reqId = 0;
  #closeReason = '';
  #retryHintMs = 0;
  #tick: NodeJS.Timeout | null = null;
  #retry: NodeJS.Timeout | null = null;
  #pumpTimer: NodeJS.Timeout | null = null;
  #stable: NodeJS.Timeout | null = null;
  #ageTimer: NodeJS.Timeout | null = null;
  /** The next reconnect is planned (connection age): no backoff. */
  #planned = false;
  #closed: (() => void) | null = null;
  #kickQueued = false;
  /** How far behind this socket is read (WebSocket ping round trips; see LagProbe). */
  readonly lag: LagProbe;
  #lastProbeAt = Number.NEGATIVE_INFINITY;
  /** Frames received on this connection, and the count when the last probe left. */
  #framesIn = 0;
  #framesAtProbe = 0;

  constructor(ctx: ConnectionContext, index: number) {
    this.#ctx = ctx;
    this.index = index;
    this.connId = ctx.config.connIdBase + index;
    this.#backoff = new Backoff(ctx.config.backoff, ctx.random);
    const lim = ctx.config.limits;
    this.#limiter = ctx.requestLimiter ?? new RateLimiter(lim ? [lim] : withMargin(ctx.dialect.requestLimits));
    this.#heartbeat = new HeartbeatMonitor(ctx.config.heartbeatIntervalMs, ctx.config.heartbeatTimeoutMs);
    this.lag = new LagProbe(ctx.config.heartbeatTimeoutMs, ctx.config.maxBacklogMs);
    this.#frame = {
      venue: ctx.venueId,
      connId: this.connId,
      recvS: 0,
      recvNs: 0,
      frameSeq: 0,
      kind: 0,
      context: null,
      bytes: new Uint8Array(0),
    };
    this.session = new Session(
      ctx.dialect,
      ctx.dialectOpts,
      this.#limiter,
      ctx.stats,
      {
        send: (text) => this.#ws?.send(text),
        onStreamAck: (ref) => ctx.onStreamAck(this, ref),
        onStreamFailed: (ref, reason) => ctx.onStreamFailed(this, ref, reason),
        schedule: (ms) => this.#schedulePump(ms),
      },
      () => ++this.#reqId,
    );
  }

  get up(): boolean {
    return this.#feedUp;
  }

  get open(): boolean {
    return this.#state === 'open';
  }

  /** Times the socket opened: a job queued for one opening is void after the next. */
  get epoch(): number {
    return this.#opens;
  }

  /** Next frame sequence number of this connection (REST frames share the counter). */
  nextFrameSeq(): number {
    return ++this.#frameSeq;
  }

  start(): void {
    if (this.#state !== 'idle') return;
    this.#connect();
  }

  /** Closes for good; resolves once the socket is closed. */
  stop(): Promise<void> {
    if (this.#state === 'stopped') return Promise.resolve();
    const ws = this.#ws;
    this.#state = 'stopped';
    this.#clearTimers();
    if (this.#retry) clearTimeout(this.#retry);
    this.#retry = null;
    if (!ws || ws.readyState === WebSocket.CLOSED) {
      this.#markDown('stopped');
      return Promise.resolve();
    }
    this.#closeReason = 'stopped';
    return new Promise((resolve) => {
      this.#closed = resolve;
      ws.terminate();
    });
  }

  /** Forces a disconnect (as a network loss would); the connection reconnects. */
  drop(reason = 'dropped'): void {
    if (this.#ws && this.#state !== 'stopped') {
      this.#closeReason = reason;
      this.#ws.terminate();
    }
  }

  subscribe(refs: readonly StreamRef[]): void {
    for (const r of refs) this.session.subscribe(r);
    this.#kick();
  }

  unsubscribe(refs: readonly StreamRef[]): void {
    for (const r of refs) this.session.unsubscribe(r);
    this.#kick();
  }

  resubscribe(refs: readonly StreamRef[]): void {
    for (const r of refs) this.session.resubscribe(r);
    this.#kick();
  }

  snapshot(refs: readonly StreamRef[]): void {
    for (const r of refs) this.session.snapshot(r);
    this.#kick();
  }

  #connect(): void {
    if (this.#state === 'stopped') return;
    const now = Date.now();
    const wait = this.#ctx.connectLimiter.waitMs(now);
    if (wait > 0) {
      this.#state = 'waiting';
      this.#retry = setTimeout(() => this.#connect(), wait);
      return;
    }
    this.#ctx.connectLimiter.record(now);
    this.#state = 'connecting';
    this.#ctx.stats.connectAttempts++;
    this.#closeReason = '';
    const cfg = this.#ctx.config;
    const ws = new WebSocket(this.#ctx.url, { perMessageDeflate: cfg.perMessageDeflate, handshakeTimeout: cfg.connectTimeoutMs });
    this.#ws = ws;
    ws.on('unexpected-response', (_req, res) => {
      const status = res.statusCode ?? 0;
      this.#ctx.stats.upgradeRejected++;
      if (status === 429 || status === 418) {
        this.#ctx.stats.upgradeRateLimited++;
        this.#retryHintMs = parseRetryAfter(res.headers['retry-after']);
      }
      this.#closeReason = `upgrade ${status}`;
      res.resume();
      ws.terminate();
    });
    ws.on('open', () => this.#onOpen(ws));
    ws.on('message', (data: Buffer, isBinary: boolean) => this.#onMessage(data, isBinary));
    ws.on('pong', (data: Buffer) => {
      const now = performance.now();
      this.#heartbeat.touch(now);
      this.lag.answer(data, now);
    });
    ws.on('ping', () => this.#heartbeat.touch(performance.now()));
    ws.on('error', (err: Error) => {
      if (!this.#closeReason) this.#closeReason = `error: ${err.message}`;
    });
    ws.on('close', (code: number) => this.#onClose(ws, code));
  }

  #onOpen(ws: WebSocket): void {
    if (ws !== this.#ws || this.#state === 'stopped') return;
    const ctx = this.#ctx;
    this.#state = 'open';
    ctx.stats.connects++;
    ctx.stats.connections++;
    if (this.#opens++ > 0) ctx.stats.reconnects++;
    this.#heartbeat.reset(performance.now());
    this.lag.reset();
    if (ctx.requestLimiter === null) this.#limiter.resetWindows();
    this.session.reset();
    this.session.open(ctx.dialect.openRequests(() => ++this.#reqId));
    // Restore: every stream this shard owns that the venue has not refused (book seeds paced).
    ctx.restore(this);
    const period = Math.max(10, Math.min(1000, tickPeriod(ctx.config)));
    this.#tick = setInterval(() => this.#onTick(), period);
    this.#stable = setTimeout(() => this.#backoff.reset(), ctx.config.backoff.resetAfterMs);
    const age = ctx.maxAgeMs();
    if (age > 0) {
      this.#ageTimer = setTimeout(() => {
        // Before the venue's forced disconnect: reconnect now, on our terms, without backoff.
        ctx.stats.plannedReconnects++;
        this.#planned = true;
        this.drop('max_connection_age');
      }, age);
      this.#ageTimer.unref();
    }
    this.#kick();
  }

  #onMessage(data: Buffer, isBinary: boolean): void {
    const now = performance.now();
    const ctx = this.#ctx;
    this.#heartbeat.touch(now);
    this.#framesIn++;
    ctx.stats.frames++;
    ctx.stats.bytes += data.length;
    const p = this.#peek;
    ctx.dialect.peek(data, p);
    let e: SubscriptionEntry | undefined;
    if (p.kind === PeekKind.Data) {
      e = ctx.table.byFrameSymbol(p.symbol);
      if (e !== undefined) e.lastUpdateMs = now;
      else ctx.stats.unroutedFrames++;
    }
    const emit = ctx.emitter();
    if (emit) this.#hand(emit, data, isBinary, now, e);
    if (p.kind === PeekKind.Control) {
      ctx.stats.controlFrames++;
      const ev = ctx.dialect.control(data.toString('utf8'));
      if (ev) {
        this.session.onControl(ev, Date.now());
        this.#kick();
      }
    }
  }

  /**
   * Hands one frame downstream, or drops it: the socket is always read, whatever happens
   * downstream, so the venue never has a reason to drop a slow consumer. Frames of a shed
   * instrument are dropped until its re-seed (the load governor decides what to shed); a frame
   * the queue refuses (full) sheds its instrument too.
   */
  #hand(emit: Emitter, data: Buffer, isBinary: boolean, now: number, e: SubscriptionEntry | undefined): void {
    const ctx = this.#ctx;
    if (e !== undefined) {
      e.frames++;
      if (e.shed) {
        ctx.stats.shedFrames++;
        return;
      }
    }
    const f = this.#frame;
    splitMs(performance.timeOrigin + now, this.#t);
    f.recvS = this.#t.s;
    f.recvNs = this.#t.ns;
    f.frameSeq = ++this.#frameSeq;
    f.kind = isBinary ? 1 : 0;
    f.context = null;
    f.bytes = data;
    if (emit.offerFrame === undefined) emit.rawFrame(f);
    else if (!emit.offerFrame(f)) {
      ctx.stats.refusedFrames++;
      if (e !== undefined) ctx.shed(this, e);
    }
    ctx.scheduleFlush();
  }

  /**
   * Sends a lag probe if none is out, `everyMs` has passed since the last and frames came in
   * since (a silent connection has no backlog, and its liveness is the heartbeat's to check).
   * Where the venue counts ping frames against its request limit, at most one a second, through
   * the limiter. The governor calls it at each look.
   */
  probeLag(nowMs: number, everyMs: number): void {
    const d = this.#ctx.dialect;
    const counted = d.pingFramesCount ?? d.pingsCountAsRequests;
    const every = counted ? Math.max(everyMs, 1000) : everyMs;
    if (this.#state !== 'open' || !this.#ws || this.lag.outstanding || nowMs - this.#lastProbeAt < every) return;
    if (this.#framesIn === this.#framesAtProbe) return;
    if (counted) {
      if (this.#limiter.waitMs(Date.now()) > 0) return;
      this.#limiter.record(Date.now());
    }
    this.#lastProbeAt = nowMs;
    this.#framesAtProbe = this.#framesIn;
    this.#ws.ping(this.lag.start(nowMs));
  }

  #onTick(): void {
    if (this.#state !== 'open' || !this.#ws) return;
    const now = performance.now();
    const verdict = this.#heartbeat.check(now);
    if (verdict === 'dead') {
      this.#ctx.stats.heartbeatTimeouts++;
      this.#ctx.stats.heartbeatSilenceMs += Math.round(now - this.#heartbeat.silentSince);
      this.drop('heartbeat_timeout');
      return;
    }
    const counted = this.#ctx.dialect.pingsCountAsRequests;
    if (verdict === 'ping' && (!counted || this.#limiter.waitMs(Date.now()) === 0)) {
      if (counted) this.#limiter.record(Date.now());
      const text = this.#ctx.dialect.ping(() => ++this.#reqId);
      if (text === null) this.#ws.ping();
      else this.#ws.send(text);
      this.#ctx.stats.pingsSent++;
    }
    if (Date.now() - this.session.oldestOutstandingAt > this.#ctx.config.ackTimeoutMs) {
      // A venue that stops answering requests is broken: start a clean session.
      this.#ctx.stats.ackTimeouts++;
      this.drop('ack_timeout');
    }
  }

  #onClose(ws: WebSocket, code: number): void {
    if (ws !== this.#ws) return;
    this.#ws = null;
    this.#clearTimers();
    const ctx = this.#ctx;
    const wasOpen = this.#state === 'open';
    if (wasOpen) {
      ctx.stats.disconnects++;
      ctx.stats.connections--;
    }
    this.session.reset();
    // The venue forgot everything: every stream this shard owns is pending again.
    for (const e of ctx.table.entriesOn(this.index)) {
      for (const ref of e.streams) if (e.states.get(ref.channel) === 'active') ctx.table.setState(e, ref.channel, 'pending');
    }
    const reason = this.#closeReason || `closed ${code}`;
    this.#markDown(reason);
    if (this.#state === 'stopped') {
      this.#closed?.();
      this.#closed = null;
      return;
    }
    const hint = this.#retryHintMs;
    this.#retryHintMs = 0;
    const attempt = this.#backoff.attempt;
    if (this.#planned) {
      this.#planned = false;
      ctx.log('info', 'connection age limit: reconnecting', { connId: this.connId });
      this.#state = 'waiting';
      this.#connect();
      return;
    }
    const delay = this.#backoff.next(hint);
    ctx.stats.lastBackoffMs = delay;
    ctx.stats.minBackoffMs = ctx.stats.minBackoffMs === 0 ? delay : Math.min(ctx.stats.minBackoffMs, delay);
    ctx.stats.maxBackoffMs = Math.max(ctx.stats.maxBackoffMs, delay);
    ctx.onBackoff?.(delay, attempt, hint);
    // A lost connection, or a first attempt that fails, is a warning; the retries after it are progress.
    ctx.log(wasOpen || attempt === 0 ? 'warn' : 'info', wasOpen ? 'connection lost, reconnecting' : 'connection attempt failed, retrying', {
      connId: this.connId,
      reason,
      delayMs: delay,
      attempt,
    });
    this.#state = 'waiting';
    this.#retry = setTimeout(() => {
      this.#retry = null;
      this.#connect();
    }, delay);
  }

  /**
   * Sends what can be sent, then checks whether the feed is restored. Deferred to the end of the
   * turn, so a burst of subscribe/unsubscribe calls becomes as few requests as the venue allows.
   */
  /** Sends what can be sent and checks whether the feed is restored (at the end of the turn). */
  kick(): void {
    this.#kick();
  }

  #kick(): void {
    if (this.#kickQueued) return;
    this.#kickQueued = true;
    queueMicrotask(() => {
      this.#kickQueued = false;
      this.#kickNow();
    });
  }

  #kickNow(): void {
    if (this.#state !== 'open') return;
    if (this.#pumpTimer === null) this.session.pump(Date.now());
    if (!this.#feedUp && this.session.settled && this.#ctx.seedsWaiting(this) === 0) this.#markUp();
  }

  #schedulePump(ms: number): void {
    if (this.#pumpTimer !== null) return;
    this.#pumpTimer = setTimeout(() => {
      this.#pumpTimer = null;
      this.#kickNow();
    }, ms);
  }

  #markUp(): void {
    this.#feedUp = true;
    this.#ctx.stats.feedUp++;
    const reason = this.#opens > 1 ? 'restored' : 'connected';
    this.#ctx.log('info', 'feed up', { connId: this.connId, reason });
    this.#mark(true, reason);
  }

  #markDown(reason: string): void {
    if (!this.#feedUp) return;
    this.#feedUp = false;
    this.#ctx.stats.feedDown++;
    this.#mark(false, reason);
  }

  #mark(up: boolean, reason: string): void {
    const emit = this.#ctx.emitter();
    if (!emit) return;
    const t = nowSplit(this.#t);
    emit.mark({ type: 'feed', venue: this.#ctx.venueId, connId: this.connId, up, reason, tsS: t.s, tsNs: t.ns });
    emit.flush();
  }

  #clearTimers(): void {
    if (this.#tick) clearInterval(this.#tick);
    if (this.#stable) clearTimeout(this.#stable);
    if (this.#ageTimer) clearTimeout(this.#ageTimer);
    this.#ageTimer = null;
    if (this.#pumpTimer) clearTimeout(this.#pumpTimer);
    this.#tick = this.#stable = this.#pumpTimer = null;
  }
}

/** Tick period: fine enough for the shortest of the heartbeat and ack deadlines. */
function tickPeriod(c: IngestConfig): number {
  return Math.min(c.heartbeatIntervalMs, c.heartbeatTimeoutMs / 4, c.ackTimeoutMs / 4);
}
