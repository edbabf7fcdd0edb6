/**
 * The live connection of every venue dialect over a real socket, against the venue emulator
 * speaking that venue's protocol (the ingest source `tickline run` starts, in-process): subscribe
 * at start and at run time (acks -> active, snapshots where the venue sends them), unsubscribe,
 * an unknown code refused with its close matches and nothing sent, liveness (pings and heartbeats
 * answered, no timeout), a dropped connection restored with every subscription and no duplicate,
 * a resync answered the venue's way, a stalled instrument marked stale and resubscribed, the
 * venue's documented request limits respected, and the venue's forced disconnect (Binance, 24 h)
 * met by a planned reconnect before it.
 */
import { describe, expect, it } from 'vitest';
import { type ReplayPlan, startReplayVenue, verifyFile } from '@tickline/cli';
import type { EmulatedVenueName, EmulatorHandle } from '@tickline/emulator';
import { createIngestSource, type IngestSource } from '@tickline/ingest';
import { RecordingEmitter, until } from '@tickline/ingest/testing';
import WebSocket from 'ws';

const CAPTURES = new URL('fixtures/captures/', import.meta.url).pathname;
const VENUES = new URL('fixtures/venues/', import.meta.url).pathname;
const fast = { baseMs: 50, factor: 2, capMs: 500, floorMs: 20, resetAfterMs: 1000 };

const CASES: { venue: EmulatedVenueName; file: string }[] = [
  { venue: 'binance-spot', file: `${CAPTURES}binance-spot-depth-2021-10-12.cap` },
  { venue: 'binance-usdm', file: `${CAPTURES}binance-usdm-depth-2021-07-22.cap` },
  { venue: 'binance-coinm', file: `${VENUES}btcusd_perp_20240809.gz` },
  { venue: 'coinbase', file: `${VENUES}coinbase-advanced-level2-2024-08-09.cap` },
  { venue: 'coinbase-legacy', file: `${CAPTURES}coinbase-legacy-level2-2021-04-17.cap` },
  { venue: 'kraken', file: `${VENUES}kraken-v2-book-2024-08-09.cap` },
  { venue: 'kraken-v1', file: `${CAPTURES}kraken-v1-book-2021-04-17.cap` },
  { venue: 'okx', file: `${CAPTURES}okx-v5-books-2022-05-13.cap` },
];

/** Instruments with a book in the file (the others carry only tickers or trades). */
async function bookSymbols(plan: ReplayPlan): Promise<string[]> {
  const core = (await verifyFile(plan)).verifier.core;
  return plan.registry.list().flatMap((s) => (core.state(s.id) === 1 ? [s.symbol] : []));
}

const isSnapshot = (venue: EmulatedVenueName, text: string, symbol: string): boolean => {
  switch (venue) {
    case 'okx':
      return text.includes('"action":"snapshot"') && text.includes(`"instId":"${symbol}"`);
    case 'coinbase':
      return text.includes('"type":"snapshot"') && text.includes(`"product_id":"${symbol}"`);
    case 'coinbase-legacy':
      return text.startsWith('{"type":"snapshot"') && text.includes(`"product_id":"${symbol}"`);
    case 'kraken':
      return text.startsWith('{"channel":"book","type":"snapshot"') && text.includes(`"symbol":"${symbol}"`);
    case 'kraken-v1':
      return text.includes('{"as":') && text.endsWith(`"${symbol}"]`);
    default:
      return false;
  }
};

describe('the live connection of every venue, over a real socket to the venue emulator', () => {
  for (const c of CASES) {
    it(`${c.venue}: subscribe, unsubscribe, unknown code, liveness, reconnect, resync, documented limits`, async () => {
      const { emulator, plan } = await startReplayVenue({ venue: c.venue, file: c.file, speed: 1, host: '127.0.0.1', port: 0 });
      let source: IngestSource | null = null;
      try {
        const symbols = await bookSymbols(plan);
        expect(symbols.length).toBeGreaterThan(0);
        const [first, ...rest] = symbols as [string, ...string[]];
        const emit = new RecordingEmitter();
        const rest0 = c.venue.startsWith('binance');
        source = createIngestSource({
          venue: c.venue,
          url: emulator.wsUrl,
          restUrl: emulator.restUrl,
          registry: plan.registry,
          instruments: [first],
          config: { heartbeatIntervalMs: 250, heartbeatTimeoutMs: 5000, staleAfterMs: 3000, backoff: fast },
        });
        await source.start(emit);
        expect(emit.feedMarks()).toEqual(['up']);
        expect(source.subscription(first)?.state).toBe('active');

        // Books seed the venue's way: a REST snapshot (Binance) or a snapshot on subscribe.
        const seeded = (s: string) =>
          rest0
            ? emit.frames.some((f) => f.kind === 2 && f.context?.includes(`symbol=${s}&`))
            : emit.frames.some((f) => isSnapshot(c.venue, f.text, s));
        await until(() => seeded(first), 20_000, `${first} seeded`);

        // At run time: the rest of the file's instruments, then one of them removed.
        if (rest.length > 0) {
          const r = await source.subscribe(rest);
          expect(r.failed).toEqual([]);
          expect(r.active.sort()).toEqual([...rest].sort());
          await until(() => rest.every(seeded), 20_000, 'run-time subscriptions seeded');
          const gone = rest[rest.length - 1] as string;
          expect(await source.unsubscribe([gone])).toEqual({ removed: [gone], notSubscribed: [] });
          await until(() => emulator.stats().subscriptions === (symbols.length - 1) * 2, 10_000, 'venue dropped the unsubscribed streams');
        }

        // An unknown code: refused with its close matches, nothing sent.
        const received = () => emulator.stats().framesSent;
        const typo = `${first.slice(0, -1)}${first.endsWith('X') ? 'Y' : 'X'}`;
        const err = await source.subscribe([typo]).catch((e: Error & { code?: string }) => e);
        expect((err as { code?: string }).code).toBe('ERR_INGEST_UNKNOWN_INSTRUMENT');
        expect((err as Error).message).toContain(`"${first}"`);
        expect((err as Error).message).toContain('nothing was sent');
        expect(source.subscription(typo)).toBeUndefined();
        expect(received()).toBeGreaterThan(0);

        // Liveness: with the file held, a quiet 250 ms brings a ping (the venue's app-level one or a
        // WebSocket ping), and the venue's answers (or its heartbeats) keep the connection alive.
        emulator.setPaused(true);
        await until(() => (source?.stats().pingsSent ?? 0) >= 2, 10_000, 'pings');
        emulator.setPaused(false);
        expect(source.stats().heartbeatTimeouts).toBe(0);

        // A dropped connection: down, then up with every subscription restored, none sent twice.
        const active = source.stats().instrumentsActive;
        emulator.setFaults({ drop: 'all' });
        await until(() => emit.feedMarks().length >= 3, 20_000, 'feed restored');
        expect(emit.feedMarks().slice(0, 3)).toEqual(['up', 'down', 'up']);
        await until(() => source?.stats().instrumentsActive === active, 10_000, 'subscriptions restored');
        expect(source.stats().duplicateSubscribeSends).toBe(0);
        expect(emulator.stats().connectionsTotal).toBe(2);

        // resync(): a fresh snapshot the venue's way.
        const id = plan.registry.lookup(c.venue, first)?.id as number;
        const before = emit.frames.filter((f) =>
          rest0 ? f.kind === 2 && f.context?.includes(`symbol=${first}&`) : isSnapshot(c.venue, f.text, first),
        ).length;
        source.resync(id);
        await until(
          () =>
            emit.frames.filter((f) =>
              rest0 ? f.kind === 2 && f.context?.includes(`symbol=${first}&`) : isSnapshot(c.venue, f.text, first),
            ).length > before,
          20_000,
          'resync snapshot',
        );

        // Staleness: an instrument the venue stops sending is marked stale and resubscribed on the live socket.
        const resubscribed = source.stats().resubscribes;
        emulator.setFaults({ stall: [first] });
        await until(() => emit.marks.some((m) => m.type === 'stale' && m.instrument === id), 20_000, 'stale mark');
        await until(() => (source?.stats().resubscribes ?? 0) > resubscribed, 20_000, 'resubscribed');
        await until(() => source?.subscription(first)?.state === 'active', 20_000, 'active again');
        emulator.setFaults({ stall: [] });

        const s = emulator.stats();
        expect(s.limitViolations).toEqual({});
        expect(s.fileRejects).toBe(0);
        expect(source.stats().venueErrors).toBe(0);
      } finally {
        await source?.stop();
        await emulator.close();
      }
    }, 120_000);
  }
});

describe("the venues' documented limits, as the emulator enforces them", () => {
  async function venue(v: EmulatedVenueName, file: string): Promise<EmulatorHandle> {
    return (await startReplayVenue({ venue: v, file, speed: 1, host: '127.0.0.1', port: 0 })).emulator;
  }

  it('binance: a client sending more than 5 messages a second is disconnected; the ingest source bursting 20 subscribe calls never is', async () => {
    const em = await venue('binance-spot', `${CAPTURES}binance-spot-depth-2021-10-12.cap`);
    try {
      const ws = new WebSocket(em.wsUrl);
      await new Promise((r) => ws.once('open', r));
      const closed = new Promise((r) => ws.once('close', r));
      for (let i = 0; i < 8; i++) ws.send(JSON.stringify({ method: 'LIST_SUBSCRIPTIONS', id: i }));
      await closed;
      expect(em.stats().limitViolations.messages_per_second).toBeGreaterThan(0);

      const em2 = await venue('binance-spot', `${CAPTURES}binance-spot-depth-2021-10-12.cap`);
      try {
        const plan = await (await import('@tickline/cli')).planReplay(`${CAPTURES}binance-spot-depth-2021-10-12.cap`, {
          venue: 'binance-spot',
        });
        const src = createIngestSource({
          venue: 'binance-spot',
          url: em2.wsUrl,
          restUrl: em2.restUrl,
          registry: plan.registry,
          instruments: [],
          config: { staleAfterMs: 0 },
        });
        await src.start(new RecordingEmitter(false));
        const codes = plan.registry.list().map((x) => x.symbol);
        await Promise.all(
          Array.from({ length: 20 }, (_, i) =>
            src.subscribe([codes[i % codes.length] as string]).then(() => src.unsubscribe([codes[i % codes.length] as string])),
          ),
        );
        await src.stop();
        expect(em2.stats().limitViolations).toEqual({});
        expect(em2.stats().connectionsTotal).toBe(1);
      } finally {
        await em2.close();
      }
    } finally {
      await em.close();
    }
  }, 60_000);

  it('coinbase: the 9th message in a second is refused "rate limit exceeded"', async () => {
    const em = await venue('coinbase', `${VENUES}coinbase-advanced-level2-2024-08-09.cap`);
    try {
      const ws = new WebSocket(em.wsUrl);
      await new Promise((r) => ws.once('open', r));
      const answers: string[] = [];
      ws.on('message', (d) => answers.push(String(d)));
      for (let i = 0; i < 9; i++) ws.send(JSON.stringify({ type: 'subscribe', channel: 'heartbeats' }));
      await until(() => answers.length >= 9, 10_000, 'answers');
      expect(answers.filter((a) => a.includes('rate limit exceeded'))).toHaveLength(1);
      expect(em.stats().limitViolations).toEqual({ messages_per_second: 1 });
      ws.close();
    } finally {
      await em.close();
    }
  }, 60_000);
});

describe("the venue's forced disconnect (Binance: 24 h per connection)", () => {
  it('the venue closes a connection at its age limit; a source configured under it reconnects first, on its own terms', async () => {
    const file = `${CAPTURES}binance-spot-depth-2021-10-12.cap`;
    const { emulator, plan } = await startReplayVenue({
      venue: 'binance-spot',
      file,
      speed: 1,
      host: '127.0.0.1',
      port: 0,
      maxConnectionMs: 1500,
    });
    const sources: IngestSource[] = [];
    try {
      const open = (config: Record<string, unknown>) => {
        const src = createIngestSource({
          venue: 'binance-spot',
          url: emulator.wsUrl,
          restUrl: emulator.restUrl,
          registry: plan.registry,
          instruments: ['NKNUSDT'],
          config: { staleAfterMs: 0, backoff: fast, ...config },
        });
        sources.push(src);
        return src;
      };
      const naive = open({});
      await naive.start(new RecordingEmitter(false));
      await until(() => emulator.stats().forcedDisconnects >= 1, 10_000, 'the venue cut the connection');
      await until(() => naive.stats().connects >= 2, 10_000, 'reconnected after the cut');
      expect(naive.stats().plannedReconnects).toBe(0);

      const forced = emulator.stats().forcedDisconnects;
      const polite = open({ maxConnectionAgeMs: 600 });
      const emit = new RecordingEmitter(false);
      await polite.start(emit);
      await until(() => polite.stats().plannedReconnects >= 3, 10_000, 'planned reconnects');
      // the venue never had to cut the polite source's connections (only the naive one's)
      await naive.stop();
      const cutsOfNaive = emulator.stats().forcedDisconnects - forced;
      await new Promise((r) => setTimeout(r, 1600));
      expect(emulator.stats().forcedDisconnects - forced).toBe(cutsOfNaive);
      expect(emit.marks.find((m) => m.type === 'feed' && !m.up)).toMatchObject({ reason: 'max_connection_age' });
      expect(polite.subscription('NKNUSDT')?.state).toBe('active');
    } finally {
      for (const src of sources) await src.stop();
      await emulator.close();
    }
  }, 60_000);
});
