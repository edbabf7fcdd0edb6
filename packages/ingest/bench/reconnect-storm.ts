/**
 * Reconnect storm: N forced disconnects (TCP reset, no close frame) of an ingest source holding
 * many subscriptions on the embedded exchange. Checks every recovery (feed down -> up with all
 * subscriptions restored), counts duplicate subscriptions (ours and as the exchange reports them)
 * and the backoff's draws against its floor and cap. Prints JSON.
 *
 *   node --import tsx packages/ingest/bench/reconnect-storm.ts [--drops 100] [--instruments 1000] [--seed 1]
 */

import { parseArgs } from 'node:util';
import { startExchange } from '@tickline/exchange';
import { createIngestSource, seededRandom } from '../src/connection/index.js';
import { RecordingEmitter, until } from '../testing/recording-emitter.js';
import { simRegistry } from './sim-registry.js';

const { values } = parseArgs({
  options: {
    drops: { type: 'string', default: '100' },
    instruments: { type: 'string', default: '1000' },
    seed: { type: 'string', default: '1' },
  },
});
const drops = Number(values.drops);
const instruments = Number(values.instruments);
const seed = Number(values.seed);

const backoff = { baseMs: 20, factor: 2, capMs: 500, floorMs: 10, resetAfterMs: 1000 };

const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((s.length - 1) * p))] ?? 0;
};

async function main(): Promise<void> {
  const ex = await startExchange({ instruments, eventsPerSecond: 20_000, seed });
  const emit = new RecordingEmitter(false);
  const delays: number[] = [];
  const source = createIngestSource({
    venue: 'sim',
    url: ex.wsUrl,
    registry: simRegistry(ex.instruments),
    instruments: ex.instruments.map((i) => i.symbol),
    config: { backoff, staleAfterMs: 0, heartbeatIntervalMs: 1000, heartbeatTimeoutMs: 5000, ackTimeoutMs: 20_000 },
    random: seededRandom(seed),
    onBackoff: (ms) => delays.push(ms),
  });
  const rnd = seededRandom(seed + 1);
  const t0 = performance.now();
  await source.start(emit);
  const expected = instruments * 2;
  const ups = (): number => emit.marks.filter((m) => m.type === 'feed' && m.up).length;
  const recoveryMs: number[] = [];
  let recoveries = 0;
  let restoredEveryTime = true;
  for (let i = 0; i < drops; i++) {
    const before = ups();
    const td = performance.now();
    ex.setFaults({ drop: 'all' });
    await until(() => ups() === before + 1, 30_000, `recovery ${i + 1}`);
    recoveryMs.push(performance.now() - td);
    recoveries++;
    if (ex.stats().subscriptions !== expected || source.stats().instrumentsActive !== instruments) restoredEveryTime = false;
    // Drops arrive at irregular moments, sometimes before the attempt counter resets.
    await new Promise((r) => setTimeout(r, Math.floor(rnd() * 50)));
  }
  const s = source.stats();
  const marks = emit.feedMarks();
  const alternating = marks.every((m, i) => m === (i % 2 === 0 ? 'up' : 'down'));
  const out = {
    bench: 'ingest-reconnect-storm',
    node: process.version,
    drops,
    instruments,
    channels: expected,
    recoveries,
    restoredEveryTime,
    subscriptionsAtEnd: ex.stats().subscriptions,
    duplicateSubscribeSends: s.duplicateSubscribeSends,
    venueDuplicateSubscriptions: s.venueDuplicateSubscriptions,
    feedMarks: { up: s.feedUp, down: s.feedDown, alternating },
    sockets: {
      connectAttempts: s.connectAttempts,
      disconnects: s.disconnects,
      heartbeatTimeouts: s.heartbeatTimeouts,
      ackTimeouts: s.ackTimeouts,
    },
    backoff: {
      ...backoff,
      draws: delays.length,
      minMs: Math.min(...delays),
      medianMs: pct(delays, 0.5),
      maxMs: Math.max(...delays),
      belowFloor: delays.filter((d) => d < backoff.floorMs).length,
      aboveCap: delays.filter((d) => d > backoff.capMs).length,
    },
    recoveryMs: {
      median: +pct(recoveryMs, 0.5).toFixed(1),
      p90: +pct(recoveryMs, 0.9).toFixed(1),
      max: +Math.max(...recoveryMs).toFixed(1),
    },
    totalMs: Math.round(performance.now() - t0),
    framesReceived: s.frames,
  };
  await source.stop();
  await ex.close();
  console.log(JSON.stringify(out, null, 2));
  const ok =
    out.recoveries === drops &&
    out.restoredEveryTime &&
    out.duplicateSubscribeSends === 0 &&
    out.venueDuplicateSubscriptions === 0 &&
    out.backoff.belowFloor === 0;
  process.exitCode = ok ? 0 : 1;
}

await main();
