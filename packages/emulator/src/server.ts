/**
 * The venue emulator's server: one port for the venue's WebSocket and REST endpoints. It plays the
 * file (timeline.ts) into the market model (model.ts) and routes every frame to the connections
 * subscribed to its instrument and channel, in the venue's own protocol (venues/*), with the
 * embedded exchange's fault injection and the venue's documented limits.
 */

import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { type DeltaFate, type FaultPatch, Faults, type InjectedFault, WindowCounter } from '@tickline/exchange';
import type { RecordedFrame, ReplayInput } from '@tickline/ingest';
import type { InstrumentRegistry, InstrumentSpec } from '@tickline/wire';
import { type WebSocket, WebSocketServer } from 'ws';
import { EmulatorConnection, type RequestWindow, RequestWindows, type SubChannel, type Subscription } from './connection.js';
import { ConnectionGate } from './gate.js';
import type { EmulatorHost, EmulatorStats } from './host.js';
import { handleHttp } from './http-routes.js';
import { tickConnections } from './liveness.js';
import { FrameClass, type FrameInfo, MarketModel } from './model.js';
import type { ResolvedOptions } from './options.js';
import { Timeline } from './timeline.js';
import type { EmulatedVenue, NewSubscription } from './venues/types.js';

/** A socket with more than this queued is a slow consumer: the file waits for it. */
const HIGH_WATER_BYTES = 4 * 1024 * 1024;

export class EmulatorServer implements EmulatorHost {
  readonly options: ResolvedOptions;
  readonly venue: EmulatedVenue;
  readonly registry: InstrumentRegistry;
  readonly model: MarketModel;
  readonly faults: Faults;
  readonly timeline: Timeline;
  readonly log: ResolvedOptions['log'];
  readonly #http: Server;
  readonly #wss: WebSocketServer;
  readonly #conns = new Set<EmulatorConnection>();
  /** `<channel>|<instrument>` -> the connections subscribed. */
  readonly #routes = new Map<string, Set<EmulatorConnection>>();
  readonly #liveWaiters = new Map<number, (() => void)[]>();
  readonly #held = new Map<number, { conn: EmulatorConnection; data: string | Buffer }[]>();
  readonly #gate: ConnectionGate;
  readonly #violations: Record<string, number> = {};
  /** Windows of limits the venue counts per IP (every client here shares the loopback address). */
  readonly #ipWindows = new RequestWindows();
  #nextConnId = 1;
  #connectionsTotal = 0;
  /** Connections closed at the venue's age limit (liveness.ts counts them). */
  forcedDisconnects = 0;
  #timer: NodeJS.Timeout | null = null;
  restRequests = 0;
  snapshotsServed = 0;
  closing = false;

  constructor(options: ResolvedOptions, venue: EmulatedVenue, registry: InstrumentRegistry, input: ReplayInput) {
    this.options = options;
    this.venue = venue;
    this.registry = registry;
    this.log = options.log;
    this.model = new MarketModel(options.venue, registry, options.book);
    this.faults = new Faults(7);
    if (options.faults !== null) this.faults.apply(options.faults, Date.now());
    this.#gate = new ConnectionGate(venue, this.faults, (name) => this.violation(name));
    this.timeline = new Timeline(
      input,
      options.speed,
      (f) => this.#onFrame(f),
      () => this.#clientsReady(),
    );
    this.#http = createServer((req, res) => void handleHttp(this, req, res));
    this.#http.keepAliveTimeout = 5000;
    this.#wss = new WebSocketServer({ noServer: true, autoPong: false, maxPayload: 1 << 20 });
    this.#http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => this.#onUpgrade(req, socket, head));
  }

  async listen(): Promise<AddressInfo> {
    await new Promise<void>((resolve, reject) => {
      this.#http.once('error', reject);
      this.#http.listen(this.options.port, this.options.host, () => resolve());
    });
    this.#timer = setInterval(() => this.#tick(), Math.min(this.options.heartbeatMs || 1000, 250));
    this.#timer.unref();
    if (this.options.start === 'listen') this.startTimeline();
    return this.#http.address() as AddressInfo;
  }

  async close(): Promise<void> {
    this.closing = true;
    this.timeline.stop();
    if (this.#timer) clearInterval(this.#timer);
    for (const c of this.#conns) c.ws.terminate();
    this.#wss.close();
    this.#http.closeAllConnections();
    await new Promise<void>((r) => this.#http.close(() => r()));
  }

  stats(): EmulatorStats {
    const t = this.timeline.stats();
    let framesSent = 0;
    let bytesSent = 0;
    let subscriptions = 0;
    for (const c of this.#conns) {
      framesSent += c.sent;
      bytesSent += c.bytesSent;
      subscriptions += c.subs.size;
    }
    return {
      venue: this.options.venue,
      file: this.options.file,
      frames: t.frames,
      done: t.done,
      paused: this.timeline.paused,
      behindMs: t.behindMs,
      clientWaits: t.clientWaits,
      connections: this.#conns.size,
      connectionsTotal: this.#connectionsTotal,
      subscriptions,
      framesSent,
      bytesSent,
      restRequests: this.restRequests,
      snapshotsServed: this.snapshotsServed,
      limitViolations: { ...this.#violations },
      faultsInjected: this.faults.injectedTotal,
      forcedDisconnects: this.forcedDisconnects,
      fileRejects: this.model.rejects,
      error: t.error,
    };
  }

  injectedFaults(): readonly InjectedFault[] {
    return this.faults.log.slice();
  }

  /** Applies a validated fault patch (drop: closes connections abruptly). */
  applyFaults(p: FaultPatch): void {
    const now = Date.now();
    this.faults.apply(p, now);
    if (p.drop === undefined) return;
    for (const c of [...this.#conns]) {
      if (p.drop !== 'all' && !p.drop.includes(c.id)) continue;
      this.faults.record({ kind: 'drop', connectionId: c.id, ts: now });
      c.ws.terminate();
    }
  }

  // ---------------------------------------------------------------- VenueHost

  spec(symbol: string): InstrumentSpec | undefined {
    return this.registry.lookup(this.options.venue, symbol);
  }

  subscribe(conn: EmulatorConnection, s: NewSubscription): Subscription | null {
    const key = `${s.channel}|${s.spec.id}`;
    if (conn.subs.has(key)) return null;
    const sub: Subscription = {
      key,
      channel: s.channel,
      instrument: s.spec.id,
      symbol: s.spec.symbol,
      name: s.name,
      depth: s.depth ?? 0,
      chanId: s.chanId ?? 0,
      awaitingSnapshot: s.snapshot && s.channel === 'book',
    };
    conn.subs.set(key, sub);
    let set = this.#routes.get(key);
    if (set === undefined) {
      set = new Set();
      this.#routes.set(key, set);
    }
    set.add(conn);
    this.startTimeline();
    return sub;
  }

  unsubscribe(conn: EmulatorConnection, channel: SubChannel, instrument: number): boolean {
    const key = `${channel}|${instrument}`;
    if (!conn.subs.delete(key)) return false;
    this.#routes.get(key)?.delete(conn);
    return true;
  }

  seed(conn: EmulatorConnection, sub: Subscription): void {
    if (!sub.awaitingSnapshot) return;
    const book = this.model.liveBook(sub.instrument);
    if (book === undefined) return; // sent by #onFrame once the file's book is in sync
    const text = this.venue.snapshot(conn, sub, book, this);
    sub.awaitingSnapshot = false;
    if (text !== null) {
      this.snapshotsServed++;
      conn.send(text);
    }
  }

  within(conn: EmulatorConnection | null, name: string, w: RequestWindow): boolean {
    if ((conn ?? this.#ipWindows).within(name, w, Date.now())) return true;
    this.violation(name);
    return false;
  }

  violation(name: string): void {
    this.#violations[name] = (this.#violations[name] ?? 0) + 1;
    this.log('warn', 'client over the venue limit', { limit: name });
  }

  subscribeFault(conn: EmulatorConnection): number {
    const lim = this.faults.config.subscribeLimit;
    if (lim === null) return 0;
    let counter = conn.state.get('subscribeLimit') as WindowCounter | undefined;
    if (counter === undefined) {
      counter = new WindowCounter();
      conn.state.set('subscribeLimit', counter);
    }
    const wait = counter.hit(lim, Date.now());
    if (wait > 0) this.faults.record({ kind: 'rate_limited', connectionId: conn.id, ts: Date.now() });
    return wait;
  }

  ignorePings(): boolean {
    return this.faults.config.ignorePings;
  }

  whenLive(instrument: number, timeoutMs: number): Promise<boolean> {
    if (this.model.liveBook(instrument) !== undefined) return Promise.resolve(true);
    this.startTimeline();
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      const list = this.#liveWaiters.get(instrument) ?? [];
      list.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
      this.#liveWaiters.set(instrument, list);
    });
  }

  snapshotServed(): void {
    this.snapshotsServed++;
  }

  startTimeline(): void {
    if (!this.timeline.started) {
      this.log('info', 'playing the file', { file: this.options.file, speed: this.options.speed });
      void this.timeline.start();
    }
  }

  // ---------------------------------------------------------------- the file

  #clientsReady(): boolean {
    for (const c of this.#conns) if (c.ws.bufferedAmount > HIGH_WATER_BYTES) return false;
    return true;
  }

  #onFrame(f: RecordedFrame): void {
    const info = this.model.apply(f);
    if (info.cls === FrameClass.None) return;
    const book = info.cls === FrameClass.Delta || info.cls === FrameClass.Snapshot;
    const channel: SubChannel = book ? 'book' : info.cls === FrameClass.Trades ? 'trades' : 'quotes';
    for (const id of info.instruments) {
      const spec = this.registry.get(id);
      if (spec === undefined) continue;
      const withheld = (info.cls === FrameClass.Delta || info.cls === FrameClass.Trades) && this.faults.stalled.has(spec.symbol);
      const fate: DeltaFate = withheld ? 'skip' : info.cls === FrameClass.Delta ? this.faults.deltaFate(spec.symbol) : 'send';
      if (fate !== 'send' && !withheld) this.faults.record({ kind: fate, instrument: spec.symbol, ts: Date.now() });
      const out: { conn: EmulatorConnection; data: string | Buffer }[] = [];
      for (const conn of this.#routes.get(`${channel}|${id}`) ?? []) {
        const sub = conn.subs.get(`${channel}|${id}`);
        if (sub === undefined || sub.awaitingSnapshot) continue;
        const data =
          book && this.venue.bookUpdate ? this.venue.bookUpdate(conn, sub, info, this) : this.venue.forward(conn, sub, f, info, this);
        if (data !== null) out.push({ conn, data });
      }
      this.#deliver(id, fate, out);
      if (book) {
        this.venue.afterBookFrame?.(id, this);
        this.#bookInSync(id, info);
      }
    }
  }

  /** Sends one frame's outputs under its fault fate (the venue lost, repeated or delayed it). */
  #deliver(instrument: number, fate: DeltaFate, out: { conn: EmulatorConnection; data: string | Buffer }[]): void {
    if (fate === 'skip') return;
    if (fate === 'reorder') {
      this.#held.set(instrument, out);
      return;
    }
    for (const o of out) o.conn.send(o.data);
    if (fate === 'duplicate') for (const o of out) o.conn.send(o.data);
    const late = this.#held.get(instrument);
    if (late !== undefined) {
      this.#held.delete(instrument);
      for (const o of late) o.conn.send(o.data);
    }
  }

  /** After a book frame: waiting subscriptions get their snapshot, REST waiters their answer. */
  #bookInSync(instrument: number, _info: FrameInfo): void {
    if (this.model.liveBook(instrument) === undefined) return;
    const waiters = this.#liveWaiters.get(instrument);
    if (waiters !== undefined) {
      this.#liveWaiters.delete(instrument);
      for (const w of waiters) w();
    }
    for (const conn of this.#routes.get(`book|${instrument}`) ?? []) {
      const sub = conn.subs.get(`book|${instrument}`);
      if (sub?.awaitingSnapshot) this.seed(conn, sub);
    }
  }

  // ---------------------------------------------------------------- sockets

  #onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const verdict = this.closing ? 'destroy' : this.#gate.admit(url.pathname, Date.now());
    if (verdict === 'destroy') return void socket.destroy();
    if (verdict !== 'accept') {
      const text = JSON.stringify(verdict.body);
      const retry = verdict.retryAfterS === undefined ? '' : `Retry-After: ${verdict.retryAfterS}\r\n`;
      socket.end(
        `HTTP/1.1 ${verdict.status}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(text)}\r\n${retry}Connection: close\r\n\r\n${text}`,
      );
      return;
    }
    this.#wss.handleUpgrade(req, socket, head, (ws) => this.#accept(ws, url));
  }

  #accept(ws: WebSocket, url: URL): void {
    const conn = new EmulatorConnection(this.#nextConnId++, ws, url.pathname, url.searchParams);
    this.#conns.add(conn);
    this.#connectionsTotal++;
    const limit = this.venue.messageLimit;
    // Venues that count every incoming message (Binance: text, ping and pong frames) close a
    // connection that sends more than their limit.
    const counted = (): boolean => {
      conn.received++;
      if (limit === null || this.within(conn, 'messages_per_second', limit)) return true;
      conn.ws.terminate();
      return false;
    };
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      if (!counted() || isBinary) return;
      try {
        this.venue.request(conn, data.toString('utf8'), this);
      } catch (err) {
        this.log('error', 'request handling failed', { error: (err as Error).message });
      }
    });
    ws.on('ping', (data: Buffer) => {
      if (counted() && !this.faults.config.ignorePings) ws.pong(data);
    });
    ws.on('pong', () => {
      if (counted()) conn.awaitingPong = false;
    });
    ws.on('close', () => {
      this.#conns.delete(conn);
      for (const key of conn.subs.keys()) this.#routes.get(key)?.delete(conn);
    });
    ws.on('error', () => {});
    this.venue.open(conn, this);
  }

  #tick(): void {
    tickConnections(this, this.#conns, Date.now());
  }
}
