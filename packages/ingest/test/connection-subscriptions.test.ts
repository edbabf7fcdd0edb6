import type { AddressInfo } from 'node:net';
import { InstrumentRegistry } from '@tickline/wire';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket as WsSocket } from 'ws';
import { RecordingEmitter, until } from '../testing/recording-emitter.js';
import { createIngestSource, type IngestSource, IngestError } from '../src/connection/index.js';

/** A tiny venue speaking the embedded exchange's request protocol, recording every request. */
class FakeVenue {
  readonly requests: { action: string; channels: string[]; at: number }[] = [];
  readonly known: Set<string>;
  readonly sockets = new Set<WsSocket>();
  connections = 0;
  /** Answer the next N subscribe requests with rate_limited. */
  rateLimitNext = 0;
  wss!: WebSocketServer;
  url = '';

  constructor(known: string[]) {
    this.known = new Set(known);
  }

  async start(): Promise<this> {
    this.wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise<void>((r) => this.wss.once('listening', () => r()));
    this.url = `ws://127.0.0.1:${(this.wss.address() as AddressInfo).port}/v1/stream`;
    this.wss.on('connection', (ws) => {
      this.connections++;
      this.sockets.add(ws);
      ws.on('close', () => this.sockets.delete(ws));
      ws.on('message', (data) => {
        const m = JSON.parse(String(data)) as { action: string; id: number; channels?: string[] };
        if (m.action === 'ping') return ws.send(JSON.stringify({ type: 'pong', channel: 'system', id: m.id }));
        const channels = m.channels ?? [];
        this.requests.push({ action: m.action, channels, at: Date.now() });
        if (m.action === 'subscribe' && this.rateLimitNext > 0) {
          this.rateLimitNext--;
          return ws.send(
            JSON.stringify({
              type: 'error',
              channel: 'system',
              id: m.id,
              action: m.action,
              code: 'rate_limited',
              message: 'slow down',
              retryAfterMs: 50,
            }),
          );
        }
        const bad = channels.filter((c) => !this.known.has(c.slice(c.indexOf(':') + 1)));
        if (bad.length > 0) {
          return ws.send(
            JSON.stringify({
              type: 'error',
              channel: 'system',
              id: m.id,
              action: m.action,
              code: 'unknown_instrument',
              message: `unknown ${bad.join(',')}`,
            }),
          );
        }
        ws.send(
          JSON.stringify({ type: 'ack', channel: 'system', id: m.id, action: m.action, channels: channels.length, added: channels.length }),
        );
      });
    });
    return this;
  }

  broadcast(text: string): void {
    for (const ws of this.sockets) ws.send(text);
  }

  sent(action: string): string[] {
    return this.requests.filter((r) => r.action === action).flatMap((r) => r.channels);
  }

  close(): Promise<void> {
    for (const ws of this.sockets) ws.terminate();
    return new Promise((r) => this.wss.close(() => r()));
  }
}

function registry(symbols: string[]): InstrumentRegistry {
  const reg = new InstrumentRegistry();
  for (const symbol of symbols) reg.add({ venue: 'sim', symbol, priceScale: 2, sizeScale: 0, tickSize: 1, lotSize: 1 });
  return reg;
}

const SYMBOLS = ['AAPL', 'MSFT', 'NVDA', 'AMZN', 'GOOG', 'META', 'TSLA'];
let venue: FakeVenue | null = null;
let source: IngestSource | null = null;

afterEach(async () => {
  await source?.stop();
  await venue?.close();
  source = null;
  venue = null;
});

async function setup(initial: string[], config: Record<string, unknown> = {}, known = SYMBOLS) {
  venue = await new FakeVenue(known).start();
  const emit = new RecordingEmitter();
  source = createIngestSource({
    venue: 'sim',
    url: venue.url,
    registry: registry([...SYMBOLS, 'GHOST']),
    instruments: initial,
    config: { staleAfterMs: 0, ...config },
  });
  await source.start(emit);
  return { venue, source, emit };
}

describe('dynamic subscriptions on one live connection', () => {
  it('adds and removes at run time without reconnecting, deduplicated, never sending empty lists', async () => {
    const { venue, source, emit } = await setup(['AAPL', 'MSFT']);
    expect(venue.sent('subscribe').sort()).toEqual(['book:AAPL', 'book:MSFT', 'trades:AAPL', 'trades:MSFT']);
    expect(emit.feedMarks()).toEqual(['up']);

    const r = await source.subscribe(['NVDA', 'NVDA', 'AAPL']);
    expect(r.added).toEqual(['NVDA']);
    expect(r.already).toEqual(['AAPL']);
    expect(r.active.sort()).toEqual(['AAPL', 'NVDA']);
    expect([...(venue.requests.at(-1)?.channels ?? [])].sort()).toEqual(['book:NVDA', 'trades:NVDA']);

    const before = venue.requests.length;
    expect((await source.subscribe([])).added).toEqual([]);
    expect((await source.unsubscribe([])).removed).toEqual([]);
    expect((await source.subscribe(['AAPL', 'MSFT'])).already).toEqual(['AAPL', 'MSFT']);
    await new Promise((r) => setTimeout(r, 50));
    expect(venue.requests.length).toBe(before);

    const u = await source.unsubscribe(['MSFT', 'AMZN']);
    expect(u).toEqual({ removed: ['MSFT'], notSubscribed: ['AMZN'] });
    await until(() => venue.sent('unsubscribe').length === 2);
    expect(venue.sent('unsubscribe')).toEqual(['book:MSFT', 'trades:MSFT']);
    expect(source.subscription('MSFT')).toBeUndefined();

    // Subscribe then unsubscribe in the same turn: nothing reaches the venue.
    const n = venue.requests.length;
    const p = source.subscribe(['META']);
    await source.unsubscribe(['META']);
    await p;
    await new Promise((r) => setTimeout(r, 50));
    expect(venue.requests.length).toBe(n);

    expect(venue.connections).toBe(1);
    expect(source.stats().reconnects).toBe(0);
    expect(venue.requests.every((q) => q.channels.length > 0)).toBe(true);
    expect(source.stats().duplicateSubscribeSends).toBe(0);
  });

  it('refuses unknown and mis-cased codes with a clear error and sends nothing', async () => {
    const { venue, source } = await setup(['AAPL']);
    const before = venue.requests.length;
    const err = await source.subscribe(['TSLA', 'aapl', 'ZZZZ']).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IngestError);
    expect((err as IngestError).code).toBe('ERR_INGEST_UNKNOWN_INSTRUMENT');
    expect((err as Error).message).toContain('"aapl" (codes are case-sensitive: did you mean "AAPL"?)');
    expect((err as Error).message).toContain('"ZZZZ"');
    await expect(source.unsubscribe(['msft'])).rejects.toMatchObject({ code: 'ERR_INGEST_UNKNOWN_INSTRUMENT' });
    await new Promise((r) => setTimeout(r, 50));
    expect(venue.requests.length).toBe(before);
    expect(source.subscription('TSLA')).toBeUndefined();
    expect(() => createIngestSource({ venue: 'sim', url: venue.url, registry: registry(SYMBOLS), instruments: ['Aapl'] })).toThrow(
      /did you mean "AAPL"/,
    );
  });

  it('follows the venue: pending -> active, error -> failed with the reason, rate limit -> retried', async () => {
    const { venue, source } = await setup(['AAPL']);
    const r = await source.subscribe(['GHOST']);
    expect(r.failed).toEqual([{ symbol: 'GHOST', reason: expect.stringContaining('unknown_instrument') }]);
    expect(source.subscription('GHOST')?.state).toBe('failed');

    venue.rateLimitNext = 2;
    const t0 = Date.now();
    const r2 = await source.subscribe(['TSLA']);
    expect(r2.active).toEqual(['TSLA']);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(90); // two 50 ms retry hints honoured
    expect(source.stats().venueRateLimited).toBe(2);
    expect(venue.connections).toBe(1);
  });

  it('batches bursts into few requests and keeps to the request rate limit', async () => {
    const { venue, source } = await setup([], { limits: { messages: 2, windowMs: 300 } });
    const calls = SYMBOLS.map((s) => source.subscribe([s]));
    await Promise.all(calls);
    const subs = venue.requests.filter((q) => q.action === 'subscribe');
    expect(subs.length).toBe(1); // one turn's worth of calls -> one request
    expect(subs[0]?.channels.length).toBe(SYMBOLS.length * 2);

    // Now force separate requests: each waits for its ack before the next call.
    for (const s of SYMBOLS) await source.unsubscribe([s]);
    await until(() => venue.sent('unsubscribe').length === SYMBOLS.length * 2, 10_000, 'unsubscribes');
    const times = venue.requests.map((q) => q.at);
    for (let i = 2; i < times.length; i++) expect((times[i] ?? 0) - (times[i - 2] ?? 0)).toBeGreaterThanOrEqual(290);
  });

  it('emits every frame raw with sequence numbers and flushes once per turn', async () => {
    const { venue, emit } = await setup(['AAPL']);
    const n = emit.frames.length;
    const flushes = emit.flushes;
    for (let i = 0; i < 20; i++) venue.broadcast(`{"type":"delta","channel":"book:AAPL","seq":${i}}`);
    await until(() => emit.frames.length >= n + 20);
    const got = emit.frames.slice(n);
    expect(got.map((f) => f.text)).toEqual(Array.from({ length: 20 }, (_, i) => `{"type":"delta","channel":"book:AAPL","seq":${i}}`));
    expect(got.every((f, i) => i === 0 || f.frameSeq === (got[i - 1]?.frameSeq ?? 0) + 1)).toBe(true);
    expect(got.every((f) => f.kind === 0 && f.context === null && f.recvS > 1.6e9)).toBe(true);
    expect(emit.flushes - flushes).toBeGreaterThanOrEqual(1);
    expect(emit.flushes - flushes).toBeLessThanOrEqual(20);
  });
});
