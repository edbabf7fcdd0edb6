import { describe, expect, it } from 'vitest';
import { assertSameBooks } from '../bench/book.bench.js';
import { BookViewRunner, CcxtRunner, CoreRunner, LadderRunner, loadCcxtOrderBook, TicklineRunner } from '../bench/runners.js';
import { generateStream } from '../bench/stream.js';

describe('benchmark contenders', () => {
  it('tickline, the ladder, the full core and ccxt end with identical books on the bench stream', async () => {
    const stream = generateStream({ instruments: 40, depth: 20, updates: 60_000, seed: 7, tick: 5, spacing: 2 });
    const runners = [
      new TicklineRunner(),
      new LadderRunner(),
      new BookViewRunner(),
      new CoreRunner(),
      new CcxtRunner(await loadCcxtOrderBook()),
    ];
    for (const r of runners) {
      r.setup(stream);
      r.run(stream);
    }
    assertSameBooks(runners, 40);
    // and the books are not trivially empty
    expect(runners[0]?.read(1).bids.length).toBeGreaterThan(5);
    // a corrupted book is caught
    (runners[0] as TicklineRunner).books[3]?.bids.set(1, 1);
    expect(() => assertSameBooks(runners, 40)).toThrow(/mismatch/);
  });
});
