/**
 * Ingest with no queue after it (a fused placement: the next stages run in ingest's own thread),
 * against the embedded exchange in its own process, as a venue is. A pipeline that cannot keep up
 * then falls behind in the socket, where no queue can be timed: data waits in the exchange's send
 * buffer until the exchange cuts the connection as a slow consumer. The lag probe (WebSocket ping
 * round trips above the fastest) sees that wait; the governor sheds instruments and unsubscribes
 * them at the venue, the connection survives, and once the pipeline is fast again every book is
 * re-seeded.
 */

import { spawnExchange, type ExchangeProcess } from '@tickline/cli';
import { createIngestSource, type IngestSource, seededRandom } from '@tickline/ingest';
import { simInstruments } from '@tickline/normalize';
import { type Mark, type RawFrameLike, SourceEmitter } from '@tickline/runtime';
import { InstrumentRegistry } from '@tickline/wire';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const N = 400;
let ex: ExchangeProcess;
let source: IngestSource;
/** Work per frame (µs) of the pipeline that runs in ingest's thread. */
let costUs = 0;
let frames = 0;
let resyncs = 0;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The pipeline in ingest's own thread: it takes each frame and spends `costUs` on it. */
class SlowPipeline extends SourceEmitter {
  rawFrame(_f: RawFrameLike): void {
    frames++;
    if (costUs > 0) {
      const end = performance.now() + costUs / 1000;
      while (performance.now() < end);
    }
  }
  mark(m: Mark): void {
    if (m.type === 'resync') resyncs++;
  }
  flush(): void {}
}
const pipeline = new SlowPipeline();

async function waitFor(what: string, ok: () => Promise<boolean> | boolean, ms = 30_000): Promise<void> {
  const end = performance.now() + ms;
  while (!(await ok())) {
    if (performance.now() > end) throw new Error(`timed out: ${what}`);
    await sleep(100);
  }
}

beforeAll(async () => {
  // A send buffer of 16 MiB: at this rate a connection read a few times too slowly is cut in seconds.
  ex = await spawnExchange({ instruments: N, eventsPerSecond: 40_000, heartbeatMs: 500, maxBufferedBytes: 16 * 1_048_576 });
  const registry = new InstrumentRegistry();
  for (const i of simInstruments(await (await fetch(`${ex.httpUrl}/v1/instruments`)).json())) registry.add({ ...i, venue: 'sim' });
  source = createIngestSource({
    venue: 'sim',
    url: ex.wsUrl,
    registry,
    instruments: registry.list().map((i) => i.symbol),
    config: { heartbeatIntervalMs: 500, heartbeatTimeoutMs: 5000, staleAfterMs: 0, maxBacklogMs: 50, seedBacklogMs: 10 },
    random: seededRandom(5),
  });
  await source.start(pipeline);
  await waitFor('every book subscribed', async () => (await ex.stats()).subscriptions === 2 * N);
}, 60_000);

afterAll(async () => {
  await source?.stop();
  await ex?.close();
});

describe('load shedding with ingest fused to the next stage (no queue between)', () => {
  it('a pipeline too slow for the feed sheds at the venue on the socket lag; no disconnect; all re-seeded once it is fast', async () => {
    expect(source.stats().shedInstruments).toBe(0); // keeping up: nothing shed
    const rate0 = frames;
    await sleep(1000);
    const perSec = frames - rate0;
    expect(perSec).toBeGreaterThan(2000);
    // The pipeline now takes 3x as long per frame as frames arrive: it reads the socket a third as fast.
    costUs = Math.round((3 * 1e6) / perSec);
    await sleep(6000);
    const slow = source.stats();
    expect(slow.lagProbes).toBeGreaterThan(0);
    // (how many are shed at one moment swings: re-seeds come back while the socket has room)
    expect(slow.shedInstruments).toBeGreaterThan(0);
    expect(slow.parkedInstruments).toBe(slow.shedInstruments);
    expect(slow.overloads).toBeGreaterThan(0);
    expect(resyncs).toBe(slow.shedInstruments); // each announced downstream
    expect(slow.disconnects).toBe(0);
    expect((await ex.stats()).slowConsumerDrops).toBe(0);
    // the venue stops sending streams of shed instruments: counted where it removes them (a
    // sample of its subscription count can miss the dip). Every shed sends an unsubscribe (a
    // re-seed that overtakes it only adds the subscribe after it), but it queues under the
    // venue's request-rate limit, so on a loaded machine it may land after this point: wait.
    await waitFor('an unsubscribe reaches the venue', async () => (await ex.stats()).unsubscribed > 0, 20_000);

    // Fast again: every instrument comes back, on the same connection.
    costUs = 0;
    await waitFor('every book re-seeded', () => source.stats().shedNow === 0 && source.stats().seedsQueued === 0, 45_000);
    await waitFor('every stream subscribed again', async () => (await ex.stats()).subscriptions === 2 * N);
    const st = source.stats();
    expect(st.disconnects).toBe(0);
    expect(st.parkedInstruments).toBe(st.shedInstruments);
    expect((await ex.stats()).slowConsumerDrops).toBe(0);
  }, 90_000);
});
