import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { type ExchangeHandle, startExchange } from '../src/index.js';

type Frame = Record<string, unknown> & { type: string };

/** A WebSocket that queues parsed frames and lets a test wait for one matching a predicate. */
class Client {
  readonly frames: Frame[] = [];
  closed: { code: number } | undefined;
  private waiters: Array<{ pred: (f: Frame) => boolean; resolve: (f: Frame) => void }> = [];

  constructor(readonly ws: WebSocket) {
    ws.on('message', (d) => {
      const f = JSON.parse(d.toString()) as Frame;
      this.frames.push(f);
      this.waiters = this.waiters.filter((w) => {
        if (!w.pred(f)) return true;
        w.resolve(f);
        return false;
      });
    });
    ws.on('close', (code) => {
      this.closed = { code };
    });
  }

  static async open(url: string): Promise<Client> {
    const ws = new WebSocket(url);
    const c = new Client(ws);
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    return c;
  }

  next(pred: (f: Frame) => boolean, timeoutMs = 3000): Promise<Frame> {
    const found = this.frames.find(pred);
    if (found !== undefined) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('timed out waiting for a frame')), timeoutMs);
      this.waiters.push({
        pred,
        resolve: (f) => {
          clearTimeout(t);
          resolve(f);
        },
      });
    });
  }

  request(body: Record<string, unknown> | string, id: number): Promise<Frame> {
    this.ws.send(typeof body === 'string' ? body : JSON.stringify({ ...body, id }));
    return this.next((f) => (f.type === 'ack' || f.type === 'error' || f.type === 'pong') && f.id === id);
  }
}

let ex: ExchangeHandle;
beforeAll(async () => {
  ex = await startExchange({ instruments: 20, eventsPerSecond: 5000, maxSubscriptions: 6, heartbeatMs: 100 });
});
afterAll(async () => {
  await ex.close();
});

describe('WebSocket bad input', () => {
  it('answers each bad frame with an error naming the problem and keeps serving', async () => {
    const c = await Client.open(ex.wsUrl);
    const bystander = await Client.open(ex.wsUrl);
    expect((await bystander.request({ action: 'subscribe', channels: ['book:AAPL'] }, 1)).type).toBe('ack');

    c.ws.send('{oops');
    expect(await c.next((f) => f.type === 'error')).toMatchObject({ code: 'bad_json', id: null, channel: 'system' });
    expect(await c.request({ action: 'fly' }, 2)).toMatchObject({ type: 'error', code: 'unknown_action', field: 'action' });
    expect(await c.request({ action: 'subscribe', channels: ['book:ZZZZ', 'book:AAPL', 'book:QQQQ'] }, 3)).toMatchObject({
      code: 'unknown_instrument',
      field: 'channels[0]',
      message: expect.stringContaining('"book:QQQQ"'),
    });
    expect(await c.request({ action: 'subscribe', channels: ['candles:AAPL'] }, 4)).toMatchObject({ code: 'bad_channel' });
    expect(await c.request({ action: 'new_order', clientOrderId: 'x', instrument: 'AAPL', side: 'up', size: '1' }, 5)).toMatchObject({
      code: 'bad_request',
      field: 'side',
    });
    // Oversized (> 64 KiB, < 1 MiB): error, connection kept.
    c.ws.send(JSON.stringify({ action: 'subscribe', id: 6, channels: Array.from({ length: 8000 }, () => 'book:AAPL') }));
    expect(await c.next((f) => f.type === 'error' && f.code === 'frame_too_large')).toMatchObject({
      message: expect.stringContaining('65536'),
    });
    c.ws.send(Buffer.from([1, 2, 3]), { binary: true });
    expect(await c.next((f) => f.code === 'binary_not_supported')).toBeDefined();
    // Subscription limit (6 here): nothing applied when the request would exceed it.
    const syms = ex.instruments.slice(0, 4).map((i) => i.symbol);
    const four = syms.flatMap((s) => [`book:${s}`, `trades:${s}`]);
    expect(await c.request({ action: 'subscribe', channels: four }, 7)).toMatchObject({ code: 'too_many_subscriptions' });
    expect(await c.request({ action: 'subscribe', channels: four.slice(0, 6) }, 8)).toMatchObject({ type: 'ack', added: 6, total: 6 });
    // Duplicate subscription is idempotent (no second snapshot).
    expect(await c.request({ action: 'subscribe', channels: ['book:AAPL'] }, 9)).toMatchObject({ type: 'ack', added: 0, total: 6 });
    expect(await c.request({ action: 'snapshot', channels: [`book:${syms[3]}`] }, 10)).toMatchObject({ code: 'not_subscribed' });
    expect(c.frames.filter((f) => f.type === 'snapshot' && f.channel === 'book:AAPL')).toHaveLength(1);
    expect(await c.request({ action: 'ping' }, 11)).toMatchObject({ type: 'pong' });
    expect(c.closed).toBeUndefined();
    // The bystander kept receiving data throughout.
    const before = bystander.frames.length;
    await bystander.next((f) => f.type === 'delta' && bystander.frames.indexOf(f) >= before);
    expect(ex.stats().requestErrors).toBe(9);
    c.ws.close();
    bystander.ws.close();
  });

  it('closes with 1009 only above the hard payload limit', async () => {
    const c = await Client.open(ex.wsUrl);
    c.ws.send('x'.repeat(1_100_000));
    await new Promise((r) => c.ws.once('close', r));
    expect(c.closed?.code).toBe(1009);
  });
});

describe('HTTP bad input', () => {
  it('answers 4xx JSON errors naming the field', async () => {
    const get = async (path: string, init?: RequestInit): Promise<{ status: number; body: Record<string, unknown> }> => {
      const r = await fetch(`${ex.httpUrl}${path}`, init);
      return { status: r.status, body: (await r.json()) as Record<string, unknown> };
    };
    expect(await get('/v1/book/AAPL?depth=0')).toEqual({
      status: 400,
      body: { error: { code: 'bad_request', message: 'depth must be an integer from 1 to 1000 (got "0")', field: 'depth' } },
    });
    expect((await get('/v1/book/NOPE')).status).toBe(404);
    expect((await get('/v1/nothing')).body).toMatchObject({ error: { code: 'not_found' } });
    expect((await get('/v1/instruments', { method: 'DELETE' })).status).toBe(405);
    expect(await get('/v1/fills?sinceSeq=-2')).toMatchObject({ status: 400, body: { error: { field: 'sinceSeq' } } });
    const badFaults = await get('/v1/control/faults', { method: 'POST', body: '{"skip":{"rate":"high"},"x":1}' });
    expect(badFaults.status).toBe(400);
    expect((badFaults.body.error as { errors: string[] }).errors).toEqual([
      expect.stringMatching(/^x: is not a known setting \(allowed here: stall, /),
      'skip.rate: must be a number from 0 to 1, got "high"',
    ]);
    expect(await get('/v1/control/faults', { method: 'POST', body: '{not json' })).toMatchObject({
      status: 400,
      body: { error: { code: 'bad_json' } },
    });
    expect(await get('/v1/control/market', { method: 'POST', body: '{"paused":"yes"}' })).toMatchObject({
      status: 400,
      body: { error: { field: 'paused' } },
    });
    expect(await get('/v1/control/faults', { method: 'POST', body: 'x'.repeat(70_000) })).toMatchObject({ status: 413 });
    const book = await get('/v1/book/AAPL?depth=2');
    expect(book.status).toBe(200);
    expect((book.body.bids as unknown[]).length).toBe(2);
  });

  it('refuses WebSocket upgrades on other paths and checks account tokens', async () => {
    const secured = await startExchange({ instruments: 3, tokens: { alice: 'pw' } });
    try {
      const status = (url: string): Promise<number> =>
        new Promise((resolve) => {
          const ws = new WebSocket(url);
          ws.on('open', () => {
            ws.close();
            resolve(101);
          });
          ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
          ws.on('error', () => {});
        });
      expect(await status(`${secured.wsUrl.replace('/v1/stream', '/v2/x')}`)).toBe(404);
      expect(await status(`${secured.wsUrl}?account=alice`)).toBe(401);
      expect(await status(`${secured.wsUrl}?account=alice&token=pw`)).toBe(101);
      expect(await status(`${secured.wsUrl}?account=bob`)).toBe(101);
      expect(await status(`${secured.wsUrl}?account=b%20b`)).toBe(400);
      const r = await fetch(`${secured.httpUrl}/v1/account?account=alice`);
      expect(r.status).toBe(401);
      const ok = await fetch(`${secured.httpUrl}/v1/account?account=alice`, { headers: { authorization: 'Bearer pw' } });
      expect(await ok.json()).toMatchObject({ account: 'alice', seq: 0, positions: [] });
    } finally {
      await secured.close();
    }
  });
});

describe('order latency', () => {
  it('processes orders after latencyMs while other requests are answered at once', async () => {
    const slow = await startExchange({ instruments: 5, paused: true, latencyMs: 60 });
    try {
      const c = await Client.open(slow.wsUrl);
      const t0 = performance.now();
      c.ws.send(
        JSON.stringify({ action: 'new_order', id: 1, clientOrderId: 'a', instrument: 'AAPL', side: 'buy', price: '1.00', size: '10' }),
      );
      c.ws.send(JSON.stringify({ action: 'ping', id: 2 }));
      const ack = await c.next((f) => f.type === 'ack' && f.id === 1);
      const elapsed = performance.now() - t0;
      const order = c.frames.map((f) => `${f.type}:${String(f.id ?? f.event)}`).filter((s) => !s.startsWith('welcome'));
      expect(order.slice(0, 2)).toEqual(['pong:2', 'ack:1']);
      expect(ack).toMatchObject({ status: 'open' });
      expect(elapsed).toBeGreaterThanOrEqual(55);
      c.ws.close();
    } finally {
      await slow.close();
    }
  });
});
