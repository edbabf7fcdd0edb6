/**
 * The emulator's HTTP side: the venue's REST endpoints (instrument list, book snapshots), plus the
 * embedded exchange's fault control (`GET|POST /v1/control/faults`) and a status endpoint
 * (`GET /v1/emulator/status`).
 */

import type { IncomingMessage, ServerResponse } from 'node:http';
import { validateFaultPatch } from '@tickline/exchange';
import type { EmulatorHost } from './host.js';

const MAX_BODY = 64 * 1024;

function send(res: ServerResponse, status: number, body: string, headers: Readonly<Record<string, string>> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers });
  res.end(body);
}

function parseJson(text: string | null): unknown {
  if (text === null) return null;
  try {
    return text === '' ? {} : (JSON.parse(text) as unknown);
  } catch {
    return null;
  }
}

async function readBody(req: IncomingMessage): Promise<string | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > MAX_BODY) return null;
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export async function handleHttp(server: EmulatorHost, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  try {
    if (url.pathname === '/v1/emulator/status') {
      send(res, 200, JSON.stringify(server.stats()));
      return;
    }
    if (url.pathname === '/v1/control/market' && req.method === 'POST') {
      const body = parseJson(await readBody(req));
      const paused = (body as { paused?: unknown } | null)?.paused;
      if (typeof paused !== 'boolean') return send(res, 400, JSON.stringify({ error: 'body must be {"paused": true|false}' }));
      server.timeline.setPaused(paused);
      send(res, 200, JSON.stringify({ ok: true, paused, frames: server.timeline.stats().frames }));
      return;
    }
    if (url.pathname === '/v1/control/faults') {
      if (req.method === 'GET') {
        send(res, 200, JSON.stringify({ faults: server.faults.config, injected: server.injectedFaults().slice(-1000) }));
        return;
      }
      if (req.method !== 'POST') return send(res, 405, JSON.stringify({ error: 'use GET or POST' }));
      const text = await readBody(req);
      if (text === null) return send(res, 413, JSON.stringify({ error: `body over ${MAX_BODY} bytes` }));
      const raw = parseJson(text);
      if (raw === null) return send(res, 400, JSON.stringify({ error: 'body: not valid JSON' }));
      const v = validateFaultPatch(raw, '', true);
      if (!v.ok) return send(res, 400, JSON.stringify({ error: v.errors.join('; ') }));
      server.applyFaults(v.value);
      send(res, 200, JSON.stringify({ ok: true, faults: server.faults.config }));
      return;
    }
    if (req.method !== 'GET') return send(res, 405, JSON.stringify({ error: 'the emulated REST API is read-only (GET)' }));
    server.restRequests++;
    const answer = await server.venue.rest(url.pathname, url.searchParams, server);
    if (answer === null) return send(res, 404, JSON.stringify({ error: `no ${server.options.venue} endpoint ${url.pathname}` }));
    send(res, answer.status, answer.body, answer.headers);
  } catch (err) {
    server.log('error', 'HTTP request failed', { path: url.pathname, error: (err as Error).message });
    if (!res.headersSent) send(res, 500, JSON.stringify({ error: 'internal error' }));
  }
}
