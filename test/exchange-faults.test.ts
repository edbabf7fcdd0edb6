/**
 * Fault injection of the embedded exchange, observed by plain `ws` clients as the protocol document
 * describes it: drops, stalls, duplicates, reordering, malformed frames, subscribe and upgrade rate
 * limits, refused connections and unanswered pings.
 */
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ExchangeHandle, startExchange } from '@tickline/exchange';

type Frame = Record<string, unknown> & { type: string; channel: string };
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

class Conn {
  readonly frames: Frame[] = [];
  readonly unparsable: string[] = [];
  closeCode: number | undefined;
  private nextId = 1;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (d: Buffer) => {
      const text = d.toString();
      try {
        const f = JSON.parse(text) as Frame;
        if (Conn.wellFormed(f)) this.frames.push(f);
        else this.unparsable.push(text);
      } catch {
        this.unparsable.push(text);
      }
    });
    ws.on('close', (code) => {
      this.closeCode = code;
    });
    ws.on('error', () => {});
  }

  /** Shape checks from the protocol document (enough to tell a broken frame). */
  static wellFormed(f: unknown): f is Frame {
    if (typeof f !== 'object' || f === null || Array.isArray(f)) return false;
    const o = f as Record<string, unknown>;
    if (typeof o.type !== 'string' || typeof o.channel !== 'string') return false;
    if (o.type === 'delta' || o.type === 'snapshot') {
      return typeof o.seq === 'number' && Array.isArray(o.bids) && Array.isArray(o.asks) && /^book:[A-Z0-9.-]+$/.test(o.channel);
    }
    return true;
  }

  static async open(url: string): Promise<Conn> {
    const ws = new WebSocket(url);
    const c = new Conn(ws);
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    return c;
  }

  async wait(pred: (f: Frame) => boolean, timeoutMs = 3000): Promise<Frame> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const f = this.frames.find(pred);
      if (f) return f;
      if (Date.now() > end) throw new Error('timed out waiting for a frame');
      await sleep(10);
    }
  }

  async request(body: Record<string, unknown>): Promise<Frame> {
    const id = this.nextId++;
    this.ws.send(JSON.stringify({ ...body, id }));
    return this.wait((f) => (f.type === 'ack' || f.type === 'error' || f.type === 'pong') && f.id === id);
  }

  deltas(symbol: string): number[] {
    return this.frames.filter((f) => f.type === 'delta' && f.channel === `book:${symbol}`).map((f) => f.seq as number);
  }
}

let ex: ExchangeHandle;
const conns: Conn[] = [];
const open = async (): Promise<Conn> => {
  const c = await Conn.open(ex.wsUrl);
  conns.push(c);
  return c;
};
const faults = async (body: unknown): Promise<Record<string, unknown>> => {
  const r = await fetch(`${ex.httpUrl}/v1/control/faults`, { method: 'POST', body: JSON.stringify(body) });
  expect(r.status).toBe(200);
  return (await r.json()) as Record<string, unknown>;
};
const injected = async (kind: string): Promise<Array<{ instrument?: string; seq?: number; connectionId?: number }>> => {
  type Injected = { kind: string; instrument?: string; seq?: number; connectionId?: number };
  const r = (await (await fetch(`${ex.httpUrl}/v1/control/faults`)).json()) as { injected: Injected[] };
  return r.injected.filter((f) => f.kind === kind);
};

beforeAll(async () => {
  ex = await startExchange({ instruments: 20, eventsPerSecond: 20_000, heartbeatMs: 100, pingIntervalMs: 0 });
});
afterAll(async () => {
  for (const c of conns) c.ws.terminate();
  await ex.close();
});

describe('exchange faults', () => {
  it('drops one connection, then all, without affecting the others first', async () => {
    const a = await open();
    const b = await open();
    const idA = (await a.wait((f) => f.type === 'welcome')).connectionId as number;
    await b.request({ action: 'subscribe', channels: ['book:AAPL'] });
    await faults({ drop: idA });
    await sleep(100);
    expect(a.closeCode).toBe(1006);
    expect(b.closeCode).toBeUndefined();
    const n = b.deltas('AAPL').length;
    await sleep(200);
    expect(b.deltas('AAPL').length).toBeGreaterThan(n);
    await faults({ drop: 'all' });
    await sleep(100);
    expect(b.closeCode).toBe(1006);
    expect((await injected('drop')).length).toBe(2);
  });

  it('stalls one instrument: its frames stop, others and heartbeats continue, resuming shows a gap', async () => {
    const c = await open();
    await c.request({ action: 'subscribe', channels: ['book:AAPL', 'trades:AAPL', 'book:MSFT'] });
    await sleep(200);
    await faults({ stall: ['AAPL'] });
    await sleep(50);
    const aapl = c.frames.filter((f) => f.channel.endsWith(':AAPL')).length;
    const msft = c.deltas('MSFT').length;
    const hb = c.frames.filter((f) => f.type === 'heartbeat').length;
    await sleep(500);
    expect(c.frames.filter((f) => f.channel.endsWith(':AAPL')).length).toBe(aapl);
    expect(c.deltas('MSFT').length).toBeGreaterThan(msft + 10);
    expect(c.frames.filter((f) => f.type === 'heartbeat').length).toBeGreaterThanOrEqual(hb + 3);
    expect(c.closeCode).toBeUndefined();
    const lastBefore = c.deltas('AAPL').at(-1) as number;
    await faults({ stall: [] });
    await c.wait((f) => f.type === 'delta' && f.channel === 'book:AAPL' && (f.seq as number) > lastBefore);
    const after = c.deltas('AAPL').find((s) => s > lastBefore) as number;
    expect(after).toBeGreaterThan(lastBefore + 1);
  });

  it('duplicates and reorders exactly the frames it reports', async () => {
    const c = await open();
    await c.request({ action: 'subscribe', channels: ['book:AAPL', 'book:BTC-USD'] });
    await sleep(100);
    await faults({ duplicate: { instruments: ['AAPL'], count: 2 }, reorder: { instruments: ['BTC-USD'], count: 1 } });
    const end = Date.now() + 5000;
    while ((await injected('duplicate')).length < 2 || (await injected('reorder')).length < 1) {
      if (Date.now() > end) throw new Error('faults not injected');
      await sleep(20);
    }
    await sleep(300);
    const dupSeqs = (await injected('duplicate')).map((f) => f.seq);
    const seqs = c.deltas('AAPL');
    const repeated = seqs.filter((s, i) => seqs.indexOf(s) !== i);
    expect(repeated).toEqual(dupSeqs);
    const late = (await injected('reorder'))[0]?.seq as number;
    const btc = c.deltas('BTC-USD');
    const i = btc.indexOf(late);
    expect(btc.slice(i - 2, i + 2)).toEqual([late - 1, late + 1, late, late + 2]);
    // Everything else arrives in order: the only breaks are the three around the late frame.
    expect(btc.filter((s, k) => k > 0 && s !== (btc[k - 1] as number) + 1).length).toBe(3);
    await faults({ reset: true });
  });

  it('sends malformed frames to the targeted connection only, and keeps it usable', async () => {
    const target = await open();
    const other = await open();
    const id = (await target.wait((f) => f.type === 'welcome')).connectionId as number;
    await faults({ malformed: { count: 3, connection: id } });
    await sleep(200);
    expect(target.unparsable).toHaveLength(3);
    expect(other.unparsable).toHaveLength(0);
    expect(await target.request({ action: 'ping' })).toMatchObject({ type: 'pong' });
    expect((await injected('malformed')).filter((f) => f.connectionId === id)).toHaveLength(3);
  });

  it('answers subscribe bursts with rate_limited and retryAfterMs', async () => {
    await faults({ subscribeLimit: { max: 2, windowMs: 60_000, retryAfterMs: 750 } });
    const c = await open();
    expect(await c.request({ action: 'subscribe', channels: ['trades:AAPL'] })).toMatchObject({ type: 'ack' });
    expect(await c.request({ action: 'subscribe', channels: ['trades:MSFT'] })).toMatchObject({ type: 'ack' });
    expect(await c.request({ action: 'subscribe', channels: ['trades:NVDA'] })).toMatchObject({
      type: 'error',
      code: 'rate_limited',
      retryAfterMs: 750,
    });
    await faults({ subscribeLimit: null });
    expect(await c.request({ action: 'subscribe', channels: ['trades:NVDA'] })).toMatchObject({ type: 'ack' });
  });

  it('answers upgrade bursts with HTTP 429 and Retry-After', async () => {
    await faults({ upgradeLimit: { max: 1, windowMs: 60_000, retryAfterMs: 2500 } });
    await open();
    const res = await new Promise<{ status: number; retry: string | undefined; body: string }>((resolve) => {
      const ws = new WebSocket(ex.wsUrl);
      ws.on('unexpected-response', (_req, r) => {
        let body = '';
        r.on('data', (d: Buffer) => (body += d.toString()));
        r.on('end', () => resolve({ status: r.statusCode ?? 0, retry: r.headers['retry-after'] as string | undefined, body }));
      });
      ws.on('error', () => {});
    });
    expect(res.status).toBe(429);
    expect(res.retry).toBe('3');
    expect(JSON.parse(res.body)).toMatchObject({ error: { code: 'rate_limited', retryAfterMs: 2500 } });
    await faults({ upgradeLimit: null });
    await open();
  });

  it('refuses connections for the given time, then accepts again', async () => {
    await faults({ refuseConnectionsMs: 400 });
    await expect(Conn.open(ex.wsUrl)).rejects.toThrow();
    await sleep(450);
    const c = await open();
    expect(await c.wait((f) => f.type === 'welcome')).toBeDefined();
    expect((await injected('refuse')).length).toBeGreaterThanOrEqual(1);
  });

  it('stops answering pings when told to', async () => {
    const c = await open();
    const pong = (): Promise<boolean> =>
      new Promise((resolve) => {
        const t = setTimeout(() => resolve(false), 300);
        c.ws.once('pong', () => {
          clearTimeout(t);
          resolve(true);
        });
        c.ws.ping();
      });
    expect(await pong()).toBe(true);
    await faults({ ignorePings: true });
    expect(await pong()).toBe(false);
    c.ws.send(JSON.stringify({ action: 'ping', id: 99 }));
    await sleep(200);
    expect(c.frames.some((f) => f.type === 'pong' && f.id === 99)).toBe(false);
    await faults({ ignorePings: false });
    expect(await pong()).toBe(true);
  });
});
