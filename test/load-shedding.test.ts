/**
 * Ingest under a consumer that falls behind, end to end on real parts: the embedded exchange over
 * a real WebSocket, the ingest source, the runtime's ring emitter and a real shared-memory ring
 * whose consumer this test drives (it reads slower than the venue sends, to play a slow normalize stage).
 *
 * What must hold: the socket is always read (no disconnect, the exchange never drops a slow
 * consumer); while the consumer is behind, instruments are shed whole, each is announced
 * downstream by a resync mark before anything else of it is lost, and its streams are
 * unsubscribed at the venue until its re-seed; re-seeds leave at the paced
 * rate once the consumer catches up; every shed book gets a fresh snapshot and its deltas then
 * chain from it with no gap.
 */

import { type ExchangeHandle, startExchange } from '@tickline/exchange';
import { createIngestSource, type IngestSource, seededRandom } from '@tickline/ingest';
import { simInstruments } from '@tickline/normalize';
import { createRing, RingConsumer, RingProducer } from '@tickline/ring';
import { markOf, RingEmitter } from '@tickline/runtime';
import { Body, InstrumentRegistry, RecordReader } from '@tickline/wire';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const N = 300;
const SEEDS_PER_SECOND = 400;
const BURST = 20;

let ex: ExchangeHandle;
let source: IngestSource;
let consumer: RingConsumer;
let reader: RecordReader;
let registry: InstrumentRegistry;
const decoder = new TextDecoder();

interface Seen {
  t: number;
  kind: 'snapshot' | 'delta' | 'trade' | 'resync';
  symbol: string;
  seq: number;
  prevSeq: number;
}
const seen: Seen[] = [];

/** Takes everything in the ring (or at most `max` records), as normalize would. */
function drain(max = Number.POSITIVE_INFINITY): number {
  let n = 0;
  while (n < max) {
    const got = consumer.poll(
      (_data, offset, length) => {
        const type = reader.open(offset, length);
        const t = performance.now();
        if (type === Body.RawFrame) {
          const bytes = reader.rawBytes();
          const text = decoder.decode(bytes.slice());
          if (!text.startsWith('{"type":"snapshot"') && !text.startsWith('{"type":"delta"') && !text.startsWith('{"type":"trade"')) return;
          const m = JSON.parse(text) as { type: string; channel: string; seq?: number; prevSeq?: number };
          seen.push({
            t,
            kind: m.type as Seen['kind'],
            symbol: m.channel.slice(m.channel.indexOf(':') + 1),
            seq: m.seq ?? Number.NaN,
            prevSeq: m.prevSeq ?? Number.NaN,
          });
        } else {
          const mark = markOf(reader);
          if (mark?.type === 'resync') {
            const spec = registry.get(mark.instrument);
            seen.push({ t, kind: 'resync', symbol: spec?.symbol ?? '?', seq: Number.NaN, prevSeq: Number.NaN });
          }
        }
      },
      () => {},
      Math.min(4096, max - n),
    );
    n += got;
    if (got === 0) return n;
  }
  return n;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function consumeFor(ms: number): Promise<void> {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    drain();
    await sleep(2);
  }
}

/** Takes one record every 10 ms: a consumer that runs, far slower than the frames arrive. */
async function crawlFor(ms: number): Promise<void> {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    drain(1);
    await sleep(10);
  }
}

beforeAll(async () => {
  ex = await startExchange({ instruments: N, eventsPerSecond: 30_000, heartbeatMs: 500 });
  registry = new InstrumentRegistry();
  for (const i of simInstruments(await (await fetch(`${ex.httpUrl}/v1/instruments`)).json())) registry.add({ ...i, venue: 'sim' });
  const ring = createRing({ capacity: 1 << 24, policy: 'drop-newest', name: 'ingest->normalize' });
  consumer = new RingConsumer(ring);
  reader = new RecordReader(consumer.data);
  const emit = new RingEmitter([new RingProducer(ring)]);
  source = createIngestSource({
    venue: 'sim',
    url: ex.wsUrl,
    registry,
    instruments: registry.list().map((i) => i.symbol),
    config: {
      heartbeatIntervalMs: 500,
      heartbeatTimeoutMs: 3000,
      staleAfterMs: 0,
      maxBacklogMs: 50,
      seedBacklogMs: 10,
      seedsPerSecond: SEEDS_PER_SECOND,
      seedBurst: BURST,
    },
    random: seededRandom(3),
  });
  const started = source.start(emit);
  // the consumer keeps up during start-up: the start-up seeds are paced too
  while ((await Promise.race([started.then(() => true), consumeFor(20).then(() => false)])) === false);
  await consumeFor(300);
}, 60_000);

afterAll(async () => {
  await source?.stop();
  await ex?.close();
});

describe('load shedding at ingest against a consumer that falls behind', () => {
  it('seeds every book at start-up at the paced rate, with nothing shed while the consumer keeps up', () => {
    const snaps = seen.filter((s) => s.kind === 'snapshot');
    expect(new Set(snaps.map((s) => s.symbol)).size).toBe(N);
    const spanS = ((snaps.at(-1)?.t ?? 0) - (snaps[0]?.t ?? 0)) / 1000;
    // 300 seeds at 400/s with a burst of 20 cannot all arrive in much less than 0.7 s
    expect(spanS).toBeGreaterThan((N - BURST) / SEEDS_PER_SECOND - 0.1);
    expect(source.stats().shedInstruments).toBe(0);
  });

  it('sheds whole instruments while it is behind, announces each, and re-seeds them paced, with no gap and no disconnect', async () => {
    const before = seen.length;
    // normalize slows to a fraction of the rate: it keeps taking frames (a stalled consumer
    // is not shed for), but falls behind and the backlog passes 50 ms
    await crawlFor(400);
    const stalledAt = performance.now();
    // Shed instruments are unsubscribed at the venue (book and trades) until their re-seed:
    // shedding lowers what the venue sends, not only what is queued.
    const shed = source.stats().shedNow;
    expect(shed).toBeGreaterThan(0);
    for (let i = 0; i < 100 && ex.stats().subscriptions !== 2 * (N - source.stats().shedNow); i++) await sleep(10);
    expect(ex.stats().subscriptions).toBe(2 * (N - source.stats().shedNow));
    expect(source.stats().parkedInstruments).toBeGreaterThanOrEqual(shed);
    // it catches up; the re-seeds then come back at an adaptive rate, quietest books first
    const until = performance.now() + 25_000;
    do await consumeFor(250);
    while ((source.stats().shedNow > 0 || source.stats().seedsQueued > 0) && performance.now() < until);
    await consumeFor(300);
    const st = source.stats();
    expect(st.shedInstruments).toBeGreaterThan(0);
    // (shedFrames, frames still in flight when the unsubscribe left, may well be 0)
    expect(st.disconnects).toBe(0);
    expect(ex.stats().slowConsumerDrops).toBe(0);

    const after = seen.slice(before);
    const resyncs = after.filter((s) => s.kind === 'resync');
    expect(resyncs.length).toBe(st.shedInstruments);
    // Per shed instrument: after its resync mark, no delta until a snapshot; after the
    // snapshot, deltas chain from the snapshot's seq.
    for (const r of resyncs) {
      const mine = after.filter((s) => s.symbol === r.symbol && s.t >= r.t && s.kind !== 'trade');
      const snapAt = mine.findIndex((s) => s.kind === 'snapshot');
      expect(snapAt, `${r.symbol} re-seeded`).toBeGreaterThan(0);
      // (deltas between the mark and the snapshot arrive only once the re-seed is released: the
      // book buffers them and keeps those the snapshot does not cover)
      let last = (mine[snapAt] as Seen).seq;
      for (const d of mine.slice(snapAt + 1)) {
        if (d.kind !== 'delta' || d.seq <= last) continue;
        expect(d.prevSeq, `${r.symbol} chains after its snapshot`).toBe(last);
        last = d.seq;
      }
    }
    // The re-seeds left at the paced rate once the consumer caught up.
    const reseeds = after.filter((s) => s.kind === 'snapshot' && s.t >= stalledAt).map((s) => s.t);
    expect(reseeds.length).toBeGreaterThanOrEqual(resyncs.length);
    for (let i = 0; i < reseeds.length; i++) {
      const window = reseeds.filter((t) => t >= (reseeds[i] as number) && t < (reseeds[i] as number) + 250).length;
      expect(window).toBeLessThanOrEqual(BURST + 0.25 * SEEDS_PER_SECOND + 5);
    }
    expect(st.shedNow).toBe(0);
    expect(st.seedsQueued).toBe(0);
    // every stream subscribed again by its re-seed
    expect(ex.stats().subscriptions).toBe(2 * N);
    expect(st.parkedInstruments).toBe(st.shedInstruments);
  }, 60_000);
});
