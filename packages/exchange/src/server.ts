import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { type WebSocket, WebSocketServer } from 'ws';
import { Conn } from './conn.js';
import { type FaultPatch, Faults, WindowCounter } from './faults.js';
import { handleHttp } from './http-api.js';
import { generateUniverse, type Instrument } from './instruments.js';
import { Market } from './market.js';
import { type ExecutionReport, MatchingEngine } from './matching.js';
import type { ExchangeOptions } from './options.js';
import { encodeDelta, encodeExecution, encodeHeartbeat, encodeTrades, MALFORMED_FRAMES } from './protocol.js';
import type { Counters, ExchangeHost, ExchangeStats, PendingOrder } from './host.js';
import { handleFrame, processOrder } from './requests.js';
import { onUpgrade } from './upgrade.js';
import type { SimBook } from './sim-book.js';

/** Most steps run in one tick when the timer was late; older ones are dropped (counted as lag). */
const MAX_CATCH_UP_STEPS = 25;

/** The I/O side: HTTP + WebSocket server driving the pure market, matching and fault cores. */
export class ExchangeServer implements ExchangeHost {
  readonly instruments: readonly Instrument[];
  readonly bySymbol: ReadonlyMap<string, Instrument>;
  readonly market: Market;
  readonly engine: MatchingEngine;
  readonly faults: Faults;
  readonly conns = new Map<number, Conn>();
  /** Per instrument index: connections subscribed to its book / trades channel. */
  readonly bookSubs: Set<Conn>[];
  readonly tradeSubs: Set<Conn>[];
  readonly counters: Counters = {
    deltaFrames: 0,
    tradeFrames: 0,
    snapshotsSent: 0,
    requests: 0,
    requestErrors: 0,
    unsubscribed: 0,
    ordersReceived: 0,
    executionReports: 0,
    slowConsumerDrops: 0,
    pingTimeouts: 0,
    lagSteps: 0,
    framesSentClosed: 0,
  };
  readonly orderQueue: PendingOrder[] = [];
  paused: boolean;
  private readonly http: Server;
  readonly wss: WebSocketServer;
  readonly upgradeLimiter = new WindowCounter();
  private readonly held = new Map<number, string>();
  private readonly outbox: Array<{ account: string; frame: string }> = [];
  private nextConnId = 1;
  private startedAt = 0;
  private tickOrigin = 0;
  private stepsDone = 0;
  private lastHeartbeat = 0;
  private tickTimer: NodeJS.Timeout | undefined;
  private pingTimer: NodeJS.Timeout | undefined;
  closing = false;

  constructor(readonly options: ExchangeOptions) {
    this.instruments = generateUniverse(options.instruments, options.seed);
    this.bySymbol = new Map(this.instruments.map((i) => [i.symbol, i]));
    this.market = new Market(this.instruments, {
      seed: options.seed,
      stepMs: options.tickMs,
      eventsPerSecond: options.eventsPerSecond,
      profile: options.profile,
      openEventsPerSecond: options.openEventsPerSecond,
      openWindowMs: options.openWindowMs,
      minLevels: options.minLevels,
      maxLevels: options.maxLevels,
    });
    this.engine = new MatchingEngine(this.bySymbol, this.market.books, options, (r) => this.onReport(r));
    this.market.onTrade = (inst, price, lots, aggressor) => this.engine.onMarketTrade(inst, price, lots, aggressor, Date.now());
    this.faults = new Faults(options.seed);
    this.faults.apply(options.faults, Date.now());
    this.bookSubs = this.instruments.map(() => new Set<Conn>());
    this.tradeSubs = this.instruments.map(() => new Set<Conn>());
    this.paused = options.paused;
    this.wss = new WebSocketServer({
      noServer: true,
      maxPayload: options.maxPayloadBytes,
      autoPong: false,
      perMessageDeflate: false,
      clientTracking: false,
    });
    this.http = createServer((req, res) => {
      handleHttp(this, req, res).catch(() => {
        if (!res.headersSent) res.writeHead(500).end();
      });
    });
    this.http.on('upgrade', (req, socket, head) => onUpgrade(this, req, socket, head));
    this.http.on('clientError', (_err, socket) => socket.destroy());
  }

  async listen(): Promise<AddressInfo> {
    await new Promise<void>((resolve, reject) => {
      this.http.once('error', reject);
      this.http.listen(this.options.port, this.options.host, () => {
        this.http.off('error', reject);
        resolve();
      });
    });
    this.startedAt = Date.now();
    this.tickOrigin = performance.now();
    this.lastHeartbeat = this.tickOrigin;
    this.tickTimer = setInterval(() => this.tick(), this.options.tickMs);
    if (this.options.pingIntervalMs > 0) this.pingTimer = setInterval(() => this.pingAll(), this.options.pingIntervalMs);
    return this.http.address() as AddressInfo;
  }

  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    clearInterval(this.tickTimer);
    clearInterval(this.pingTimer);
    for (const c of this.conns.values()) this.dropConn(c);
    await new Promise<void>((resolve) => {
      this.http.close(() => resolve());
      this.http.closeAllConnections();
    });
  }

  stats(): ExchangeStats {
    let subs = 0;
    let frames = this.counters.framesSentClosed;
    for (const c of this.conns.values()) {
      subs += c.subscriptionCount;
      frames += c.framesSent;
    }
    const k = this.counters;
    return {
      uptimeMs: Date.now() - this.startedAt,
      connections: this.conns.size,
      subscriptions: subs,
      instruments: this.instruments.length,
      paused: this.paused,
      steps: this.market.stepCount,
      lagSteps: k.lagSteps,
      eventsGenerated: this.market.eventsGenerated,
      deltaFrames: k.deltaFrames,
      tradeFrames: k.tradeFrames,
      snapshotsSent: k.snapshotsSent,
      framesSent: frames,
      requests: k.requests,
      requestErrors: k.requestErrors,
      unsubscribed: k.unsubscribed,
      ordersReceived: k.ordersReceived,
      executionReports: k.executionReports,
      faultsInjected: this.faults.injectedTotal,
      slowConsumerDrops: k.slowConsumerDrops,
      pingTimeouts: k.pingTimeouts,
    };
  }

  /** Applies a validated fault patch, carrying out one-shot actions. */
  applyFaults(patch: FaultPatch): void {
    const now = Date.now();
    this.faults.apply(patch, now);
    if (patch.drop !== undefined) {
      const targets = patch.drop === 'all' ? [...this.conns.values()] : patch.drop.map((id) => this.conns.get(id));
      for (const c of targets) {
        if (c === undefined) continue;
        this.faults.record({ kind: 'drop', connectionId: c.id, ts: now });
        this.dropConn(c);
      }
    }
  }

  setPaused(paused: boolean): void {
    if (paused) this.publish(Date.now());
    this.paused = paused;
  }

  /**
   * Publishes every book with unpublished changes: one delta frame (seq + 1) and, if any, one
   * trade frame per instrument. Also flushes execution reports produced meanwhile.
   */
  publish(ts: number): void {
    const dirty = this.market.dirty;
    const books = this.market.books;
    const faults = this.faults;
    for (let d = 0; d < dirty.length; d++) {
      const index = dirty[d] as number;
      const book = books[index] as SimBook;
      const inst = this.instruments[index] as Instrument;
      const stalled = faults.stalled.size > 0 && faults.stalled.has(inst.symbol);
      if (book.hasPending()) {
        book.seq++;
        this.counters.deltaFrames++;
        const subs = this.bookSubs[index] as Set<Conn>;
        if (subs.size > 0 && !stalled) {
          const frame = encodeDelta(inst, book, ts);
          const fate = faults.seqActive ? faults.deltaFate(inst.symbol) : 'send';
          if (fate === 'send') this.sendAll(subs, frame);
          else this.injectSeqFault(fate, inst, book.seq, frame, subs, ts);
          const late = this.held.get(index);
          if (late !== undefined && fate !== 'reorder') {
            this.held.delete(index);
            this.sendAll(subs, late);
          }
        }
      }
      if (book.pendingTrades.length > 0) {
        this.counters.tradeFrames++;
        const subs = this.tradeSubs[index] as Set<Conn>;
        if (subs.size > 0 && !stalled) this.sendAll(subs, encodeTrades(inst, book, ts));
      }
      book.clearPending();
    }
    dirty.length = 0;
    this.flushReports();
  }

  private injectSeqFault(
    fate: 'skip' | 'duplicate' | 'reorder',
    inst: Instrument,
    seq: number,
    frame: string,
    subs: Set<Conn>,
    ts: number,
  ): void {
    this.faults.record({ kind: fate, instrument: inst.symbol, seq, ts });
    if (fate === 'duplicate') {
      this.sendAll(subs, frame);
      this.sendAll(subs, frame);
    } else if (fate === 'reorder') {
      // Hold this frame; it goes out right after the next one of the same instrument.
      const prev = this.held.get(inst.index);
      if (prev !== undefined) this.sendAll(subs, prev);
      this.held.set(inst.index, frame);
    }
    // skip: the frame is never sent; its seq is missing for every subscriber.
  }

  sendAll(subs: Set<Conn>, frame: string): void {
    for (const c of subs) c.send(frame);
  }

  sendToAccount(account: string, frame: string): void {
    for (const c of this.conns.values()) if (c.orders && c.account === account) c.send(frame);
  }

  flushReports(): void {
    const out = this.outbox;
    for (let i = 0; i < out.length; i++) {
      const r = out[i] as { account: string; frame: string };
      this.sendToAccount(r.account, r.frame);
    }
    out.length = 0;
  }

  private onReport(r: ExecutionReport): void {
    this.counters.executionReports++;
    this.outbox.push({ account: r.account, frame: encodeExecution(r) });
  }

  private tick(): void {
    const now = performance.now();
    const wall = Date.now();
    for (const c of this.conns.values()) c.socket.cork();
    try {
      const target = Math.floor((now - this.tickOrigin) / this.options.tickMs);
      let due = target - this.stepsDone;
      if (this.paused) {
        this.stepsDone = target;
        due = 0;
      } else if (due > MAX_CATCH_UP_STEPS) {
        this.counters.lagSteps += due - MAX_CATCH_UP_STEPS;
        this.stepsDone += due - MAX_CATCH_UP_STEPS;
        due = MAX_CATCH_UP_STEPS;
      }
      // Generate no more than can be sent: steps stop once this tick has run four periods, so
      // the sockets are written and read in between. Steps that do not fit are given up
      // (lagSteps): the offered rate the machine cannot generate and deliver is not generated.
      // (Four periods, not one: a tick preempted by the scheduler must not give up steps.)
      const budget = now + this.options.tickMs * 4;
      let i = 0;
      for (; i < due; i++) {
        this.market.step();
        this.stepsDone++;
        this.publish(wall);
        if (performance.now() > budget) break;
      }
      if (i + 1 < due) {
        this.counters.lagSteps += due - i - 1;
        this.stepsDone += due - i - 1;
      }
      this.runDueOrders(now);
      if (this.options.heartbeatMs > 0 && now - this.lastHeartbeat >= this.options.heartbeatMs) {
        this.lastHeartbeat = now;
        const hb = encodeHeartbeat(wall);
        for (const c of this.conns.values()) c.send(hb);
      }
      const m = this.faults.config.malformed;
      if (m.count > 0 || m.rate > 0) this.sendMalformed(wall);
    } finally {
      for (const c of this.conns.values()) {
        c.socket.uncork();
        if (c.ws.bufferedAmount > this.options.maxBufferedBytes) {
          this.counters.slowConsumerDrops++;
          this.dropConn(c);
        }
      }
    }
  }

  runDueOrders(now: number): void {
    const q = this.orderQueue;
    let n = 0;
    while (n < q.length && (q[n] as PendingOrder).dueAt <= now) n++;
    if (n === 0) return;
    for (const p of q.splice(0, n)) processOrder(this, p.conn, p.req);
    this.publish(Date.now());
  }

  private sendMalformed(ts: number): void {
    let k = 0;
    for (const c of this.conns.values()) {
      const n = this.faults.malformedFor(c.id);
      for (let i = 0; i < n; i++) {
        c.send(MALFORMED_FRAMES[k++ % MALFORMED_FRAMES.length] as string);
        this.faults.record({ kind: 'malformed', connectionId: c.id, ts });
      }
    }
    this.faults.malformedDone();
  }

  private pingAll(): void {
    for (const c of this.conns.values()) {
      if (c.awaitingPong) {
        this.counters.pingTimeouts++;
        this.dropConn(c);
        continue;
      }
      c.awaitingPong = true;
      c.ws.ping();
    }
  }

  dropConn(c: Conn): void {
    if (c.closed) return;
    c.ws.terminate();
    this.detach(c);
  }

  private detach(c: Conn): void {
    if (c.closed) return;
    c.closed = true;
    this.counters.framesSentClosed += c.framesSent;
    c.framesSent = 0;
    for (const i of c.book) this.bookSubs[i]?.delete(c);
    for (const i of c.trades) this.tradeSubs[i]?.delete(c);
    this.conns.delete(c.id);
  }

  acceptConnection(ws: WebSocket, socket: Duplex, account: string): void {
    const conn = new Conn(this.nextConnId++, ws, socket, account);
    this.conns.set(conn.id, conn);
    ws.on('message', (data, isBinary) => handleFrame(this, conn, data as Buffer, isBinary));
    ws.on('ping', (data) => {
      if (!this.faults.config.ignorePings) ws.pong(data);
    });
    ws.on('pong', () => {
      conn.awaitingPong = false;
    });
    ws.on('close', () => this.detach(conn));
    ws.on('error', () => this.dropConn(conn));
    const o = this.options;
    conn.send(
      JSON.stringify({
        type: 'welcome',
        channel: 'system',
        connectionId: conn.id,
        account,
        ts: Date.now(),
        heartbeatMs: o.heartbeatMs,
        pingIntervalMs: o.pingIntervalMs,
        limits: {
          maxSubscriptions: o.maxSubscriptions,
          maxFrameBytes: o.maxFrameBytes,
          maxPayloadBytes: o.maxPayloadBytes,
          orderRateLimit: o.orderRateLimit,
        },
      }),
    );
  }
}
