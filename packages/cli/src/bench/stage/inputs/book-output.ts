/**
 * What the book stage emits for the book input (book-input.ts): book views, trades passed on,
 * tick bars. Made by running the real book core (its worker module's factory, `tickline run`'s
 * book config) over that input, so the stages after it get what a pipeline hands them.
 */

import { feed, stageCore } from '../direct.js';
import { TapeWriter } from '../tape.js';
import { bookStream, emitBookStream, RUN_BOOK_CONFIG } from './book-input.js';
import type { SimUniverse } from './sim-universe.js';

/**
 * Writes into `out` the book stage's output for a stream of about `records` body records over
 * `u`: its output for the snapshots is the set-up (`primed` ends it), the rest the body.
 */
export async function emitBookOutput(u: SimUniverse, records: number, out: TapeWriter, primed = () => out.endPrime()): Promise<void> {
  const input = new TapeWriter();
  emitBookStream(u, bookStream(records), input, () => input.endPrime());
  const tape = input.finish();
  const core = await stageCore('book', u.specs, RUN_BOOK_CONFIG);
  await feed(core, tape, 0, tape.prime, out, null);
  primed();
  await feed(core, tape, tape.prime, tape.count, out, null);
  await core.close?.();
}
