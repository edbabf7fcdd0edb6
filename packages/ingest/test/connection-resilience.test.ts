import type { AddressInfo } from 'node:net';
import { type ExchangeHandle, startExchange } from '@tickline/exchange';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { RecordingEmitter, until } from '../testing/recording-emitter.js';
import { simRegistry } from '../bench/sim-registry.js';
import { createIngestSource, type IngestSource, seededRandom } from '../src/connection/index.js';

let ex: ExchangeHandle | null = null;
let source: IngestSource | null = null;
const closers: (() => Promise<void>)[] = [];

afterEach(async () => {
  await source?.stop();
  await ex?.close();
  for (const c of closers.splice(0)) await c();
  source = null;
  ex = null;
});

const fast = { baseMs: 20, factor: 2, capMs: 200, floorMs: 10, resetAfterMs: 200 };

describe('liveness', () => {
  it('declares a silent server dead after heartbeatTimeoutMs and reconnects', async () => {
    // A server that accepts, then goes silent: it stops reading, so pings go unanswered too.
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise<void>((r) => wss.once('listening', () => r()));
    let connections = 0;
    wss.on('connection', (ws, req) => {
      connections++;
      req.socket.pause();
      void ws;
    });
    closers.push(
      () =>
        new Promise((r) => {
          for (const c of wss.clients) c.terminate();
          wss.close(() => r());
        }),
    );
    const url = `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/v1/stream`;
    const emit = new RecordingEmitter();
    const { InstrumentRegistry } = await import('@tickline/wire');
    source = createIngestSource({
      venue: 'sim',
      url,
      registry: new InstrumentRegistry(),
      instruments: [],
      config: { heartbeatIntervalMs: 50, heartbeatTimeoutMs: 200, backoff: fast, staleAfterMs: 0 },
      random: seededRandom(1),
    });
    const t0 = Date.now();
    await source.start(emit); // no subscriptions: up on open
    expect(emit.feedMarks()).toEqual(['up']);
    await until(() => source?.stats().heartbeatTimeouts === 1, 5000, 'heartbeat timeout');
    const dt = Date.now() - t0;
    expect(dt).toBeGreaterThanOrEqual(190);
    expect(dt).toBeLessThan(1500);
    // the silence it had seen when it declared the connection dead: at least the timeout
    expect(source.stats().heartbeatSilenceMs).toBeGreaterThanOrEqual(200);
    expect(source.stats().heartbeatSilenceMs).toBeLessThan(dt + 1);
    expect(source.stats().pingsSent).toBeGreaterThanOrEqual(1);
    await until(() => emit.feedMarks().length >= 2);
    expect(emit.marks.find((m) => m.type === 'feed' && !m.up)).toMatchObject({ reason: 'heartbeat_timeout' });
    await until(() => connections >= 2, 5000, 'reconnect');
  });
});

describe('against the embedded exchange', () => {
  async function setup(n: number, config: Record<string, unknown> = {}, exOpts: Record<string, unknown> = {}) {
    ex = await startExchange({ instruments: Math.max(n, 20), eventsPerSecond: 5000, ...exOpts });
    const reg = simRegistry(ex.instruments);
    const symbols = ex.instruments.slice(0, n).map((i) => i.symbol);
    const emit = new RecordingEmitter();
    const src = createIngestSource({
      venue: 'sim',
      url: ex.wsUrl,
      registry: reg,
      instruments: symbols,
      config: { heartbeatIntervalMs: 500, heartbeatTimeoutMs: 3000, backoff: fast, staleAfterMs: 0, ...config },
      random: seededRandom(42),
    });
    source = src;
    await src.start(emit);
    return { ex, source: src, emit, symbols, reg };
  }

  it('honours HTTP 429 + Retry-After on the upgrade', async () => {
    const { ex, source, emit } = await setup(5);
    expect(emit.feedMarks()).toEqual(['up']);
    // One upgrade per 10 s server-wide, Retry-After: 1 s: the first reconnect uses it up, the
    // second gets 429.
    ex.setFaults({ upgradeLimit: { max: 1, windowMs: 10_000, retryAfterMs: 1000 } });
    ex.setFaults({ drop: 'all' });
    await until(() => emit.feedMarks().length === 3, 5000, 'first recovery');
    ex.setFaults({ drop: 'all' });
    await until(() => source.stats().upgradeRateLimited >= 1, 5000, '429');
    const t429 = Date.now();
    // Lift the limit so the attempt after the wait succeeds.
    ex.setFaults({ upgradeLimit: null });
    await until(() => emit.feedMarks().length === 5, 5000, 'feed restored');
    expect(Date.now() - t429).toBeGreaterThanOrEqual(900);
    expect(source.stats().lastBackoffMs).toBeGreaterThanOrEqual(1000);
    expect(emit.feedMarks()).toEqual(['up', 'down', 'up', 'down', 'up']);
  });

  it('restores every subscription after forced disconnects, with feed down/up marks in order', async () => {
    const { ex, source, emit, symbols } = await setup(50);
    const channels = symbols.length * 2;
    expect(ex.stats().subscriptions).toBe(channels);
    for (let i = 0; i < 5; i++) {
      const ups = emit.feedMarks().filter((m) => m === 'up').length;
      ex.setFaults({ drop: 'all' });
      await until(() => emit.feedMarks().filter((m) => m === 'up').length === ups + 1, 5000, `recovery ${i}`);
      expect(ex.stats().subscriptions).toBe(channels);
    }
    const marks = emit.feedMarks();
    expect(marks).toEqual(['up', ...Array.from({ length: 5 }, () => ['down', 'up']).flat()]);
    const s = source.stats();
    expect(s.instrumentsActive).toBe(50);
    expect(s.duplicateSubscribeSends).toBe(0);
    expect(s.venueDuplicateSubscriptions).toBe(0);
    expect(s.reconnects).toBe(5);
    // Every restored book was re-seeded: a snapshot per book per session.
    const snaps = emit.frames.filter((f) => f.text.startsWith('{"type":"snapshot"')).length;
    expect(snaps).toBe(50 * 6);
    // A down mark reaches the emitter before any frame of the next session.
    const downIdx = emit.events.indexOf('mark:feed:down');
    expect(downIdx).toBeGreaterThan(0);
  });

  it("reconnects on purpose before the venue's connection age limit: no backoff, every subscription restored", async () => {
    const { ex, source, emit } = await setup(5, { maxConnectionAgeMs: 300, backoff: { ...fast, floorMs: 150, baseMs: 200 } });
    await until(() => source.stats().plannedReconnects >= 2, 5000, 'two planned reconnects');
    await until(() => emit.feedMarks().length >= 5, 5000, 'feed back up');
    expect(emit.feedMarks().slice(0, 5)).toEqual(['up', 'down', 'up', 'down', 'up']);
    expect(emit.marks.find((m) => m.type === 'feed' && !m.up)).toMatchObject({ reason: 'max_connection_age' });
    const s = source.stats();
    // planned reconnects draw no backoff (the floor here is 150 ms)
    expect(s.maxBackoffMs).toBe(0);
    expect(s.instrumentsActive).toBe(5);
    expect(s.duplicateSubscribeSends).toBe(0);
    expect(ex.stats().subscriptions).toBe(10);
  });

  it('flags a stalled instrument stale, resubscribes it on the live socket, and emits a stale mark', async () => {
    const { ex, source, emit, symbols, reg } = await setup(10, { staleAfterMs: 300 }, { eventsPerSecond: 20_000 });
    const victim = symbols[0] as string;
    const id = reg.lookup('sim', victim)?.id;
    await until(() => emit.frames.filter((f) => f.text.includes(`"channel":"book:${victim}"`)).length > 3, 5000, 'victim data');
    ex.setFaults({ stall: [victim] });
    await until(() => emit.marks.some((m) => m.type === 'stale' && m.instrument === id), 5000, 'stale mark');
    const mark = emit.marks.find((m) => m.type === 'stale');
    expect(mark).toMatchObject({ type: 'stale', instrument: id, venue: 1 });
    expect((mark as { ageMs: number }).ageMs).toBeGreaterThanOrEqual(300);
    await until(() => source.stats().resubscribes >= 2, 5000, 'resubscribe');
    // each silence's first mark adds the age it saw (a resubscribe's snapshot is data: the
    // silence after it is a new one): at least staleAfterMs each
    await until(() => source.stats().staleMarks >= 2, 5000, 'a second stale mark');
    const st = source.stats();
    expect(st.staleFirstMarks).toBeGreaterThanOrEqual(1);
    expect(st.staleFirstMarks).toBeLessThanOrEqual(st.staleMarks);
    expect(st.staleSilenceMs).toBeGreaterThanOrEqual(300 * st.staleFirstMarks);
    expect(source.stats().reconnects).toBe(0);
    expect(source.subscription(victim)?.state).toBe('active');
    ex.setFaults({ stall: [] });
  });

  it('resync() asks the venue for a fresh book snapshot on the live socket', async () => {
    const { source, emit, symbols, reg } = await setup(3);
    const sym = symbols[1] as string;
    const before = emit.frames.filter((f) => f.text.startsWith(`{"type":"snapshot","channel":"book:${sym}"`)).length;
    source.resync(reg.lookup('sim', sym)?.id ?? 0);
    await until(() => emit.frames.filter((f) => f.text.startsWith(`{"type":"snapshot","channel":"book:${sym}"`)).length === before + 1);
    expect(source.stats().snapshotRequests).toBe(1);
  });

  it('seeds books by REST when configured: body as a RestResponse frame, context = path + query', async () => {
    const { source, emit, symbols } = await setup(4, { seeding: 'rest', restSnapshotDepth: 50 });
    await until(() => emit.frames.filter((f) => f.kind === 2).length === 4, 5000, 'rest snapshots');
    const rest = emit.frames.filter((f) => f.kind === 2);
    expect(rest.map((f) => f.context).sort()).toEqual(symbols.map((s) => `/v1/book/${s}?depth=50`).sort());
    expect(JSON.parse(rest[0]?.text ?? '{}')).toHaveProperty('seq');
    expect(emit.frames.some((f) => f.text.startsWith('{"type":"snapshot"'))).toBe(false);
    source.resync(1);
    await until(() => emit.frames.filter((f) => f.kind === 2).length === 5, 5000, 'resync');
  });
});
