/**
 * The normalize stage's input: raw frames as ingest emits them.
 *
 * - sim (default): the embedded exchange's own frames, made offline from its seeded market
 *   process and its protocol encoders (the code its server sends with): a full-book snapshot
 *   frame per instrument (set-up), then per market step one delta frame per changed book and one
 *   trade frame per instrument that traded, as the server publishes them.
 * - another venue: the frames of that venue's real capture in test/fixtures/captures, in file
 *   order (REST snapshots included), repeated until the tape is long enough; its instruments
 *   come from the capture the way `tickline replay` finds them.
 */

import { DEFAULT_OPTIONS, encodeDelta, encodeSnapshot, encodeTrades, Market, type SimBook } from '@tickline/exchange';
import { rawFrameScratch } from '@tickline/runtime';
import { openReplayInput } from '@tickline/ingest';
import { type InstrumentSpec, splitMs, VENUES, type VenueName } from '@tickline/wire';
import { planReplay } from '../../../commands/replay-registry.js';
import type { StagePlan, StageSizes } from '../plan.js';
import { TapeWriter } from '../tape.js';
import { capturePath } from './captures.js';
import { SIM_SEED, type SimUniverse } from './sim-universe.js';

function simTape(u: SimUniverse, records: number): TapeWriter {
  const o = DEFAULT_OPTIONS;
  const market = new Market(u.instruments, {
    seed: SIM_SEED,
    stepMs: o.tickMs,
    eventsPerSecond: o.eventsPerSecond,
    profile: 'steady',
    openEventsPerSecond: o.openEventsPerSecond,
    openWindowMs: o.openWindowMs,
    minLevels: o.minLevels,
    maxLevels: o.maxLevels,
  });
  const w = new TapeWriter();
  const f = rawFrameScratch(VENUES.sim);
  const t = { s: 0, ns: 0 };
  let ts = Date.now();
  const send = (text: string) => {
    splitMs(ts, t);
    f.recvS = t.s;
    f.recvNs = t.ns;
    f.frameSeq++;
    f.bytes = Buffer.from(text, 'utf8');
    w.rawFrame(f);
  };
  market.instruments.forEach((inst, i) => {
    send(encodeSnapshot(inst, market.books[i] as SimBook, ts));
  });
  w.endPrime();
  while (w.body < records) {
    market.step();
    ts += o.tickMs;
    for (const index of market.dirty) {
      const book = market.books[index];
      const inst = market.instruments[index];
      if (book === undefined || inst === undefined) continue;
      if (book.hasPending()) {
        book.seq++;
        send(encodeDelta(inst, book, ts));
      }
      if (book.pendingTrades.length > 0) send(encodeTrades(inst, book, ts));
      book.clearPending();
    }
    market.dirty.length = 0;
  }
  return w;
}

async function captureTape(venue: VenueName, records: number): Promise<{ w: TapeWriter; registry: InstrumentSpec[] }> {
  const file = capturePath(venue);
  const replay = await planReplay(file, { venue, format: 'capture' });
  const w = new TapeWriter();
  const f = rawFrameScratch(VENUES[venue]);
  while (w.count < records) {
    const input = await openReplayInput(file, { format: 'capture' });
    const before = w.count;
    for await (const batch of input.batches()) {
      for (const r of batch) {
        Object.assign(f, { recvS: r.recvS, recvNs: r.recvNs, kind: r.kind, context: r.context, bytes: r.bytes });
        f.frameSeq++;
        w.rawFrame(f);
      }
    }
    await input.close();
    if (w.count === before) throw new Error(`${file}: no frames`);
  }
  return { w, registry: replay.registry.list() };
}

export async function normalizePlan(u: SimUniverse, z: StageSizes, venue = 'sim'): Promise<StagePlan> {
  const records = z.burst + z.paced;
  const { w, registry } = venue === 'sim' ? { w: simTape(u, records), registry: u.specs } : await captureTape(venue as VenueName, records);
  return {
    stage: 'normalize',
    registry,
    tape: w.finish(),
    burst: z.burst,
    paced: z.paced,
    pacedRate: z.pacedRate,
    params: { venue, instruments: registry.length },
    open: async () => ({ config: {}, close: async () => {} }),
  };
}
