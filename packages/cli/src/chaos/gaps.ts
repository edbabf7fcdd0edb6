/**
 * `gaps`: the exchange skips, duplicates and reorders delta frames at a rate while the random
 * trader trades. Books must detect each break (a gap re-seeds, a repeat is dropped as stale), heal,
 * never feed a decision while not live, and end equal to the exchange's own book at the same
 * sequence number (GET /v1/book/:symbol with the market paused).
 */

import { type ChaosContext, type ChaosEnv, type ChaosResult, getJson, sleep, until, withEnv } from './harness.js';

/** Share of delta frames each of skip, duplicate and reorder hits. */
const RATE = 0.002;

/** Counts what the exchange injected, by kind, reading its fault log as it grows. */
export class InjectedCounter {
  readonly byKind: Record<string, number> = {};
  #since = 0;

  constructor(private readonly env: ChaosEnv) {}

  async poll(): Promise<void> {
    const r = await getJson<{ injectedTotal: number; injected: { kind: string }[] }>(
      `${this.env.httpUrl}/v1/control/faults?since=${this.#since}`,
    );
    for (const f of r.injected) this.byKind[f.kind] = (this.byKind[f.kind] ?? 0) + 1;
    this.#since = r.injectedTotal;
  }
}

type Level = [number | string, number | string];
interface PipelineBook {
  state: number | null;
  seq: number | null;
  bids: Level[];
  asks: Level[];
}

const sameLevels = (a: Level[], b: Level[]): boolean =>
  a.length === b.length && a.every((l, i) => Number(l[0]) === Number(b[i]?.[0]) && Number(l[1]) === Number(b[i]?.[1]));

/**
 * Pauses the market and compares every book with the exchange's at the same sequence number
 * (waiting for the pipeline to catch up). Returns the symbols that differ, with why.
 */
export async function compareBooks(env: ChaosEnv): Promise<{ compared: number; differing: string[] }> {
  await env.market(true);
  const differing: string[] = [];
  for (const spec of env.run.registry) {
    const venue = await getJson<{ seq: number; bids: Level[]; asks: Level[] }>(
      `${env.httpUrl}/v1/book/${encodeURIComponent(spec.symbol)}?depth=1000`,
    );
    let ours: PipelineBook | undefined;
    try {
      ours = await until(
        async () => {
          const all = (await env.run.pipeline.command('book', 'book', { instrument: spec.id, depth: 500 })) as (PipelineBook | null)[];
          const b = all.find((x) => x !== null) ?? undefined;
          return b !== undefined && b.seq === venue.seq ? b : undefined;
        },
        10_000,
        `${spec.symbol} at seq ${venue.seq}`,
        50,
      );
    } catch {
      differing.push(`${spec.symbol}: not at the venue's seq ${venue.seq}`);
      continue;
    }
    if (!sameLevels(ours.bids, venue.bids) || !sameLevels(ours.asks, venue.asks))
      differing.push(`${spec.symbol}: levels differ at seq ${venue.seq}`);
  }
  await env.market(false);
  return { compared: env.run.registry.length, differing };
}

export async function gaps(ctx: ChaosContext): Promise<ChaosResult> {
  return withEnv('gaps', ctx, {}, async (env, v) => {
    const counter = new InjectedCounter(env);
    await counter.poll();
    const book0 = await env.core('book');
    const signals0 = await env.core('signals');
    const risk0 = await env.core('risk');
    const seq = { instruments: null, count: 0, rate: RATE };
    await env.faults({ skip: seq, duplicate: seq, reorder: seq });
    const end = performance.now() + ctx.seconds * 1000;
    while (performance.now() < end) {
      await sleep(500);
      await counter.poll();
    }
    await env.faults({ reset: true });
    await counter.poll();
    // the last breaks heal, then the books are compared with the venue's
    await env.allLive(30_000);
    const { compared, differing } = await compareBooks(env);
    const book = await env.core('book');
    const signals = await env.core('signals');
    const risk = await env.core('risk');
    const d = (a: Record<string, number>, b: Record<string, number>, k: string) => (b[k] ?? 0) - (a[k] ?? 0);
    const injected = counter.byKind;
    const gapsDetected = d(book0, book, 'venues.sim.gaps');
    const staleDropped = d(book0, book, 'venues.sim.deltasDroppedStale');
    const resyncs = d(book0, book, 'venues.sim.resyncs');
    const nonLive = d(risk0, risk, 'rejected.book_not_live');
    v.set({
      rate: RATE,
      seconds: ctx.seconds,
      injectedSkip: injected.skip ?? 0,
      injectedDuplicate: injected.duplicate ?? 0,
      injectedReorder: injected.reorder ?? 0,
      gapsDetected,
      duplicatesDroppedStale: staleDropped,
      deltasDiscardedWhileReseeding: d(book0, book, 'venues.sim.deltasDiscarded'),
      resyncs,
      healed: d(book0, book, 'venues.sim.snapshotsApplied'),
      signals: d(signals0, signals, 'signals'),
      signalsRefusedNotLive: d(signals0, signals, 'refusedNotLive'),
      intentsOnNonLiveBooks: nonLive,
      booksCompared: compared,
      booksDiffering: differing.length,
      ...(differing.length > 0 ? { differing: differing.slice(0, 10) } : {}),
    });
    const total = (injected.skip ?? 0) + (injected.duplicate ?? 0) + (injected.reorder ?? 0);
    v.check(total > 0, 'no fault was injected');
    // A break that lands while the book is already re-seeding is absorbed by the snapshot, so
    // detections can be fewer than injections; none detected at all would mean a blind book.
    v.check((injected.skip ?? 0) === 0 || gapsDetected > 0, `no gap detected for ${injected.skip} skipped frames`);
    v.check((injected.duplicate ?? 0) === 0 || staleDropped > 0, `no repeat dropped for ${injected.duplicate} duplicated frames`);
    v.check(nonLive === 0, `${nonLive} intents reached risk for books that were not live`);
    v.check(differing.length === 0, `${differing.length} of ${compared} books differ from the exchange's`);
  });
}
