/**
 * The start-up instrument list against a real HTTP server on loopback: retries on 5xx, 429 with
 * Retry-After and refused connections; no retry on other 4xx; the last good list is cached with
 * its date and used (and said to be used) while the venue is down; credentials never appear in an
 * error.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type InstrumentListOptions, loadInstrumentList } from '../src/index.js';

const LIST = {
  symbols: [
    { symbol: 'BTCUSDT', p: 2, s: 5 },
    { symbol: 'ETHUSDT', p: 2, s: 4 },
  ],
};
const parse: InstrumentListOptions['parse'] = (bodies) => {
  const b = bodies[0] as typeof LIST;
  if (!Array.isArray(b?.symbols)) throw new TypeError('list must have "symbols"');
  return {
    instruments: b.symbols.map((x) => ({
      venue: 'binance-spot' as const,
      symbol: x.symbol,
      priceScale: x.p,
      sizeScale: x.s,
      tickSize: 1,
      lotSize: 1,
    })),
    skipped: { not_an_object: 0 },
    samples: [],
  };
};

let server: Server | null = null;
afterEach(async () => {
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  server = null;
});

/** Serves `answers` in turn (the last one repeats); records each request. */
async function serve(answers: { status: number; body?: string; headers?: Record<string, string> }[], seen: IncomingMessage[] = []) {
  let i = 0;
  const srv = createServer((req, res) => {
    seen.push(req);
    const a = answers[Math.min(i++, answers.length - 1)] as (typeof answers)[number];
    res.writeHead(a.status, { 'content-type': 'application/json', ...a.headers });
    res.end(a.body ?? '');
  });
  server = srv;
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(srv.address() as AddressInfo).port}`;
}

const opts = (baseUrl: string, cacheDir: string | null, extra: Partial<InstrumentListOptions> = {}): InstrumentListOptions => ({
  venue: 'binance-spot',
  baseUrl,
  requests: ['/api/v3/exchangeInfo'],
  parse,
  cacheDir,
  retryBaseMs: 1,
  ...extra,
});

describe('loadInstrumentList', () => {
  it('retries 5xx and 429 (after Retry-After), then caches the list with its date', async () => {
    const seen: IncomingMessage[] = [];
    const base = await serve(
      [
        { status: 503, body: 'busy' },
        { status: 429, headers: { 'retry-after': '0' } },
        { status: 200, body: JSON.stringify(LIST) },
      ],
      seen,
    );
    const dir = mkdtempSync(join(tmpdir(), 'tkl-list-'));
    const logs: string[] = [];
    const l = await loadInstrumentList(opts(base, dir, { log: (_lvl, msg) => logs.push(msg) }));
    expect(seen.map((r) => r.url)).toEqual(['/api/v3/exchangeInfo', '/api/v3/exchangeInfo', '/api/v3/exchangeInfo']);
    expect(l.source).toBe('venue');
    expect(l.instruments.map((i) => i.symbol)).toEqual(['BTCUSDT', 'ETHUSDT']);
    expect(logs.filter((m) => m.includes('retrying'))).toHaveLength(2);
    const cached = JSON.parse(readFileSync(l.cacheFile as string, 'utf8'));
    expect(cached).toMatchObject({ format: 'tickline-instrument-list', version: 1, venue: 'binance-spot', fetchedAt: l.fetchedAt });
    expect(Date.parse(l.fetchedAt)).toBeGreaterThan(Date.now() - 60_000);
  });

  it('venue down at restart: the cached list is used, with its date and the reason', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tkl-list-'));
    const base = await serve([{ status: 200, body: JSON.stringify(LIST) }]);
    const first = await loadInstrumentList(opts(base, dir));
    await new Promise<void>((r) => server?.close(() => r()));
    server = null;
    const logs: { msg: string; data?: Record<string, unknown> }[] = [];
    const again = await loadInstrumentList(
      opts(base, dir, { maxAttempts: 2, log: (_l, msg, data) => logs.push({ msg, ...(data ? { data } : {}) }) }),
    );
    expect(again.source).toBe('cache');
    expect(again.fetchedAt).toBe(first.fetchedAt);
    expect(again.instruments).toEqual(first.instruments);
    expect(again.venueError).toMatch(/GET http:\/\/127\.0\.0\.1:\d+\/api\/v3\/exchangeInfo failed: .*ECONNREFUSED.*\(2 attempts\)/);
    expect(logs.at(-1)).toMatchObject({
      msg: 'venue instrument list unavailable: using the cached list',
      data: { fetchedAt: first.fetchedAt },
    });
  });

  it('a 4xx is not retried; with no cache the error names the venue, the request and the answer', async () => {
    const seen: IncomingMessage[] = [];
    const base = await serve([{ status: 404, body: '{"code":-1,"msg":"not found"}' }], seen);
    const err = await loadInstrumentList(opts(base, mkdtempSync(join(tmpdir(), 'tkl-list-')))).catch((e) => e);
    expect(seen).toHaveLength(1);
    expect(err.code).toBe('ERR_INGEST_INSTRUMENT_LIST');
    expect(err.message).toMatch(
      /binance-spot instrument list: GET http:\/\/127\.0\.0\.1:\d+\/api\/v3\/exchangeInfo answered HTTP 404: \{"code":-1,"msg":"not found"\}; no cached list at /,
    );
  });

  it('a document of the wrong shape is an error (not retried), and a damaged cache is not trusted', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tkl-list-'));
    const base = await serve([{ status: 200, body: '{"code":-1003,"msg":"Too much request weight used"}' }]);
    const first = await loadInstrumentList(opts(base, dir)).catch((e) => e);
    expect(first.message).toMatch(/list must have "symbols"/);
    writeFileSync(
      join(dir, `binance-spot-127.0.0.1_${new URL(base).port}.json`),
      '{"format":"tickline-instrument-list","version":1,"venue":"okx"}',
    );
    const second = await loadInstrumentList(opts(base, dir)).catch((e) => e);
    expect(second.message).toMatch(/is unusable: it holds okx, not binance-spot/);
  });

  it('credentials in the URL and in headers never appear in errors or logs', async () => {
    const seen: IncomingMessage[] = [];
    const base = await serve([{ status: 500, body: 'echo TOPSECRETKEY1' }], seen);
    const withUser = base.replace('http://', 'http://user:TOPSECRETPASS@');
    const logs: string[] = [];
    const err = await loadInstrumentList(
      opts(withUser, null, {
        requests: ['/api/v3/exchangeInfo?apiKey=TOPSECRETQUERY'],
        headers: { 'X-MBX-APIKEY': 'TOPSECRETKEY1' },
        maxAttempts: 2,
        log: (_l, msg, data) => logs.push(msg + JSON.stringify(data)),
      }),
    ).catch((e) => e);
    expect(seen[0]?.headers['x-mbx-apikey']).toBe('TOPSECRETKEY1');
    const text = `${err.message}\n${logs.join('\n')}`;
    expect(text).toMatch(/HTTP 500/);
    expect(text).not.toMatch(/TOPSECRET/);
    expect(text).toContain('[redacted]');
  });
});
