import type { IncomingMessage, ServerResponse } from 'node:http';
import { accountView, fillView, orderView } from './accounts.js';
import { validateFaultPatch } from './faults.js';
import { credentials, readJsonBody, sendError, sendJson } from './http-util.js';
import { type Instrument, instrumentInfo } from './instruments.js';
import { encodeRestBook } from './protocol.js';
import type { ExchangeHost } from './host.js';
import type { SimBook } from './sim-book.js';
import { isRecord } from '@tickline/runtime/config-schema';

const MAX_BODY = 65_536;
const MAX_DEPTH = 1000;
const MAX_BULK = 1000;

function intParam(url: URL, name: string, min: number, max: number, def: number): number | string {
  const raw = url.searchParams.get(name);
  if (raw === null) return def;
  const v = /^\d{1,9}$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isInteger(v) || v < min || v > max)
    return `${name} must be an integer from ${min} to ${max} (got ${JSON.stringify(raw.slice(0, 20))})`;
  return v;
}

/** REST API: instruments, book snapshots, account queries, stats and the control endpoints. */
export async function handleHttp(server: ExchangeHost, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const path = url.pathname;
  const method = req.method ?? 'GET';
  const isGet = method === 'GET' || method === 'HEAD';

  if (path === '/v1/control/faults') {
    if (method === 'GET') {
      const since = intParam(url, 'since', 0, Number.MAX_SAFE_INTEGER, 0);
      if (typeof since === 'string') return sendError(res, 'bad_request', since, 'since');
      const f = server.faults;
      const first = f.injectedTotal - f.log.length;
      const injected = f.log.slice(Math.max(0, since - first));
      return sendJson(res, 200, JSON.stringify({ faults: f.config, injectedTotal: f.injectedTotal, injected }));
    }
    if (method !== 'POST') return sendError(res, 'method_not_allowed', 'use GET or POST', undefined, { allow: 'GET, POST' });
    const body = await readJsonBody(req, res, MAX_BODY);
    if (body === undefined) return;
    const v = validateFaultPatch(body, '', true);
    if (!v.ok)
      return sendJson(res, 400, JSON.stringify({ error: { code: 'bad_request', message: v.errors.join('; '), errors: v.errors } }));
    server.applyFaults(v.value);
    return sendJson(res, 200, JSON.stringify({ ok: true, faults: server.faults.config }));
  }
  if (path === '/v1/control/market') {
    if (method !== 'POST') return sendError(res, 'method_not_allowed', 'use POST', undefined, { allow: 'POST' });
    const body = await readJsonBody(req, res, MAX_BODY);
    if (body === undefined) return;
    if (!isRecord(body) || typeof body.paused !== 'boolean' || Object.keys(body).length !== 1) {
      return sendError(res, 'bad_request', 'body must be {"paused": true|false}', 'paused');
    }
    server.setPaused(body.paused);
    const seqs = server.market.books.reduce((a, b) => a + b.seq, 0);
    return sendJson(res, 200, JSON.stringify({ ok: true, paused: server.paused, steps: server.market.stepCount, seqTotal: seqs }));
  }
  if (!isGet) return sendError(res, 'method_not_allowed', `${method} is not allowed on ${path}`, undefined, { allow: 'GET' });

  if (path === '/v1/instruments') {
    return sendJson(res, 200, JSON.stringify({ instruments: server.instruments.map(instrumentInfo) }));
  }
  if (path.startsWith('/v1/book/')) {
    const symbol = decodeURIComponent(path.slice('/v1/book/'.length));
    const inst = server.bySymbol.get(symbol);
    if (inst === undefined) return sendError(res, 'unknown_instrument', `unknown instrument '${symbol.slice(0, 40)}'`, 'instrument');
    const depth = intParam(url, 'depth', 1, MAX_DEPTH, MAX_DEPTH);
    if (typeof depth === 'string') return sendError(res, 'bad_request', depth, 'depth');
    server.publish(Date.now());
    return sendJson(res, 200, encodeRestBook(inst, server.market.books[inst.index] as SimBook, Date.now(), depth));
  }
  if (path === '/v1/books') {
    const list = (url.searchParams.get('symbols') ?? '').split(',').filter((x) => x.length > 0);
    if (list.length === 0 || list.length > MAX_BULK) {
      return sendError(res, 'bad_request', `symbols must list 1 to ${MAX_BULK} comma-separated symbols`, 'symbols');
    }
    const depth = intParam(url, 'depth', 1, MAX_DEPTH, MAX_DEPTH);
    if (typeof depth === 'string') return sendError(res, 'bad_request', depth, 'depth');
    const insts = list.map((sym) => server.bySymbol.get(sym));
    const missing = list.filter((_, i) => insts[i] === undefined);
    if (missing.length > 0) {
      return sendError(
        res,
        'unknown_instrument',
        `unknown instrument ${missing
          .slice(0, 10)
          .map((m) => JSON.stringify(m.slice(0, 40)))
          .join(', ')}`,
        'symbols',
      );
    }
    server.publish(Date.now());
    const ts = Date.now();
    const parts = insts.map((inst) =>
      encodeRestBook(inst as Instrument, server.market.books[(inst as Instrument).index] as SimBook, ts, depth),
    );
    return sendJson(res, 200, `{"books":[${parts.join(',')}]}`);
  }
  if (path === '/v1/stats') return sendJson(res, 200, JSON.stringify(server.stats()));
  if (path === '/v1/health') return sendJson(res, 200, '{"ok":true}');

  if (path === '/v1/account' || path === '/v1/orders' || path === '/v1/fills') {
    const { account, token } = credentials(req, url);
    const need = server.options.tokens[account];
    if (need !== undefined && token !== need) return sendError(res, 'unauthorized', `account '${account}' needs its token`, 'token');
    const acc = server.engine.accounts.get(account);
    if (path === '/v1/account') {
      if (acc === undefined) {
        return sendJson(
          res,
          200,
          JSON.stringify({
            account,
            seq: 0,
            cash: '0.00000000',
            feesPaid: '0.00000000',
            positions: [],
            openOrders: 0,
            fills: 0,
          }),
        );
      }
      return sendJson(res, 200, JSON.stringify(accountView(acc, server.bySymbol)));
    }
    if (path === '/v1/orders') {
      const instrument = url.searchParams.get('instrument');
      if (instrument !== null && !server.bySymbol.has(instrument)) {
        return sendError(res, 'unknown_instrument', `unknown instrument '${instrument.slice(0, 40)}'`, 'instrument');
      }
      const orders = (acc?.openOrders() ?? []).filter((o) => instrument === null || o.inst.symbol === instrument);
      return sendJson(res, 200, JSON.stringify({ account, seq: acc?.seq ?? 0, orders: orders.map(orderView) }));
    }
    const since = intParam(url, 'sinceSeq', 0, Number.MAX_SAFE_INTEGER, 0);
    if (typeof since === 'string') return sendError(res, 'bad_request', since, 'sinceSeq');
    const limit = intParam(url, 'limit', 1, 10_000, 1000);
    if (typeof limit === 'string') return sendError(res, 'bad_request', limit, 'limit');
    const fills = (acc?.fills ?? []).filter((f) => f.seq > since).slice(0, limit);
    return sendJson(res, 200, JSON.stringify({ account, seq: acc?.seq ?? 0, fills: fills.map(fillView) }));
  }
  return sendError(res, 'not_found', `no endpoint ${path.slice(0, 80)}`);
}
