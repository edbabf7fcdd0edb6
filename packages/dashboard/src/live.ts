/**
 * The live channel: one WebSocket per page at /ws. The page authenticates with its first message
 * (`{t:"auth", token}`; browsers cannot set headers on a WebSocket), then receives throttled
 * snapshots built on the dashboard's timers, never anything from the data path:
 * - `overview`: a full table once, then only the rows that changed (pages that show it);
 * - `tick`: the watched instrument's row and current bar;
 * - `health`, `trading`, `events`: at the stats rate, in batches.
 * A slow client is skipped, then sent a full table when its buffer drains; a stuck one is closed.
 */

import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { type WebSocket, WebSocketServer } from 'ws';
import { checkHost, checkSameOrigin, tokenMatches } from './auth.js';
import type { DashboardContext } from './context.js';
import { DashboardError } from './errors.js';

const SKIP_BYTES = 4 * 1024 * 1024;
const CLOSE_BYTES = 32 * 1024 * 1024;
const AUTH_MS = 5000;

interface Client {
  ws: WebSocket;
  authed: boolean;
  overview: boolean;
  needsFull: boolean;
  watch: number | null;
}

export class LiveHub {
  readonly #ctx: DashboardContext;
  readonly #wss: WebSocketServer;
  readonly #clients = new Set<Client>();

  constructor(ctx: DashboardContext, server: Server) {
    this.#ctx = ctx;
    this.#wss = new WebSocketServer({ noServer: true, maxPayload: 4096 });
    server.on('upgrade', (req, socket, head) => this.#upgrade(req, socket, head));
  }

  get size(): number {
    return this.#clients.size;
  }

  #upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const path = (req.url ?? '').split('?')[0];
    try {
      if (path !== '/ws') throw new DashboardError('TKL_DASH_ERR_NOT_FOUND', 'no WebSocket endpoint here');
      checkHost(req, this.#ctx.opts.host);
      checkSameOrigin(req);
    } catch (err) {
      const e = err as DashboardError;
      this.#ctx.metrics.rejected(e.reason ?? 'internal');
      socket.end(`HTTP/1.1 ${e.status ?? 400} Refused\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      return;
    }
    this.#wss.handleUpgrade(req, socket, head, (ws) => this.#accept(ws));
  }

  #accept(ws: WebSocket): void {
    const c: Client = { ws, authed: false, overview: false, needsFull: true, watch: null };
    this.#clients.add(c);
    this.#ctx.metrics.wsClients(this.#clients.size);
    const timer = setTimeout(() => c.authed || ws.close(4401, 'auth required'), AUTH_MS);
    timer.unref();
    ws.on('message', (data, isBinary) => {
      if (isBinary) return ws.close(1003, 'text only');
      let msg: Record<string, unknown>;
      try {
        msg = JSON.parse(String(data)) as Record<string, unknown>;
      } catch {
        return ws.close(1007, 'bad json');
      }
      this.#onMessage(c, msg);
    });
    ws.on('close', () => {
      clearTimeout(timer);
      this.#clients.delete(c);
      this.#ctx.metrics.wsClients(this.#clients.size);
    });
    ws.on('error', () => ws.terminate());
  }

  #onMessage(c: Client, msg: Record<string, unknown>): void {
    if (!c.authed) {
      if (msg.t !== 'auth' || typeof msg.token !== 'string' || !tokenMatches(msg.token, this.#ctx.opts.token)) {
        this.#ctx.metrics.rejected('unauthorized');
        c.ws.close(4401, 'bad token');
        return;
      }
      c.authed = true;
      this.#hello(c);
      return;
    }
    if (msg.t === 'overview') {
      c.overview = msg.on === true;
      c.needsFull = true;
    } else if (msg.t === 'watch') {
      const id = typeof msg.id === 'number' && this.#ctx.opts.registry.get(msg.id) ? msg.id : null;
      c.watch = id;
      if (id !== null) this.#tick(c, id);
    }
  }

  #hello(c: Client): void {
    const { opts, health, trading, events } = this.#ctx;
    const instruments = opts.registry.list().map((i) => [i.id, i.symbol, i.priceScale, i.sizeScale]);
    send(c, { t: 'hello', venue: opts.venue, paper: opts.paper, barSeconds: this.#ctx.bars.seconds, liveHz: opts.liveHz, instruments });
    if (health.last) send(c, { t: 'health', health: health.last, state: trading.state() });
    if (trading.last) send(c, { t: 'trading', view: trading.last });
    send(c, { t: 'events', entries: events.since(events.lastSeq - 200) });
  }

  #tick(c: Client, id: number): void {
    send(c, { t: 'tick', id, row: this.#ctx.overview.row(id) ?? null, bar: this.#ctx.bars.latest(id) });
  }

  /** Live-rate push: overview diffs (encoded once) and watched instruments. */
  pushMarket(changed: unknown[]): void {
    let diff: string | null = null;
    let full: string | null = null;
    for (const c of this.#clients) {
      if (!c.authed || !this.#writable(c)) continue;
      if (c.overview) {
        if (c.needsFull) {
          full ??= JSON.stringify({ t: 'overview', full: true, rows: this.#ctx.overview.all() });
          c.ws.send(full);
          c.needsFull = false;
        } else if (changed.length > 0) {
          diff ??= JSON.stringify({ t: 'overview', full: false, rows: changed });
          c.ws.send(diff);
        }
      }
      if (c.watch !== null) this.#tick(c, c.watch);
    }
  }

  /** Stats-rate push: any JSON message to every authenticated client. */
  broadcast(msg: unknown): void {
    let text: string | null = null;
    for (const c of this.#clients) {
      if (!c.authed || !this.#writable(c)) continue;
      text ??= JSON.stringify(msg);
      c.ws.send(text);
    }
  }

  #writable(c: Client): boolean {
    const b = c.ws.bufferedAmount;
    if (b > CLOSE_BYTES) {
      c.ws.terminate();
      return false;
    }
    if (b > SKIP_BYTES) {
      c.needsFull = true;
      return false;
    }
    return c.ws.readyState === c.ws.OPEN;
  }

  async close(): Promise<void> {
    for (const c of this.#clients) c.ws.close(1001, 'dashboard closing');
    await new Promise<void>((resolve) => this.#wss.close(() => resolve()));
    for (const c of this.#clients) c.ws.terminate();
  }
}

function send(c: Client, msg: unknown): void {
  if (c.ws.readyState === c.ws.OPEN) c.ws.send(JSON.stringify(msg));
}
