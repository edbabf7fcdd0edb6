/**
 * Every live venue end to end over a real socket: `tickline run --venue V --venue-url --rest-url
 * --symbols` against the venue emulator serving a real capture (or a fixture written from the
 * venue's documentation), with faults injected mid-stream. At the end of the file, the books the
 * pipeline holds equal the books `replay --verify` builds from the same file (top 100 levels a side,
 * every instrument), with no false gap, and every injected gap detected and healed.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type ReplayPlan, startReplayVenue, verifyFile } from '@tickline/cli';
import type { EmulatedVenueName } from '@tickline/emulator';
import { openReplayInput } from '@tickline/ingest';
import { Normalizer } from '@tickline/normalize';
import { venueId } from '@tickline/wire';
import { eventually, TicklineProcess } from './tickline-process.js';

const CAPTURES = new URL('fixtures/captures/', import.meta.url).pathname;
const VENUES = new URL('fixtures/venues/', import.meta.url).pathname;
const DEPTH = 100;
const TOKEN = 'emulator-test-token-0123456789';

interface Case {
  venue: EmulatedVenueName;
  file: string;
  /** Gaps injected mid-stream (skipped updates): only where the venue's protocol can see one. */
  skip: 'book' | 'connection' | null;
}

const CASES: Case[] = [
  { venue: 'binance-spot', file: `${CAPTURES}binance-spot-depth-2021-10-12.cap`, skip: 'book' },
  { venue: 'binance-usdm', file: `${CAPTURES}binance-usdm-depth-2021-07-22.cap`, skip: 'book' },
  { venue: 'binance-coinm', file: `${VENUES}btcusd_perp_20240809.gz`, skip: 'book' },
  { venue: 'coinbase', file: `${VENUES}coinbase-advanced-level2-2024-08-09.cap`, skip: 'connection' },
  // no sequence numbers and no checksum: a lost update is invisible by protocol; faults = reconnects
  { venue: 'coinbase-legacy', file: `${CAPTURES}coinbase-legacy-level2-2021-04-17.cap`, skip: null },
  // checksums cover only the top 10/25 levels: a lost deep update can stay unseen; faults = reconnects
  { venue: 'kraken', file: `${VENUES}kraken-v2-book-2024-08-09.cap`, skip: null },
  { venue: 'kraken-v1', file: `${CAPTURES}kraken-v1-book-2021-04-17.cap`, skip: null },
  { venue: 'okx', file: `${CAPTURES}okx-v5-books-2022-05-13.cap`, skip: null },
];

type Levels = [number, number][];

async function api(base: string, path: string): Promise<unknown> {
  const res = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${TOKEN}` } });
  if (!res.ok) throw new Error(`${path}: HTTP ${res.status}`);
  return res.json();
}

/** The instrument with the most book updates in the file (a skip there is soon followed by another update). */
async function busiest(plan: ReplayPlan, among: readonly string[]): Promise<string> {
  const counts = new Map<number, number>();
  const n = new Normalizer({ registry: plan.registry });
  const sink = {
    bookDelta: (d: { instrument: number }) => counts.set(d.instrument, (counts.get(d.instrument) ?? 0) + 1),
    bookSnapshot: () => {},
    trades: () => {},
    quotes: () => {},
    reject: () => {},
  };
  const input = await openReplayInput(plan.file, { format: plan.format, venue: plan.venue });
  for await (const batch of input.batches())
    for (const f of batch) n.handleFrame(venueId(plan.venue), f.kind, f.context, f.bytes, f.recvS, f.recvNs, sink as never);
  let best = among[0] as string;
  for (const s of among)
    if (
      (counts.get(plan.registry.lookup(plan.venue, s)?.id ?? 0) ?? 0) > (counts.get(plan.registry.lookup(plan.venue, best)?.id ?? 0) ?? 0)
    )
      best = s;
  return best;
}

/** Sum of a core counter over every worker of a stage. */
function counter(stats: unknown, stage: string, key: string): number {
  const workers = (stats as { stats: { workers: { stages: { stage: string; core: Record<string, number> }[] }[] } }).stats.workers;
  let n = 0;
  for (const w of workers) for (const s of w.stages) if (s.stage === stage) n += s.core[key] ?? 0;
  return n;
}

describe('tickline run against the venue emulator, every live venue', () => {
  for (const c of CASES) {
    it(`${c.venue}: books at the end equal replay --verify's, no false gap, injected faults detected and healed`, async () => {
      // What replay --verify builds from the file: the expected books.
      const { emulator, plan } = await startReplayVenue({ venue: c.venue, file: c.file, speed: 2, host: '127.0.0.1', port: 0 });
      let run: TicklineProcess | null = null;
      try {
        const verified = await verifyFile(plan);
        expect(verified.clean).toBe(true);
        const core = verified.verifier.core;
        const expected = new Map<string, { bids: Levels; asks: Levels }>();
        for (const spec of plan.registry.list()) {
          const book = core.state(spec.id) === 1 ? core.book(spec.id) : undefined;
          if (book === undefined) continue;
          const side = (s: typeof book.bids): Levels =>
            Array.from({ length: Math.min(DEPTH, s.length) }, (_, i) => [
              s.price(i) / 10 ** book.priceScale,
              s.size(i) / 10 ** book.sizeScale,
            ]);
          expected.set(spec.symbol, { bids: side(book.bids), asks: side(book.asks) });
        }
        expect(expected.size).toBeGreaterThan(0);
        const symbols = [...expected.keys()];

        const dir = mkdtempSync(join(tmpdir(), `tkl-emu-${c.venue}-`));
        const cfg = join(dir, 'tickline.json');
        writeFileSync(
          cfg,
          JSON.stringify({ stateDir: join(dir, 'state'), book: { depth: 5000 }, http: { port: 0, token: TOKEN }, log: { level: 'warn' } }),
        );
        run = new TicklineProcess([
          'run',
          '-c',
          cfg,
          '--venue',
          c.venue,
          '--venue-url',
          emulator.wsUrl,
          '--rest-url',
          emulator.restUrl,
          '--symbols',
          symbols.join(','),
          '--summary',
          'json',
          '--fuse',
          'normalize+book+signals+risk+execution',
        ]);
        const base = (await run.waitFor(/tickline dashboard: (http:\/\/[^/\s]+)\//))[1] as string;
        const state = async (symbol: string) =>
          ((await api(base, `/api/book/${encodeURIComponent(symbol)}?depth=1`)) as { state: number }).state;
        await eventually(async () => ((await Promise.all(symbols.map(state))).every((s) => s === 1) ? true : undefined), 'every book LIVE');
        // Hold the file while the faults are set, so they land mid-stream however slow this machine is.
        emulator.setPaused(true);
        expect(emulator.stats().done).toBe(false);

        // Faults mid-stream: a lost update per instrument (where the protocol shows one), then every connection dropped.
        let skipped = 0;
        if (c.skip !== null) {
          emulator.setFaults({ skip: { instruments: [await busiest(plan, symbols)], count: 1, rate: 0 } });
          emulator.setPaused(false);
          skipped = await eventually(
            async () => emulator.injectedFaults().filter((f) => f.kind === 'skip').length || undefined,
            'skip injected',
          );
          const key = c.skip === 'book' ? `venues.${c.venue}.gaps` : 'venueSequenceGaps';
          const stage = c.skip === 'book' ? 'book' : 'normalize';
          await eventually(async () => (counter(await api(base, '/api/stats'), stage, key) >= 1 ? true : undefined), 'gap detected');
        }
        emulator.setFaults({ drop: 'all' });
        emulator.setPaused(false);
        await emulator.done;

        // The end of the file: the pipeline's books equal the verified ones.
        for (const symbol of symbols) {
          const want = expected.get(symbol);
          await eventually(async () => {
            const got = (await api(base, `/api/book/${encodeURIComponent(symbol)}?depth=${DEPTH}`)) as {
              state: number;
              bids: Levels;
              asks: Levels;
            };
            return got.state === 1 && JSON.stringify({ bids: got.bids, asks: got.asks }) === JSON.stringify(want) ? true : undefined;
          }, `${symbol} book equal to replay --verify's`);
        }
        const stats = await api(base, '/api/stats');
        const es = emulator.stats();
        expect(es.limitViolations).toEqual({});
        expect(es.connectionsTotal).toBeGreaterThanOrEqual(2); // the drop was healed by a reconnect
        expect(counter(stats, 'ingest', 'duplicateSubscribeSends')).toBe(0);
        if (c.skip === 'book')
          expect(counter(stats, 'book', `venues.${c.venue}.gaps`)).toBe(skipped); // every skip seen, no false gap
        else expect(counter(stats, 'book', `venues.${c.venue}.gaps`)).toBe(0);
        if (c.skip !== 'connection') expect(counter(stats, 'normalize', 'venueSequenceGaps')).toBe(0);
        expect(counter(stats, 'book', `venues.${c.venue}.checksumFailures`)).toBe(0);
        expect(counter(stats, 'normalize', 'rejectedTotal')).toBe(0);

        expect(await run.stop()).toBe(0);
        const summary = JSON.parse(run.stdout.trim().split('\n').at(-1) as string);
        expect(summary.venue).toBe(c.venue);
        expect(summary.stages.book.core).toHaveProperty('live');
        expect(summary.stages.book.core).toHaveProperty(`venues.${c.venue}.gaps`);
      } finally {
        if (run && run.child.exitCode === null) await run.stop('SIGKILL');
        await emulator.close();
      }
    }, 240_000);
  }
});
