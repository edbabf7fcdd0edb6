import { DEFAULT_OPTIONS, encodeDelta, encodeSnapshot, encodeTrades, generateUniverse, instrumentInfo, Market } from '@tickline/exchange';
import { InstrumentRegistry } from '@tickline/wire';
import { simInstruments } from '../src/index.js';

/**
 * The embedded exchange's live stream without a socket: its own market process stepped in
 * virtual time and published with its own encoders, frame for frame what a client subscribed to
 * every `book:` and `trades:` channel receives (deltas and trade frames in the server's
 * publishing order), plus the registry a sim pipeline builds from `GET /v1/instruments`.
 */
export interface SimStream {
  registry: InstrumentRegistry;
  /** Live frames (deltas and trades), in publishing order. */
  frames: string[];
  /** One snapshot frame per instrument that appears in `frames` (its book when first published). */
  snapshots: string[];
}

export interface SimStreamOptions {
  /** Frames to produce (the last step may add a few more). */
  frames: number;
  instruments?: number;
  seed?: number;
  eventsPerSecond?: number;
}

export function simStream(opts: SimStreamOptions): SimStream {
  const instruments = generateUniverse(opts.instruments ?? DEFAULT_OPTIONS.instruments, opts.seed ?? DEFAULT_OPTIONS.seed);
  const registry = new InstrumentRegistry();
  for (const input of simInstruments({ instruments: instruments.map(instrumentInfo) })) registry.add(input);
  const stepMs = DEFAULT_OPTIONS.tickMs;
  const market = new Market(instruments, {
    seed: opts.seed ?? DEFAULT_OPTIONS.seed,
    stepMs,
    eventsPerSecond: opts.eventsPerSecond ?? DEFAULT_OPTIONS.eventsPerSecond,
    profile: 'steady',
    openEventsPerSecond: DEFAULT_OPTIONS.openEventsPerSecond,
    openWindowMs: DEFAULT_OPTIONS.openWindowMs,
    minLevels: DEFAULT_OPTIONS.minLevels,
    maxLevels: DEFAULT_OPTIONS.maxLevels,
  });
  const snapshots = new Map<number, string>();
  const frames: string[] = [];
  const t0 = 1_718_000_000_000;
  for (let step = 0; frames.length < opts.frames; step++) {
    market.step();
    const ts = t0 + step * stepMs;
    for (const index of market.dirty) {
      const book = market.books[index];
      const inst = instruments[index];
      if (book === undefined || inst === undefined) continue;
      if (!snapshots.has(index)) snapshots.set(index, encodeSnapshot(inst, book, t0));
      if (book.hasPending()) {
        book.seq++;
        frames.push(encodeDelta(inst, book, ts));
      }
      if (book.pendingTrades.length > 0) frames.push(encodeTrades(inst, book, ts));
      book.clearPending();
    }
    market.dirty.length = 0;
  }
  return { registry, frames, snapshots: [...snapshots.values()] };
}
