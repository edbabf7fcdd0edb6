import { type ExchangeHandle, startExchange } from '@tickline/exchange';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RecordingEmitter, until } from '../testing/recording-emitter.js';
import { simRegistry } from '../bench/sim-registry.js';
import { createIngestSource, type IngestSource, seededRandom } from '../src/connection/index.js';

const N = 5500;
const EXTRA = 100;

let ex: ExchangeHandle;
let source: IngestSource;
let emit: RecordingEmitter;
let symbols: string[];
let extra: string[];
/** Per book channel: last applied seq (snapshot or delta). */
const last = new Map<string, number>();
const gaps = new Map<string, number>();

function track(text: string): void {
  if (!text.startsWith('{"type":"snapshot"') && !text.startsWith('{"type":"delta"')) return;
  const m = JSON.parse(text) as { type: string; channel: string; seq: number };
  const prev = last.get(m.channel);
  if (m.type === 'delta' && prev !== undefined && m.seq !== prev + 1) gaps.set(m.channel, (gaps.get(m.channel) ?? 0) + 1);
  last.set(m.channel, m.seq);
}

beforeAll(async () => {
  ex = await startExchange({ instruments: N + EXTRA, eventsPerSecond: 20_000 });
  symbols = ex.instruments.slice(0, N).map((i) => i.symbol);
  extra = ex.instruments.slice(N, N + EXTRA).map((i) => i.symbol);
  emit = new RecordingEmitter(false);
  emit.onFrame = (f) => track(f.text);
  source = createIngestSource({
    venue: 'sim',
    url: ex.wsUrl,
    registry: simRegistry(ex.instruments),
    instruments: symbols,
    config: {
      heartbeatIntervalMs: 1000,
      heartbeatTimeoutMs: 5000,
      ackTimeoutMs: 20_000,
      staleAfterMs: 0,
      backoff: { baseMs: 50, factor: 2, capMs: 1000, floorMs: 20, resetAfterMs: 2000 },
      // Seeds unpaced here: these tests are about subscriptions and faults (pacing: seed-pacing.test.ts).
      seedsPerSecond: 1_000_000,
      seedBurst: 1_000_000,
    },
    random: seededRandom(5),
  });
  await source.start(emit);
}, 60_000);

afterAll(async () => {
  await source?.stop();
  await ex?.close();
});

describe('embedded exchange at full universe', () => {
  it('holds 5,500 instruments (11,000 channels) on one connection', () => {
    const s = source.stats();
    expect(s.shards).toBe(1);
    expect(s.connectionsUp).toBe(1);
    expect(s.instrumentsActive).toBe(N);
    expect(ex.stats().subscriptions).toBe(N * 2);
    expect(s.subscribeRequests).toBeLessThanOrEqual(4);
    expect(emit.feedMarks()).toEqual(['up']);
  });

  it('adds and removes 100 instruments while running with no gap in the others', async () => {
    const others = new Set(symbols.map((s) => `book:${s}`));
    for (let round = 0; round < 3; round++) {
      const r = await source.subscribe(extra);
      expect(r.active.length).toBe(EXTRA);
      expect(ex.stats().subscriptions).toBe((N + EXTRA) * 2);
      await new Promise((res) => setTimeout(res, 200));
      const u = await source.unsubscribe(extra);
      expect(u.removed.length).toBe(EXTRA);
      await until(() => ex.stats().subscriptions === N * 2, 5000, 'unsubscribed');
    }
    await new Promise((res) => setTimeout(res, 300));
    const othersGaps = [...gaps.entries()].filter(([c]) => others.has(c));
    expect(othersGaps).toEqual([]);
    // Every other book was seen (its snapshot at least), so "no gap" covers them all.
    expect([...others].filter((c) => !last.has(c))).toEqual([]);
    const s = source.stats();
    expect(s.reconnects).toBe(0);
    expect(s.duplicateSubscribeSends).toBe(0);
    expect(s.venueDuplicateSubscriptions).toBe(0);
  });

  it('survives injected disconnects, stalls, subscribe rate limits and upgrade 429s with every subscription restored', async () => {
    // Subscribe rate limit: one request per 500 ms per connection, retry hint 100 ms.
    ex.setFaults({ subscribeLimit: { max: 1, windowMs: 500, retryAfterMs: 100 } });
    ex.setFaults({ drop: 'all' });
    await until(() => emit.feedMarks().length === 3, 20_000, 'recovery under subscribe limit');
    expect(ex.stats().subscriptions).toBe(N * 2);
    expect(source.stats().venueRateLimited).toBeGreaterThan(0);

    // Upgrade 429s: one upgrade per 2 s, Retry-After 1 s.
    ex.setFaults({ subscribeLimit: null, upgradeLimit: { max: 1, windowMs: 2000, retryAfterMs: 1000 } });
    for (let i = 0; i < 2; i++) {
      const n = emit.feedMarks().length;
      ex.setFaults({ drop: 'all' });
      await until(() => emit.feedMarks().length === n + 2, 20_000, `recovery ${i} under upgrade limit`);
    }
    expect(source.stats().upgradeRateLimited).toBeGreaterThan(0);
    ex.setFaults({ upgradeLimit: null });

    // Stalls: data withheld for a few instruments while the socket stays up.
    const stalled = symbols.slice(0, 5);
    ex.setFaults({ stall: stalled });
    await new Promise((res) => setTimeout(res, 300));
    ex.setFaults({ stall: [] });
    ex.setFaults({ drop: 'all' });
    await until(() => emit.feedMarks().length === 9, 20_000, 'final recovery');

    const s = source.stats();
    expect(ex.stats().subscriptions).toBe(N * 2);
    expect(s.instrumentsActive).toBe(N);
    expect(s.duplicateSubscribeSends).toBe(0);
    expect(s.venueDuplicateSubscriptions).toBe(0);
    expect(emit.feedMarks()).toEqual(['up', 'down', 'up', 'down', 'up', 'down', 'up', 'down', 'up']);
    expect(s.minBackoffMs).toBeGreaterThanOrEqual(20);
  });
});
