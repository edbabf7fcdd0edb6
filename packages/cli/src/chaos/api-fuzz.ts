/**
 * `api-fuzz`: the dashboard's control API (on the trading pipeline, with a token) and the
 * exchange's REST and WebSocket endpoints get malformed, oversized, wrongly typed and
 * unauthenticated requests while the trader trades. Every one must be answered with a 4xx (a
 * WebSocket request: an `error` frame) carrying a reason; nothing may crash; and nothing may
 * change: risk's trading state, ingest's instruments, the exchange's faults and market, and a
 * token-protected exchange account.
 */

import { type DashboardHandle, startDashboard } from '@tickline/dashboard';
import { createLogger, MarketViewTable } from '@tickline/runtime';
import { InstrumentRegistry } from '@tickline/wire';
import WebSocket from 'ws';
import { type ChaosContext, type ChaosEnv, type ChaosResult, getJson, sleep, withEnv } from './harness.js';

const TOKEN = 'chaos-dashboard-token';
const VAULT = { account: 'vault', token: 'chaos-vault-token' };
const HUGE = 'x'.repeat(2 * 1024 * 1024);
const DEEP = `${'['.repeat(50_000)}${']'.repeat(50_000)}`;

interface Probe {
  what: string;
  url: string;
  init: RequestInit;
}

/** Bad requests for one control route: unauthenticated, then authenticated but broken. */
function controlProbes(base: string, path: string, valid: unknown): Probe[] {
  const json = { 'content-type': 'application/json' };
  const auth = { ...json, authorization: `Bearer ${TOKEN}` };
  const post = (headers: Record<string, string>, body: string): RequestInit => ({ method: 'POST', headers, body });
  return [
    { what: `${path} without a token`, url: base + path, init: post(json, JSON.stringify(valid)) },
    { what: `${path} with a wrong token`, url: base + path, init: post({ ...json, authorization: 'Bearer nope' }, JSON.stringify(valid)) },
    { what: `${path} with the token in the query`, url: `${base}${path}?token=${TOKEN}`, init: post(json, JSON.stringify(valid)) },
    { what: `${path} malformed JSON`, url: base + path, init: post(auth, '{"on": tru') },
    { what: `${path} oversized`, url: base + path, init: post(auth, JSON.stringify({ reason: HUGE })) },
    { what: `${path} deep nesting`, url: base + path, init: post(auth, DEEP) },
    { what: `${path} wrong types`, url: base + path, init: post(auth, JSON.stringify({ on: 'yes', state: 7, action: [], symbols: {} })) },
    { what: `${path} unknown keys`, url: base + path, init: post(auth, JSON.stringify({ ...(valid as object), extra: 1 })) },
    { what: `${path} prototype keys`, url: base + path, init: post(auth, '{"__proto__":{"on":true},"constructor":{"prototype":{"x":1}}}') },
    { what: `${path} not JSON`, url: base + path, init: post({ ...auth, 'content-type': 'text/plain' }, 'on=true') },
    { what: `${path} wrong method`, url: base + path, init: { method: 'PUT', headers: auth, body: JSON.stringify(valid) } },
  ];
}

function exchangeProbes(http: string): Probe[] {
  const post = (body: string): RequestInit => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body });
  return [
    { what: 'book of an unknown symbol', url: `${http}/v1/book/NOPE`, init: {} },
    { what: 'book with an oversized symbol', url: `${http}/v1/book/${'A'.repeat(10_000)}`, init: {} },
    { what: 'book with a bad depth', url: `${http}/v1/book/AAPL?depth=-1e9`, init: {} },
    { what: 'books without symbols', url: `${http}/v1/books?symbols=`, init: {} },
    { what: 'books with too many symbols', url: `${http}/v1/books?symbols=${Array(1001).fill('AAPL').join(',')}`, init: {} },
    { what: 'fills with a bad limit', url: `${http}/v1/fills?limit=999999999999`, init: {} },
    { what: 'account without its token', url: `${http}/v1/account?account=${VAULT.account}`, init: {} },
    { what: 'orders with a wrong token', url: `${http}/v1/orders?account=${VAULT.account}&token=nope`, init: {} },
    { what: 'faults malformed', url: `${http}/v1/control/faults`, init: post('{"drop":') },
    { what: 'faults wrong types', url: `${http}/v1/control/faults`, init: post(JSON.stringify({ stall: 'AAPL', skip: { rate: 7 } })) },
    { what: 'faults unknown keys', url: `${http}/v1/control/faults`, init: post(JSON.stringify({ explode: true })) },
    { what: 'faults prototype keys', url: `${http}/v1/control/faults`, init: post('{"__proto__":{"drop":"all"}}') },
    { what: 'faults oversized', url: `${http}/v1/control/faults`, init: post(JSON.stringify({ stall: [HUGE] })) },
    { what: 'faults deep nesting', url: `${http}/v1/control/faults`, init: post(DEEP) },
    { what: 'market wrong type', url: `${http}/v1/control/market`, init: post(JSON.stringify({ paused: 'yes' })) },
    { what: 'instruments wrong method', url: `${http}/v1/instruments`, init: { method: 'DELETE' } },
    { what: 'unknown endpoint', url: `${http}/v1/${'x'.repeat(5000)}`, init: {} },
  ];
}

/** WebSocket requests the exchange must answer with an error frame each, keeping the connection. */
const WS_FRAMES: string[] = [
  'not json',
  '[]',
  'null',
  '{"action":42}',
  '{"action":"explode","id":1}',
  '{"action":"subscribe","id":2,"channels":"book:AAPL"}',
  '{"action":"subscribe","id":3,"channels":["book:NOPE","zz"]}',
  '{"action":"new_order","id":4,"instrument":"AAPL","side":"sideways","type":"limit","price":"abc","size":"-1"}',
  '{"action":"new_order","id":5,"instrument":"AAPL","side":"buy","type":"limit","price":"1e999","size":"1e999","clientOrderId":"x"}',
  '{"action":"cancel_order","id":6,"orderId":{"$gt":""}}',
  '{"__proto__":{"action":"cancel_all"},"id":7}',
  `{"action":"subscribe","id":8,"channels":["${'A'.repeat(70_000)}"]}`,
  DEEP.slice(0, 60_000),
];

interface Tally {
  requests: number;
  answered4xx: number;
  withReason: number;
  wrong: string[];
}

async function probe(t: Tally, p: Probe): Promise<void> {
  t.requests++;
  try {
    const res = await fetch(p.url, { signal: AbortSignal.timeout(10_000), ...p.init });
    const text = await res.text();
    if (res.status >= 400 && res.status < 500) t.answered4xx++;
    else t.wrong.push(`${p.what}: HTTP ${res.status}`);
    if (/"(message|error)"\s*:/.test(text)) t.withReason++;
    else t.wrong.push(`${p.what}: no reason in ${JSON.stringify(text.slice(0, 80))}`);
  } catch (err) {
    t.wrong.push(`${p.what}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** The WebSocket frames on one connection; then an upgrade for the vault account without its token. */
async function fuzzWebSocket(t: Tally, wsUrl: string): Promise<void> {
  const ws = new WebSocket(`${wsUrl}?account=fuzz`);
  const errors: unknown[] = [];
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  ws.on('message', (d: Buffer) => {
    try {
      const f = JSON.parse(String(d)) as { type?: string; code?: string; message?: string };
      if (f.type === 'error') errors.push(f);
    } catch {}
  });
  for (const f of WS_FRAMES) {
    t.requests++;
    ws.send(f);
  }
  const end = performance.now() + 5000;
  while (errors.length < WS_FRAMES.length && performance.now() < end) await sleep(20);
  const withReason = errors.filter((e) => typeof (e as { message?: unknown }).message === 'string').length;
  t.answered4xx += Math.min(errors.length, WS_FRAMES.length);
  t.withReason += Math.min(withReason, WS_FRAMES.length);
  if (errors.length !== WS_FRAMES.length) t.wrong.push(`WebSocket: ${errors.length} error frames for ${WS_FRAMES.length} bad requests`);
  if (ws.readyState !== WebSocket.OPEN) t.wrong.push('WebSocket: the exchange closed the connection');
  ws.terminate();
  t.requests++;
  const status = await new Promise<number>((resolve) => {
    const v = new WebSocket(`${wsUrl}?account=${VAULT.account}`);
    v.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    v.on('open', () => {
      v.terminate();
      resolve(101);
    });
    v.on('error', () => {});
  });
  if (status === 401) {
    t.answered4xx++;
    t.withReason++;
  } else t.wrong.push(`WebSocket upgrade without the vault's token: ${status}`);
}

/** Everything a request without the token (or a broken one) must leave as it was. */
async function fingerprint(env: ChaosEnv): Promise<Record<string, unknown>> {
  const risk = (await env.run.pipeline.command('risk', 'report', {})) as { state?: string; haltReasons?: string[] }[];
  const faults = await getJson<{ faults: unknown }>(`${env.httpUrl}/v1/control/faults`);
  const vault = await getJson(`${env.httpUrl}/v1/account?account=${VAULT.account}&token=${VAULT.token}`);
  const ex = await env.exchangeStats();
  return {
    risk: risk.map((r) => [r.state, r.haltReasons]),
    // instruments ingest subscribes (an unsubscribe removes one; load shedding only parks it)
    instruments: (await env.core('ingest')).instruments,
    paused: ex.paused,
    faults: faults.faults,
    vault,
  };
}

export async function apiFuzz(ctx: ChaosContext): Promise<ChaosResult> {
  const options = { exchange: { tokens: { [VAULT.account]: VAULT.token } } };
  return withEnv('api-fuzz', ctx, options, async (env, v) => {
    const registry = new InstrumentRegistry();
    for (const s of env.run.registry) registry.add(s);
    let dash: DashboardHandle | null = null;
    try {
      dash = await startDashboard({
        port: 0,
        token: TOKEN,
        pipeline: env.run.pipeline,
        marketView: new MarketViewTable(Math.max(1, ...env.run.registry.map((s) => s.id + 1))),
        registry,
        events: { on: () => () => {} },
        log: createLogger('warn'),
        venue: 'sim',
        announce: false,
      });
      const base = dash.url.replace(/\/$/, '');
      const before = await fingerprint(env);
      const restarts0 = (await env.run.pipeline.stats()).restarts;
      const t: Tally = { requests: 0, answered4xx: 0, withReason: 0, wrong: [] };
      const probes = [
        ...controlProbes(base, '/api/kill-switch', { on: true, reason: 'fuzz' }),
        ...controlProbes(base, '/api/trading-state', { state: 'halted' }),
        ...controlProbes(base, '/api/subscriptions', { action: 'unsubscribe', symbols: [env.run.registry[0]?.symbol] }),
        ...controlProbes(base, '/api/resync', { symbol: env.run.registry[0]?.symbol }),
        { what: 'read API without a token', url: `${base}/api/trading`, init: {} },
        { what: 'book of an unknown symbol', url: `${base}/api/book/NOPE`, init: { headers: { authorization: `Bearer ${TOKEN}` } } },
        ...exchangeProbes(env.httpUrl),
      ];
      for (const p of probes) await probe(t, p);
      await fuzzWebSocket(t, env.run.exchange.wsUrl);
      await sleep(500);
      const after = await fingerprint(env);
      const restarts = (await env.run.pipeline.stats()).restarts - restarts0;
      const exchangeUp = (await fetch(`${env.httpUrl}/v1/health`)).ok;
      const dashboardUp = (await fetch(`${base}/api/health`, { headers: { authorization: `Bearer ${TOKEN}` } })).ok;
      const changed = Object.keys(before).filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]));
      v.set({
        requests: t.requests,
        answered4xx: t.answered4xx,
        withReason: t.withReason,
        crashes: restarts + (exchangeUp ? 0 : 1) + (dashboardUp ? 0 : 1),
        stateChanges: changed.length,
        ...(changed.length > 0 ? { changed } : {}),
        ...(t.wrong.length > 0 ? { wrong: t.wrong.slice(0, 20) } : {}),
      });
      v.check(t.answered4xx === t.requests, `${t.requests - t.answered4xx} of ${t.requests} requests not answered with a 4xx`);
      v.check(t.withReason === t.requests, `${t.requests - t.withReason} answers without a reason`);
      v.check(
        restarts === 0 && exchangeUp && dashboardUp,
        `crashes: ${restarts} restarts, exchange up ${exchangeUp}, dashboard up ${dashboardUp}`,
      );
      v.check(changed.length === 0, `state changed: ${changed.join(', ')}`);
    } finally {
      await dash?.close();
    }
  });
}
