/**
 * The ingest source: the I/O core an ingest worker runs. It owns one venue's connections (one by
 * default, more when `maxInstrumentsPerConnection` or the venue's stream cap shards the set), the
 * desired subscription set, staleness checks and REST seeding, and emits raw frames and marks.
 */

import type { Emitter } from '@tickline/runtime';
import { type InstrumentSpec, isVenueName, nowSplit, type SplitTime, type VenueName, venueId } from '@tickline/wire';
import { dialectFor } from '../venues/index.js';
import { CHANNELS, type Channel, type StreamRef, type VenueDialect } from '../venues/types.js';
import { type IngestConfig, parseIngestConfig } from './config.js';
import { type ConnectionContext, type LogFn, VenueConnection } from './connection.js';
import { IngestError } from './errors.js';
import { RateLimiter, withMargin } from './rate-limit.js';
import { CodeResolver } from './resolve.js';
import { RestSnapshots } from './rest.js';
import { LoadGovernor } from './load-governor.js';
import { SeedPacer } from './seed-pacer.js';
import type {
  IngestSource,
  IngestSourceOptions,
  IngestStats,
  SubscribeResult,
  SubscriptionInfo,
  UnsubscribeResult,
} from './source-types.js';
import { type Counters, newCounters } from './stats.js';
import { entryState, type SubscriptionEntry, SubscriptionTable } from './subscriptions.js';

const noLog: LogFn = () => {};

/**
 * How long a connection may stay open before a planned reconnect: the configured age, else the
 * venue's forced-disconnect time less a jittered 5-15 minute margin (so shards do not all
 * reconnect at once), else never (0).
 */
function maxAgeMs(configured: number, venueLimit: number, random: () => number): number {
  if (configured > 0) return configured;
  if (venueLimit <= 0) return 0;
  return Math.max(venueLimit / 2, venueLimit - (5 + 10 * random()) * 60_000);
}

export function createIngestSource(opts: IngestSourceOptions): IngestSource {
  return new Source(opts);
}

class Source implements IngestSource {
  readonly #venue: VenueName;
  readonly #venueId: number;
  readonly #dialect: VenueDialect;
  readonly #cfg: IngestConfig;
  readonly #channels: readonly Channel[];
  readonly #seeding: 'rest' | 'subscribe';
  readonly #cap: number;
  readonly #table = new SubscriptionTable();
  readonly #stats: Counters = newCounters();
  readonly #conns: VenueConnection[] = [];
  readonly #ctx: ConnectionContext;
  readonly #rest: RestSnapshots | null;
  readonly #log: LogFn;
  readonly #hasSnapshotRequest: boolean;
  readonly #codes: CodeResolver;
  readonly #t: SplitTime = { s: 0, ns: 0 };
  readonly #feedWaiters = new Set<() => void>();
  readonly #pacer: SeedPacer;
  readonly #governor: LoadGovernor;
  #governorTimer: NodeJS.Timeout | null = null;
  /** Instruments whose book subscription waits in the pacer, and on which connection. */
  readonly #restoring = new Map<number, number>();
  /** How many of those per connection index (its feed is up only at 0). */
  readonly #seedsWaiting: number[] = [];
  #emit: Emitter | null = null;
  #flushQueued = false;
  /** Frames handed downstream since the last flush. */
  #unflushed = 0;
  #staleTimer: NodeJS.Timeout | null = null;
  #started = false;
  #stopped = false;

  constructor(o: IngestSourceOptions) {
    if (o === null || typeof o !== 'object') throw new TypeError('options must be an object');
    if (!isVenueName(o.venue)) throw new TypeError(`options.venue must be a venue name, got ${JSON.stringify(o.venue)}`);
    if (!o.registry || typeof o.registry.lookup !== 'function') throw new TypeError('options.registry must be an InstrumentRegistry');
    if (!Array.isArray(o.instruments)) throw new TypeError('options.instruments must be an array of venue codes');
    const channels = o.channels ?? CHANNELS;
    if (
      !Array.isArray(channels) ||
      channels.length === 0 ||
      channels.some((c) => !CHANNELS.includes(c)) ||
      new Set(channels).size !== channels.length
    )
      throw new TypeError(`options.channels must be a non-empty list of distinct ${CHANNELS.map((c) => `"${c}"`).join(', ')}`);
    this.#venue = o.venue;
    this.#venueId = venueId(o.venue);
    this.#dialect = dialectFor(o.venue);
    this.#codes = new CodeResolver(o.registry, o.venue);
    this.#channels = channels;
    this.#cfg = parseIngestConfig(o.config ?? {});
    this.#log = o.log ?? noLog;
    const cfg = this.#cfg;
    const d = this.#dialect;
    this.#seeding = cfg.seeding === 'venue' ? d.seeding : cfg.seeding;
    if (!d.seedingModes.includes(this.#seeding))
      throw new IngestError(
        'ERR_INGEST_INVALID_CONFIG',
        `seeding "${cfg.seeding}" is not supported by ${o.venue} (allowed: "venue", ${d.seedingModes.map((m) => `"${m}"`).join(', ')})`,
      );
    const url = o.url ?? d.url;
    if (typeof url !== 'string' || !/^wss?:\/\//.test(url))
      throw new TypeError(`options.url must be a ws:// or wss:// URL${d.url ? '' : ` (required for ${o.venue})`}`);
    this.#cap = Math.max(1, Math.min(cfg.maxInstrumentsPerConnection, Math.floor(d.maxStreamsPerConnection / channels.length)));
    this.#hasSnapshotRequest = d.snapshotRequests([], () => 0) !== null;
    const random = o.random ?? Math.random;
    this.#ctx = {
      dialect: d,
      venueId: this.#venueId,
      url,
      config: cfg,
      dialectOpts: { wsBookDepth: cfg.wsBookDepth, snapshotOnSubscribe: this.#seeding === 'subscribe' },
      table: this.#table,
      stats: this.#stats,
      random,
      connectLimiter: new RateLimiter(withMargin(d.connectLimits)),
      // Venues that count requests per IP get one limiter for all of this source's connections.
      requestLimiter: d.requestLimitScope === 'ip' ? new RateLimiter(cfg.limits ? [cfg.limits] : withMargin(d.requestLimits)) : null,
      maxAgeMs: () => maxAgeMs(cfg.maxConnectionAgeMs, d.maxConnectionMs, random),
      emitter: () => this.#emit,
      scheduleFlush: () => this.#scheduleFlush(),
      onStreamAck: (c, ref) => this.#onStreamAck(c, ref),
      onStreamFailed: (c, ref, reason) => this.#onStreamFailed(c, ref, reason),
      restore: (c) => {
        for (const e of this.#table.entriesOn(c.index)) this.#subscribeOn(c, e, true);
      },
      seedsWaiting: (c) => this.#seedsWaiting[c.index] ?? 0,
      shed: (c, e) => {
        this.#governor.overloaded();
        this.#shed(c, e, e.rate);
      },
      onBackoff: o.onBackoff,
      log: this.#log,
    };
    let rest: RestSnapshots | null = null;
    if (this.#seeding === 'rest') {
      const restUrl = o.restUrl ?? d.restUrlFor(url) ?? d.restUrl;
      if (!restUrl) throw new TypeError(`options.restUrl is required for REST seeding on ${o.venue}`);
      const sink = {
        emitRest: (connId: number, path: string, body: Uint8Array) => this.#emitRest(connId, path, body),
        log: this.#log,
      };
      rest = new RestSnapshots(restUrl, cfg, sink, this.#stats, o.fetch ?? ((u, init) => fetch(u, init)), random, o.restHeaders);
    }
    this.#rest = rest;
    this.#governor = new LoadGovernor(
      {
        maxBacklogMs: cfg.maxBacklogMs,
        seedBacklogMs: cfg.seedBacklogMs,
        intervalMs: cfg.shedIntervalMs,
        cooldownMs: cfg.seedCooldownMs,
        maxSeedsPerSecond: cfg.seedsPerSecond,
        minSeedsPerSecond: Math.max(1, cfg.seedsPerSecond / 40),
      },
      {
        backlogMs: () => this.#backlog(),
        consumed: () => this.#consumed(),
        entries: () => this.#table.entries(),
        shed: (e, rate) => {
          const conn = this.#conns[e.conn];
          if (conn) this.#shed(conn, e, rate);
        },
        seedRate: (r) => this.#pacer.setRate(r),
        now: () => performance.now(),
      },
    );
    // Seeds wait while the frames' consumer is behind or shedding was recent: live data first.
    this.#pacer = new SeedPacer({ perSecond: cfg.seedsPerSecond, burst: cfg.seedBurst, gate: () => this.#governor.seedsAllowed() });
    for (const spec of this.#codes.resolve(o.instruments)) if (!this.#table.get(spec.id)) this.#add(spec);
  }

  async start(emit: Emitter): Promise<void> {
    if (this.#stopped) throw new IngestError('ERR_INGEST_STOPPED', 'start() after stop()');
    if (this.#started) throw new IngestError('ERR_INGEST_ALREADY_STARTED', 'start() called twice');
    if (!emit || typeof emit.rawFrame !== 'function') throw new TypeError('emit must be an Emitter');
    this.#started = true;
    this.#emit = emit;
    if (this.#conns.length === 0) this.#conns.push(new VenueConnection(this.#ctx, 0));
    for (const c of this.#conns) c.start();
    if (this.#cfg.maxBacklogMs > 0) {
      this.#governorTimer = setInterval(() => {
        if (!this.#emit?.backlogMs) this.#probeLag();
        this.#governor.tick();
      }, this.#cfg.shedIntervalMs);
      this.#governorTimer.unref();
    }
    const stale = this.#cfg.staleAfterMs;
    if (stale > 0) {
      this.#staleTimer = setInterval(() => this.#checkStale(), Math.max(20, Math.min(1000, stale / 4)));
      this.#staleTimer.unref();
    }
    // Resolve once every connection is up (or after one connect + ack deadline; it keeps trying).
    await this.#waitFeed(() => this.#conns.every((c) => c.up), this.#cfg.connectTimeoutMs + this.#cfg.ackTimeoutMs);
  }

  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#pacer.stop();
    if (this.#governorTimer) clearInterval(this.#governorTimer);
    if (this.#staleTimer) clearInterval(this.#staleTimer);
    this.#rest?.stop();
    await Promise.all(this.#conns.map((c) => c.stop()));
    for (const w of this.#feedWaiters) w();
    this.#emit = null;
  }

  async subscribe(symbols: readonly string[]): Promise<SubscribeResult> {
    if (this.#stopped) throw new IngestError('ERR_INGEST_STOPPED', 'subscribe() after stop()');
    const specs = this.#codes.resolve(symbols);
    const added: string[] = [];
    const already: string[] = [];
    const touched = [];
    for (const spec of specs) {
      let e = this.#table.get(spec.id);
      if (e && entryState(e) === 'failed') {
        const retry = e.streams.filter((r) => e?.states.get(r.channel) === 'failed');
        for (const r of retry) this.#table.setState(e, r.channel, 'pending');
        this.#conns[e.conn]?.subscribe(retry);
        added.push(spec.symbol);
      } else if (e) already.push(spec.symbol);
      else {
        e = this.#add(spec);
        added.push(spec.symbol);
      }
      touched.push(e);
    }
    if (this.#started) await this.#table.waitSettled(touched, this.#cfg.ackTimeoutMs);
    const active: string[] = [];
    const pending: string[] = [];
    const failed: { symbol: string; reason: string }[] = [];
    for (const e of touched) {
      const s = entryState(e);
      if (s === 'active') active.push(e.symbol);
      else if (s === 'pending') pending.push(e.symbol);
      else failed.push({ symbol: e.symbol, reason: e.reason });
    }
    return { added, already, active, pending, failed };
  }

  async unsubscribe(symbols: readonly string[]): Promise<UnsubscribeResult> {
    if (this.#stopped) throw new IngestError('ERR_INGEST_STOPPED', 'unsubscribe() after stop()');
    const removed: string[] = [];
    const notSubscribed: string[] = [];
    for (const spec of this.#codes.resolve(symbols)) {
      const e = this.#table.get(spec.id);
      if (!e) {
        notSubscribed.push(spec.symbol);
        continue;
      }
      this.#unqueueSeed(e);
      this.#table.remove(e);
      this.#rest?.cancel(e.id);
      this.#conns[e.conn]?.unsubscribe(e.streams);
      removed.push(spec.symbol);
    }
    return { removed, notSubscribed };
  }

  resync(instrumentId: number): void {
    const e = this.#table.get(instrumentId);
    const conn = e ? this.#conns[e.conn] : undefined;
    if (!e || !conn || !e.states.has('book')) return;
    this.#stats.resyncs++;
    // While the socket is down the reconnect re-seeds every book anyway.
    if (!conn.open || e.states.get('book') !== 'active') return;
    this.#queueReseed(conn, e);
  }

  /** Re-seeds `e` when the pacer releases it (once, however often it is asked meanwhile). */
  #queueReseed(conn: VenueConnection, e: SubscriptionEntry, cost = 0): void {
    if (this.#pacer.has(e.id)) return; // the seed already waiting (restore or re-seed) will do
    const epoch = conn.epoch;
    this.#pacer.enqueue(
      e.id,
      () => {
        e.shed = false;
        if (conn.epoch !== epoch || !conn.open || this.#table.get(e.id) !== e) return;
        const book = e.streams.filter((r) => r.channel === 'book');
        if (e.parked) {
          // Subscribing again seeds it: with the snapshot the subscription brings, or (REST
          // seeding) with the snapshot its ack asks for. Resubscribe, not subscribe: if the
          // unsubscribe is still queued (rate limit) the venue never stopped the stream, and
          // only a new subscription brings a snapshot.
          e.parked = false;
          conn.resubscribe(e.streams);
        } else if (this.#rest) {
          const path = this.#restPath(e.symbol);
          if (path !== null) this.#rest.request(e.id, conn.connId, path);
        } else if (this.#hasSnapshotRequest) conn.snapshot(book);
        else conn.resubscribe(book);
      },
      cost,
    );
  }

  /**
   * Load shedding: `e`'s data is being lost, so its book is no longer right. Downstream learns
   * it at once (a resync mark: the book goes RESEEDING, nothing trades on it), its frames are
   * dropped until its re-seed, and the re-seed waits its turn in the pacer (cheapest first).
   */
  #shed(conn: VenueConnection, e: SubscriptionEntry, framesPerSec = 0): void {
    if (e.shed) return;
    e.shed = true;
    this.#stats.shedInstruments++;
    this.#emit?.mark({ type: 'resync', instrument: e.id, venue: this.#venueId, reason: 'shed' });
    this.#scheduleFlush();
    // Its book is given up until the re-seed anyway: stop the venue sending it, so the shed
    // load leaves the socket too (a pipeline short of CPU also reads slower, and a venue drops
    // a connection that falls too far behind).
    if (this.#cfg.shedAtVenue && conn.open && entryState(e) === 'active') {
      e.parked = true;
      this.#stats.parkedInstruments++;
      conn.unsubscribe(e.streams);
    }
    this.#queueReseed(conn, e, framesPerSec);
  }

  /**
   * The backlog (ms), the largest over the open connections: the age of the oldest frame the
   * frames' consumer has not taken, or, where ingest hands frames straight to the next stage in
   * its own thread (no queue between), how long data waits in the socket (LagProbe).
   */
  #backlog(): number {
    const emit = this.#emit;
    let max = 0;
    if (emit?.backlogMs) {
      for (const c of this.#conns) if (c.open) max = Math.max(max, emit.backlogMs(c.connId));
    } else {
      const now = performance.now();
      for (const c of this.#conns) if (c.open) max = Math.max(max, c.lag.lagMs(now));
    }
    return max;
  }

  #probeLag(): void {
    const now = performance.now();
    for (const c of this.#conns) c.probeLag(now, this.#cfg.shedIntervalMs);
  }

  /** What the frames' consumers have taken so far (a sum of free-running counts). */
  #consumed(): number {
    const emit = this.#emit;
    if (!emit?.consumed) return Number.NaN;
    let sum = 0;
    for (const c of this.#conns) if (c.open) sum += emit.consumed(c.connId);
    return sum;
  }

  /**
   * Subscribes `e`'s streams on `conn`. Streams whose subscription brings a snapshot (book
   * streams of venues seeded on subscribe) wait their turn in the pacer; the rest go now.
   */
  #subscribeOn(conn: VenueConnection, e: SubscriptionEntry, restoring: boolean): void {
    const now: StreamRef[] = [];
    const seeds: StreamRef[] = [];
    if (restoring) e.parked = false; // a new socket: nothing is subscribed yet
    for (const ref of e.streams) {
      if (restoring && e.states.get(ref.channel) === 'failed') continue;
      (ref.channel === 'book' && this.#seeding === 'subscribe' ? seeds : now).push(ref);
    }
    if (now.length > 0) conn.subscribe(now);
    if (seeds.length === 0) return;
    if (!this.#restoring.has(e.id)) {
      this.#restoring.set(e.id, conn.index);
      this.#seedsWaiting[conn.index] = (this.#seedsWaiting[conn.index] ?? 0) + 1;
    }
    const epoch = conn.epoch;
    this.#pacer.enqueue(e.id, () => {
      this.#restored(e.id);
      e.shed = false;
      if (conn.epoch === epoch && this.#table.get(e.id) === e) conn.subscribe(seeds);
      else conn.kick();
    });
  }

  #shedNow(): number {
    let n = 0;
    for (const e of this.#table.entries()) if (e.shed) n++;
    return n;
  }

  #restored(id: number): void {
    const c = this.#restoring.get(id);
    if (c === undefined) return;
    this.#restoring.delete(id);
    this.#seedsWaiting[c] = (this.#seedsWaiting[c] ?? 1) - 1;
  }

  #unqueueSeed(e: SubscriptionEntry): void {
    this.#pacer.cancel(e.id);
    this.#restored(e.id);
  }

  stats(): IngestStats {
    const c = this.#table.counts();
    return {
      ...this.#stats,
      instruments: this.#table.size,
      instrumentsActive: c.active,
      instrumentsPending: c.pending,
      instrumentsFailed: c.failed,
      shards: this.#conns.length,
      connectionsUp: this.#conns.filter((x) => x.up).length,
      restPending: this.#rest?.pending ?? 0,
      seedsQueued: this.#pacer.queued,
      seedsReleased: this.#pacer.released,
      seedsGated: this.#pacer.gated,
      backlogMs: Math.round(this.#governor.backlogMs),
      lagProbes: this.#conns.reduce((n, c) => n + c.lag.sent, 0),
      lagProbesExpired: this.#conns.reduce((n, c) => n + c.lag.expired, 0),
      seedRate: Math.round(this.#governor.seedRate),
      overloads: this.#governor.overloads,
      shedNow: this.#shedNow(),
      queuedRequests: this.#conns.reduce((n, x) => n + x.session.queued, 0),
    };
  }

  subscription(symbol: string): SubscriptionInfo | undefined {
    const e = this.#table.bySymbol(symbol);
    if (!e) return undefined;
    return { symbol: e.symbol, instrument: e.id, state: entryState(e), reason: e.reason, connId: this.#cfg.connIdBase + e.conn };
  }

  dropConnections(reason = 'dropped'): void {
    for (const c of this.#conns) c.drop(reason);
  }

  #add(spec: InstrumentSpec) {
    let idx = this.#conns.findIndex((_, i) => this.#table.countOn(i) < this.#cap);
    if (idx < 0) {
      idx = this.#conns.length;
      const conn = new VenueConnection(this.#ctx, idx);
      this.#conns.push(conn);
      this.#log('info', 'new shard connection', { connId: conn.connId, cap: this.#cap });
      if (this.#started) conn.start();
    }
    const e = this.#table.add(spec.id, spec.symbol, this.#dialect.frameSymbol(spec.symbol), idx, this.#channels, performance.now());
    // Before the socket opens its restore subscribes everything; after, subscribe here.
    const conn = this.#conns[idx];
    if (conn?.open) this.#subscribeOn(conn, e, false);
    return e;
  }

  #onStreamAck(conn: VenueConnection, ref: StreamRef): void {
    const e = this.#table.bySymbol(ref.symbol);
    if (!e || e.conn !== conn.index) return;
    this.#table.setState(e, ref.channel, 'active');
    e.lastUpdateMs = performance.now();
    if (this.#rest && ref.channel === 'book') this.#requestSnapshot(e.id, e.symbol, conn.connId);
    this.#notifyFeed();
  }

  #onStreamFailed(conn: VenueConnection, ref: StreamRef, reason: string): void {
    const e = this.#table.bySymbol(ref.symbol);
    if (!e || e.conn !== conn.index) return;
    this.#table.setState(e, ref.channel, 'failed', reason);
    this.#log('warn', 'subscription refused by venue', { symbol: ref.symbol, channel: ref.channel, reason });
  }

  /** A REST snapshot seeds the book once the pacer lets it go. */
  #requestSnapshot(id: number, symbol: string, connId: number): void {
    const e = this.#table.get(id);
    const conn = this.#conns[connId - this.#cfg.connIdBase];
    const path = this.#restPath(symbol);
    if (e !== undefined && conn !== undefined) this.#queueReseed(conn, e);
    else if (path !== null) this.#rest?.request(id, connId, path);
  }

  #restPath(symbol: string): string | null {
    return this.#dialect.restPath(symbol, this.#cfg.restSnapshotDepth);
  }

  #emitRest(connId: number, path: string, body: Uint8Array): void {
    const emit = this.#emit;
    const conn = this.#conns[connId - this.#cfg.connIdBase];
    if (!emit || !conn) return;
    const t = nowSplit(this.#t);
    emit.rawFrame({
      venue: this.#venueId,
      connId,
      recvS: t.s,
      recvNs: t.ns,
      frameSeq: conn.nextFrameSeq(),
      kind: 2,
      context: path,
      bytes: body,
    });
    emit.flush();
  }

  #checkStale(): void {
    const emit = this.#emit;
    if (!emit) return;
    const now = performance.now();
    const limit = this.#cfg.staleAfterMs;
    let any = false;
    for (const e of this.#table.entries()) {
      const conn = this.#conns[e.conn];
      if (!conn?.up || e.shed || entryState(e) !== 'active') continue;
      const age = now - e.lastUpdateMs;
      if (age <= limit) continue;
      // the first mark of a silence (data came since any earlier mark): its age is ingest's verdict time
      if (e.lastUpdateMs !== e.staleMarkMs) {
        this.#stats.staleFirstMarks++;
        this.#stats.staleSilenceMs += Math.round(age);
      }
      e.lastUpdateMs = now;
      e.staleMarkMs = now;
      this.#stats.staleMarks++;
      emit.mark({ type: 'stale', instrument: e.id, venue: this.#venueId, ageMs: Math.round(age) });
      conn.resubscribe(e.streams);
      any = true;
    }
    if (any) emit.flush();
  }

  /**
   * Publishes at the end of this event-loop turn, and at once every `flushFrames` frames within
   * it: a socket read can hold hundreds of frames, and downstream (and, in a fused worker, the
   * decisions made on the first of them) should not wait for the last.
   */
  #scheduleFlush(): void {
    if (++this.#unflushed >= this.#cfg.flushFrames) {
      this.#unflushed = 0;
      this.#emit?.flush();
    }
    if (this.#flushQueued) return;
    this.#flushQueued = true;
    queueMicrotask(() => {
      this.#flushQueued = false;
      this.#unflushed = 0;
      this.#emit?.flush();
    });
  }

  #notifyFeed(): void {
    for (const w of this.#feedWaiters) w();
  }

  #waitFeed(done: () => boolean, timeoutMs: number): Promise<void> {
    if (done()) return Promise.resolve();
    return new Promise((resolve) => {
      const finish = (): void => {
        clearTimeout(timer);
        clearInterval(poll);
        this.#feedWaiters.delete(check);
        resolve();
      };
      const check = (): void => {
        if (this.#stopped || done()) finish();
      };
      const timer = setTimeout(finish, timeoutMs);
      // Feed-up happens inside the connection; a light poll covers it without another callback.
      const poll = setInterval(check, 10);
      this.#feedWaiters.add(check);
    });
  }
}
