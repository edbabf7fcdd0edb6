/**
 * The venue gateway to the embedded exchange over WebSocket (docs/exchange-protocol.md):
 * order entry, cancels, queries and execution reports on one connection, with reconnects
 * (exponential backoff with jitter). It never sends a new order twice: a client order id is
 * sent at most once per gateway, a request in flight when the socket drops is not resent (the
 * core reconciles instead), and the exchange itself refuses a reused id. Under group commit the
 * gateway holds requests (`hold()`): each is checked, recorded and answered at once, and its
 * frame is written at `release()`, after the journal has committed the rows behind it.
 */

import { formatDecimal, type InstrumentRegistry, type InstrumentSpec, moneyScale, parseDecimal } from '@tickline/wire';
import WebSocket from 'ws';
import { FILLS_PAGE } from '../core/reconcile.js';
import type { NewOrderRequest, VenueFill, VenueMessage, VenueOrderState, VenuePort } from '../core/venue.js';

export interface WsGatewayOptions {
  readonly url: string;
  readonly account: string;
  readonly token: string | null;
  readonly registry: InstrumentRegistry;
  /** Venue name of the instruments this gateway trades (registry `venue`). */
  readonly venue: string;
  readonly reconnectMinMs: number;
  readonly reconnectMaxMs: number;
  readonly onMessage: (m: VenueMessage) => void;
  readonly onLog?: (level: 'info' | 'warn', msg: string, data: Record<string, unknown>) => void;
}

interface Pending {
  readonly action: string;
  readonly clientOrderId: string;
}

type Json = Record<string, unknown>;

export class WsVenueGateway implements VenuePort {
  readonly #o: WsGatewayOptions;
  readonly #bySymbol = new Map<string, InstrumentSpec>();
  readonly #sent = new Set<string>();
  readonly #pending = new Map<number, Pending>();
  readonly #cancelAllWaiters: (() => void)[] = [];
  #ws: WebSocket | null = null;
  #connected = false;
  #closed = false;
  #nextId = 1;
  #attempt = 0;
  #timer: NodeJS.Timeout | null = null;
  /** Requests waiting for release(): the frame, its request id and client order id; null = not holding. */
  #held: { frame: string; id: number; clientOrderId: string; action: string }[] | null = null;
  readonly counters = {
    connects: 0,
    disconnects: 0,
    framesIn: 0,
    framesOut: 0,
    badFrames: 0,
    refusedResend: 0,
    unknownSymbol: 0,
    /** Held requests dropped with their connection before release (reconciled like in-flight ones). */
    heldLost: 0,
    /** Held new orders taken back before release (their data went stale during the commit). */
    discarded: 0,
  };

  constructor(opts: WsGatewayOptions) {
    this.#o = opts;
    for (const spec of opts.registry.list()) if (spec.venue === opts.venue) this.#bySymbol.set(spec.symbol, spec);
  }

  get connected(): boolean {
    return this.#connected;
  }

  connect(): void {
    if (this.#closed || this.#ws) return;
    const u = new URL(this.#o.url);
    u.searchParams.set('account', this.#o.account);
    const headers: Record<string, string> = {};
    if (this.#o.token) headers.authorization = `Bearer ${this.#o.token}`;
    const ws = new WebSocket(u.href, { headers });
    this.#ws = ws;
    ws.on('open', () => {
      this.#attempt = 0;
      this.#connected = true;
      this.counters.connects++;
      // Not a trading request (no journal row behind it): never held.
      this.#send({ action: 'subscribe', id: this.#nextId++, channels: ['orders'] }, false);
      this.#o.onMessage({ kind: 'connected' });
    });
    ws.on('message', (data, isBinary) => {
      if (isBinary) return;
      this.counters.framesIn++;
      this.#onFrame(String(data));
    });
    ws.on('error', (err) => this.#o.onLog?.('warn', 'venue socket error', { message: err.message }));
    ws.on('close', (code) => {
      const was = this.#connected;
      this.#ws = null;
      this.#connected = false;
      this.#pending.clear();
      this.#dropHeld();
      for (const w of this.#cancelAllWaiters.splice(0)) w();
      if (was) {
        this.counters.disconnects++;
        this.#o.onMessage({ kind: 'disconnected', reason: `close ${code}` });
      }
      this.#schedule();
    });
  }

  #schedule(): void {
    if (this.#closed || this.#timer) return;
    const base = Math.min(this.#o.reconnectMaxMs, this.#o.reconnectMinMs * 2 ** this.#attempt++);
    const delay = base / 2 + Math.random() * (base / 2);
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.connect();
    }, delay);
  }

  #open(): WebSocket | null {
    const ws = this.#ws;
    return ws && this.#connected && ws.readyState === WebSocket.OPEN ? ws : null;
  }

  #send(msg: Json, holdable = true, clientOrderId = ''): boolean {
    const ws = this.#open();
    if (ws === null) return false;
    const frame = JSON.stringify(msg);
    if (holdable && this.#held !== null) this.#held.push({ frame, id: msg.id as number, clientOrderId, action: String(msg.action) });
    else {
      ws.send(frame);
      this.counters.framesOut++;
    }
    return true;
  }

  /** From now on requests wait for release() (group commit); each call still answers at once. */
  hold(): void {
    this.#held ??= [];
  }

  get held(): number {
    return this.#held?.length ?? 0;
  }

  /** Writes the held requests in call order; returns how many were written. */
  release(): number {
    const held = this.#held;
    if (held === null || held.length === 0) return 0;
    const ws = this.#open();
    if (ws === null) {
      this.#dropHeld();
      return 0;
    }
    for (const h of held) ws.send(h.frame);
    const n = held.length;
    this.counters.framesOut += n;
    held.length = 0;
    return n;
  }

  isHeld(clientOrderId: string): boolean {
    return this.#held?.some((h) => h.action === 'new_order' && h.clientOrderId === clientOrderId) ?? false;
  }

  discardHeld(clientOrderId: string): boolean {
    const held = this.#held;
    if (held === null) return false;
    const i = held.findIndex((h) => h.action === 'new_order' && h.clientOrderId === clientOrderId);
    if (i < 0) return false;
    const [h] = held.splice(i, 1);
    if (h) this.#pending.delete(h.id);
    this.counters.discarded++;
    return true;
  }

  /** The connection is gone: its held requests go with it, like those in flight. */
  /** Forgets every held request, never to be sent (their unit's journal commit failed); returns how many. */
  discardAllHeld(): number {
    const n = this.held;
    this.#dropHeld();
    return n;
  }

  #dropHeld(): void {
    if (this.#held === null || this.#held.length === 0) return;
    this.counters.heldLost += this.#held.length;
    this.#held.length = 0;
  }

  #request(action: string, fields: Json, clientOrderId = ''): boolean {
    const id = this.#nextId++;
    if (!this.#send({ action, id, ...fields }, true, clientOrderId)) return false;
    this.#pending.set(id, { action, clientOrderId });
    return true;
  }

  newOrder(o: NewOrderRequest): boolean {
    if (this.#sent.has(o.clientOrderId)) {
      this.counters.refusedResend++;
      return false;
    }
    const spec = this.#o.registry.get(o.instrument);
    if (!spec || spec.venue !== this.#o.venue) {
      this.counters.unknownSymbol++;
      return false;
    }
    const fields: Json = {
      clientOrderId: o.clientOrderId,
      instrument: spec.symbol,
      side: o.side === 0 ? 'buy' : 'sell',
      type: o.type === 1 ? 'market' : 'limit',
      timeInForce: o.tif === 1 || o.type === 1 ? 'IOC' : 'GTC',
      size: formatDecimal(o.size, spec.sizeScale),
    };
    if (o.type !== 1) fields.price = formatDecimal(o.price, spec.priceScale);
    // Marked sent before the write: if the write throws we still never try this id again.
    this.#sent.add(o.clientOrderId);
    return this.#request('new_order', fields, o.clientOrderId);
  }

  cancel(clientOrderId: string): boolean {
    return this.#request('cancel_order', { clientOrderId }, clientOrderId);
  }

  cancelAll(): boolean {
    return this.#request('cancel_all', {});
  }

  /**
   * Sends cancel_all and resolves when it is acknowledged (or the timeout passes): shutdown. While
   * holding, the request leaves at the next release().
   */
  cancelAllAndWait(timeoutMs: number): Promise<boolean> {
    if (!this.cancelAll()) return Promise.resolve(false);
    return new Promise((resolve) => {
      const t = setTimeout(() => resolve(false), timeoutMs);
      this.#cancelAllWaiters.push(() => {
        clearTimeout(t);
        resolve(true);
      });
    });
  }

  openOrders(): boolean {
    return this.#request('open_orders', {});
  }

  fills(sinceSeq: number): boolean {
    return this.#request('fills', { sinceSeq, limit: FILLS_PAGE });
  }

  close(): void {
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    this.#ws?.close();
  }

  /** Drops the connection abruptly (tests); the gateway reconnects. */
  terminate(): void {
    this.#ws?.terminate();
  }

  // ---------------------------------------------------------------- inbound

  #onFrame(text: string): void {
    let m: Json;
    try {
      m = JSON.parse(text) as Json;
    } catch {
      this.counters.badFrames++;
      return;
    }
    if (typeof m !== 'object' || m === null) {
      this.counters.badFrames++;
      return;
    }
    try {
      switch (m.type) {
        case 'execution':
          return this.#onExecution(m);
        case 'ack':
          return this.#onAck(m);
        case 'error':
          return this.#onError(m);
        default:
          return;
      }
    } catch (err) {
      this.counters.badFrames++;
      this.#o.onLog?.('warn', 'venue frame not understood', { message: (err as Error).message, frame: text.slice(0, 200) });
    }
  }

  #spec(symbol: unknown): InstrumentSpec {
    const spec = typeof symbol === 'string' ? this.#bySymbol.get(symbol) : undefined;
    if (!spec) {
      this.counters.unknownSymbol++;
      throw new Error(`unknown instrument ${String(symbol)}`);
    }
    return spec;
  }

  #num(text: unknown, scale: number, field: string): number {
    const v = typeof text === 'string' ? parseDecimal(text, scale) : Number.NaN;
    if (Number.isNaN(v)) throw new Error(`bad ${field} ${String(text)}`);
    return v;
  }

  #order(o: Json): VenueOrderState {
    const spec = this.#spec(o.instrument);
    return {
      clientOrderId: String(o.clientOrderId),
      venueOrderId: String(o.orderId),
      instrument: spec.id,
      side: o.side === 'buy' ? 0 : 1,
      type: o.type === 'market' ? 1 : 0,
      price: o.price === null || o.price === undefined ? 0 : this.#num(o.price, spec.priceScale, 'price'),
      size: this.#num(o.size, spec.sizeScale, 'size'),
      filled: this.#num(o.filledSize, spec.sizeScale, 'filledSize'),
      status: o.status as VenueOrderState['status'],
    };
  }

  #fill(f: Json): VenueFill {
    const spec = this.#spec(f.instrument);
    const feeScale = moneyScale(spec);
    const fee = this.#num(f.fee, feeScale, 'fee');
    return {
      fillId: String(f.fillId),
      seq: Number(f.seq),
      clientOrderId: String(f.clientOrderId),
      venueOrderId: String(f.orderId),
      instrument: spec.id,
      side: f.side === 'buy' ? 0 : 1,
      price: this.#num(f.price, spec.priceScale, 'price'),
      size: this.#num(f.size, spec.sizeScale, 'size'),
      fee,
      feeScale,
      maker: f.liquidity === 'maker',
      tsMs: Number(f.ts),
    };
  }

  #onExecution(m: Json): void {
    const order = this.#order(m.order as Json);
    const fill = m.fill ? this.#fill(m.fill as Json) : null;
    const event = m.event as 'new' | 'trade' | 'canceled' | 'rejected';
    this.#o.onMessage({
      kind: 'report',
      seq: Number(m.seq),
      event,
      order,
      fill,
      reason: typeof m.reason === 'string' ? m.reason : '',
      tsMs: Number(m.ts),
    });
  }

  #onAck(m: Json): void {
    const p = typeof m.id === 'number' ? this.#pending.get(m.id) : undefined;
    if (p) this.#pending.delete(m.id as number);
    switch (m.action) {
      case 'open_orders':
        this.#o.onMessage({ kind: 'open-orders', seq: Number(m.seq), orders: (m.orders as Json[]).map((o) => this.#order(o)) });
        return;
      case 'fills':
        this.#o.onMessage({ kind: 'fills', seq: Number(m.seq), fills: (m.fills as Json[]).map((f) => this.#fill(f)) });
        return;
      case 'cancel_all':
        for (const w of this.#cancelAllWaiters.splice(0)) w();
        this.#o.onMessage({ kind: 'cancel-all-done' });
        return;
    }
  }

  #onError(m: Json): void {
    const p = typeof m.id === 'number' ? this.#pending.get(m.id) : undefined;
    if (!p) {
      this.#o.onLog?.('warn', 'venue error', { code: m.code, message: m.message });
      return;
    }
    this.#pending.delete(m.id as number);
    const code = String(m.code);
    if (p.action === 'new_order')
      this.#o.onMessage({ kind: 'order-error', clientOrderId: p.clientOrderId, code, message: String(m.message) });
    else if (p.action === 'cancel_order') this.#o.onMessage({ kind: 'cancel-error', clientOrderId: p.clientOrderId, code });
    else this.#o.onLog?.('warn', 'venue error', { action: p.action, code, message: m.message });
  }
}
