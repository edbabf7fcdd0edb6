import { accountView, fillView, orderView } from './accounts.js';
import type { Conn } from './conn.js';
import { ExchangeError } from './errors.js';
import type { Instrument } from './instruments.js';
import { encodeAck, encodeError, encodeSnapshot, parseRequest, type ProtocolError, type Request, type RequestId } from './protocol.js';
import type { ExchangeHost, OrderRequest } from './host.js';
import type { SimBook } from './sim-book.js';

interface ChannelRef {
  kind: 'book' | 'trades' | 'orders';
  index: number;
}

const MAX_LISTED = 10;

function replyError(server: ExchangeHost, conn: Conn, e: ProtocolError & { retryAfterMs?: number | undefined }): void {
  server.counters.requestErrors++;
  conn.send(encodeError(e));
}

/** Entry point for every client frame. Never throws: bad input becomes an error frame. */
export function handleFrame(server: ExchangeHost, conn: Conn, data: Buffer, isBinary: boolean): void {
  server.counters.requests++;
  if (isBinary) {
    replyError(server, conn, { code: 'binary_not_supported', message: 'send requests as JSON text frames', id: null });
    return;
  }
  if (data.length > server.options.maxFrameBytes) {
    replyError(server, conn, {
      code: 'frame_too_large',
      message: `frame of ${data.length} bytes exceeds the ${server.options.maxFrameBytes}-byte limit; split the request`,
      id: null,
    });
    return;
  }
  const req = parseRequest(data.toString('utf8'));
  if ('code' in req) {
    replyError(server, conn, req);
    return;
  }
  try {
    dispatch(server, conn, req);
  } catch (err) {
    if (err instanceof ExchangeError) {
      replyError(server, conn, {
        code: err.code,
        message: err.message,
        id: req.id,
        action: req.action,
        ...(err.field !== undefined ? { field: err.field } : {}),
        ...(err.retryAfterMs !== undefined ? { retryAfterMs: err.retryAfterMs } : {}),
      });
    } else {
      throw err;
    }
  }
}

function dispatch(server: ExchangeHost, conn: Conn, req: Request): void {
  switch (req.action) {
    case 'subscribe':
      subscribe(server, conn, req.id, req.channels, req.snapshot);
      return;
    case 'unsubscribe':
      unsubscribe(server, conn, req.id, req.channels);
      return;
    case 'snapshot':
      resnapshot(server, conn, req.id, req.channels);
      return;
    case 'ping':
      if (!server.faults.config.ignorePings) conn.send(JSON.stringify({ type: 'pong', channel: 'system', id: req.id, ts: Date.now() }));
      return;
    case 'new_order':
    case 'cancel_order':
    case 'cancel_all': {
      server.counters.ordersReceived++;
      conn.orders = true;
      const latency = server.options.latencyMs;
      if (latency === 0) {
        processOrder(server, conn, req);
        server.publish(Date.now());
      } else {
        server.orderQueue.push({ dueAt: performance.now() + latency, conn, req });
      }
      return;
    }
    case 'open_orders': {
      const acc = server.engine.account(conn.account);
      if (req.instrument !== undefined && !server.bySymbol.has(req.instrument)) {
        throw new ExchangeError('unknown_instrument', `unknown instrument '${req.instrument}'`, 'instrument');
      }
      const orders = acc.openOrders().filter((o) => req.instrument === undefined || o.inst.symbol === req.instrument);
      conn.send(encodeAck(req.id, req.action, { seq: acc.seq, orders: orders.map(orderView) }));
      return;
    }
    case 'fills': {
      const acc = server.engine.account(conn.account);
      const fills = acc.fills.filter((f) => f.seq > req.sinceSeq).slice(0, req.limit);
      conn.send(encodeAck(req.id, req.action, { seq: acc.seq, fills: fills.map(fillView) }));
      return;
    }
    case 'account':
      conn.send(encodeAck(req.id, req.action, { ...accountView(server.engine.account(conn.account), server.bySymbol) }));
      return;
  }
}

/** Runs an order request against the engine (after the configured latency). */
export function processOrder(server: ExchangeHost, conn: Conn, req: OrderRequest): void {
  // A request from a connection that has closed meanwhile still reaches the engine, as on a real venue.
  const now = Date.now();
  const engine = server.engine;
  try {
    if (req.action === 'new_order') {
      const r = engine.submit(conn.account, req, now);
      if (r.ok) {
        conn.send(
          encodeAck(req.id, req.action, {
            clientOrderId: req.clientOrderId,
            orderId: r.order.orderId,
            status: r.order.status,
          }),
        );
      } else {
        replyError(server, conn, {
          code: r.error.code,
          message: r.error.message,
          id: req.id,
          action: req.action,
          ...(r.error.field !== undefined ? { field: r.error.field } : {}),
        });
      }
    } else if (req.action === 'cancel_order') {
      const o = engine.cancel(conn.account, req, now);
      conn.send(encodeAck(req.id, req.action, { clientOrderId: o.clientOrderId, orderId: o.orderId, status: o.status }));
    } else {
      const list = engine.cancelAll(conn.account, req.instrument, now);
      conn.send(encodeAck(req.id, req.action, { canceled: list.map((o) => o.orderId) }));
    }
  } catch (err) {
    if (!(err instanceof ExchangeError)) throw err;
    replyError(server, conn, {
      code: err.code,
      message: err.message,
      id: req.id,
      action: req.action,
      ...(err.field !== undefined ? { field: err.field } : {}),
    });
  }
  // Execution reports go out after the request's ack.
  server.flushReports();
}

/** Resolves channel names; throws one error naming every bad channel (up to MAX_LISTED). */
function resolveChannels(server: ExchangeHost, channels: readonly string[]): ChannelRef[] {
  const out: ChannelRef[] = [];
  const unknown: string[] = [];
  const malformed: string[] = [];
  let firstBad = -1;
  for (let i = 0; i < channels.length; i++) {
    const ch = channels[i] as string;
    if (ch === 'orders') {
      out.push({ kind: 'orders', index: -1 });
      continue;
    }
    const colon = ch.indexOf(':');
    const kind = colon > 0 ? ch.slice(0, colon) : '';
    if (kind !== 'book' && kind !== 'trades') {
      if (firstBad < 0) firstBad = i;
      malformed.push(ch);
      continue;
    }
    const inst = server.bySymbol.get(ch.slice(colon + 1));
    if (inst === undefined) {
      if (firstBad < 0) firstBad = i;
      unknown.push(ch);
      continue;
    }
    out.push({ kind, index: inst.index });
  }
  const list = (xs: string[]): string =>
    xs
      .slice(0, MAX_LISTED)
      .map((x) => JSON.stringify(x.slice(0, 40)))
      .join(', ') + (xs.length > MAX_LISTED ? ` and ${xs.length - MAX_LISTED} more` : '');
  if (malformed.length > 0) {
    throw new ExchangeError(
      'bad_channel',
      `bad channel ${list(malformed)}: use book:<symbol>, trades:<symbol> or orders`,
      `channels[${firstBad}]`,
    );
  }
  if (unknown.length > 0) {
    throw new ExchangeError('unknown_instrument', `unknown instrument in channel ${list(unknown)}`, `channels[${firstBad}]`);
  }
  return out;
}

function subscribe(server: ExchangeHost, conn: Conn, id: RequestId, channels: string[], snapshot: boolean): void {
  const lim = server.faults.config.subscribeLimit;
  if (lim !== null) {
    const now = Date.now();
    const wait = conn.subscribeLimiter.hit(lim, now);
    if (wait > 0) {
      server.faults.record({ kind: 'rate_limited', connectionId: conn.id, ts: now });
      throw new ExchangeError('rate_limited', `too many subscribe requests; retry in ${wait} ms`, undefined, wait);
    }
  }
  const refs = resolveChannels(server, channels);
  let added = 0;
  const seen = new Set<string>();
  for (const r of refs) {
    const key = `${r.kind}:${r.index}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const isNew = r.kind === 'orders' ? !conn.orders : r.kind === 'book' ? !conn.book.has(r.index) : !conn.trades.has(r.index);
    if (isNew) added++;
  }
  if (conn.subscriptionCount + added > server.options.maxSubscriptions) {
    throw new ExchangeError(
      'too_many_subscriptions',
      `this request would hold ${conn.subscriptionCount + added} channels; the limit is ${server.options.maxSubscriptions} per connection`,
      'channels',
    );
  }
  // Publish pending changes first so every snapshot below is exactly the state at its seq.
  server.publish(Date.now());
  const fresh: number[] = [];
  for (const r of refs) {
    if (r.kind === 'orders') conn.orders = true;
    else if (r.kind === 'trades') {
      conn.trades.add(r.index);
      server.tradeSubs[r.index]?.add(conn);
    } else if (!conn.book.has(r.index)) {
      conn.book.add(r.index);
      server.bookSubs[r.index]?.add(conn);
      fresh.push(r.index);
    }
  }
  conn.send(encodeAck(id, 'subscribe', { channels: channels.length, added, total: conn.subscriptionCount }));
  if (snapshot) sendSnapshots(server, conn, fresh);
}

function unsubscribe(server: ExchangeHost, conn: Conn, id: RequestId, channels: string[]): void {
  const refs = resolveChannels(server, channels);
  let removed = 0;
  for (const r of refs) {
    if (r.kind === 'orders') {
      if (conn.orders) removed++;
      conn.orders = false;
    } else if (r.kind === 'book') {
      if (conn.book.delete(r.index)) removed++;
      server.bookSubs[r.index]?.delete(conn);
    } else {
      if (conn.trades.delete(r.index)) removed++;
      server.tradeSubs[r.index]?.delete(conn);
    }
  }
  server.counters.unsubscribed += removed;
  conn.send(encodeAck(id, 'unsubscribe', { channels: channels.length, removed, total: conn.subscriptionCount }));
}

function resnapshot(server: ExchangeHost, conn: Conn, id: RequestId, channels: string[]): void {
  const refs = resolveChannels(server, channels);
  const idx: number[] = [];
  for (let i = 0; i < refs.length; i++) {
    const r = refs[i] as ChannelRef;
    if (r.kind !== 'book' || !conn.book.has(r.index)) {
      throw new ExchangeError('not_subscribed', `channel '${channels[i]}' is not a subscribed book channel`, `channels[${i}]`);
    }
    idx.push(r.index);
  }
  server.publish(Date.now());
  conn.send(encodeAck(id, 'snapshot', { channels: channels.length }));
  sendSnapshots(server, conn, idx);
}

function sendSnapshots(server: ExchangeHost, conn: Conn, indices: readonly number[]): void {
  const ts = Date.now();
  conn.socket.cork();
  for (const i of indices) {
    conn.send(encodeSnapshot(server.instruments[i] as Instrument, server.market.books[i] as SimBook, ts));
    server.counters.snapshotsSent++;
  }
  process.nextTick(() => conn.socket.uncork());
}
