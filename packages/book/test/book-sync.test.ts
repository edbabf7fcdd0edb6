import { VENUES } from '@tickline/wire';
import { describe, expect, it } from 'vitest';
import { BookState, BookSync, DeltaOutcome, SnapshotOutcome, SyncCounters } from '../src/core/book-sync.js';
import { BookChecksum } from '../src/core/checksum.js';
import { VENUE_RULES, type VenueRule } from '../src/core/venue-rules.js';
import { delta, levelsOf, snapshot } from './helpers.js';

function make(rule: VenueRule, limits = { maxBufferedDeltas: 64, maxBufferedLevels: 4096 }) {
  const requests: string[] = [];
  const counters = new SyncCounters();
  const sync = new BookSync(
    1,
    VENUES.sim,
    rule,
    20,
    counters,
    { requestSnapshot: (_s, r) => requests.push(r) },
    limits,
    new BookChecksum(),
  );
  return { sync, counters, requests };
}

const BOOK = { bids: [[100, 1] as [number, number]], asks: [[105, 1] as [number, number]] };
const v = VENUES.sim;

describe('contiguous rule (sim, Binance spot: U = previous u + 1)', () => {
  const rule = VENUE_RULES['binance-spot'];

  it('buffers while SYNCING, requests one snapshot, drops u <= S, applies the bracketing first event', () => {
    const { sync, counters, requests } = make(rule);
    expect(sync.onDelta(delta({ venue: v, first: 95, last: 99, bids: [[90, 1]] }))).toBe(DeltaOutcome.Buffered);
    expect(sync.onDelta(delta({ venue: v, first: 100, last: 104, bids: [[101, 2]] }))).toBe(DeltaOutcome.Buffered);
    expect(sync.onDelta(delta({ venue: v, first: 105, last: 105, asks: [[104, 3]] }))).toBe(DeltaOutcome.Buffered);
    expect(requests).toEqual(['initial']);
    expect(sync.state).toBe(BookState.Syncing);
    // lastUpdateId = 102: the first event (u=99) is stale, the second brackets 103
    expect(sync.onSnapshot(snapshot({ venue: v, seq: 102, ...BOOK }))).toBe(SnapshotOutcome.Applied);
    expect(sync.state).toBe(BookState.Live);
    expect(sync.lastSeq).toBe(105);
    expect(levelsOf(sync.book.bids)).toEqual([
      [101, 2],
      [100, 1],
    ]);
    expect(levelsOf(sync.book.asks)).toEqual([
      [104, 3],
      [105, 1],
    ]);
    expect(counters.deltasDroppedStale).toBe(1);
    expect(counters.deltasApplied).toBe(2);
    expect(sync.buffered).toBe(0);
  });

  it('a buffered first event that does not bracket S+1 is a gap: re-request, keep the event', () => {
    const { sync, counters, requests } = make(rule);
    sync.onDelta(delta({ venue: v, first: 110, last: 112 }));
    expect(sync.onSnapshot(snapshot({ venue: v, seq: 100, ...BOOK }))).toBe(SnapshotOutcome.Applied);
    expect(counters.gaps).toBe(1);
    expect(sync.state).not.toBe(BookState.Live);
    expect(requests).toEqual(['initial', 'gap']);
    expect(sync.buffered).toBe(1);
    // a newer snapshot connects with the kept event
    sync.onSnapshot(snapshot({ venue: v, seq: 109, ...BOOK }));
    expect(sync.state).toBe(BookState.Live);
    expect(sync.lastSeq).toBe(112);
  });

  it('detects a gap while LIVE, re-seeds, and heals', () => {
    const { sync, counters, requests } = make(rule);
    sync.onSnapshot(snapshot({ venue: v, seq: 10, ...BOOK }));
    expect(sync.onDelta(delta({ venue: v, first: 11, last: 12, bids: [[101, 1]] }))).toBe(DeltaOutcome.Applied);
    expect(sync.onDelta(delta({ venue: v, first: 12, last: 12 }))).toBe(DeltaOutcome.Stale);
    expect(sync.onDelta(delta({ venue: v, first: 14, last: 15 }))).toBe(DeltaOutcome.Gap);
    expect(sync.state).toBe(BookState.Reseeding);
    expect(sync.book.bids.length).toBe(0);
    expect(counters.resyncs).toBe(1);
    expect(requests).toEqual(['gap']);
    expect(sync.onDelta(delta({ venue: v, first: 16, last: 16, asks: [[104, 9]] }))).toBe(DeltaOutcome.Buffered);
    sync.onSnapshot(snapshot({ venue: v, seq: 15, ...BOOK, recvS: 1_700_000_002 }));
    expect(sync.state).toBe(BookState.Live);
    expect(levelsOf(sync.book.asks)).toEqual([
      [104, 9],
      [105, 1],
    ]);
    expect(counters.resyncMs).toBe(2000);
  });

  it('sim: single-number deltas (lastSeq absent) chain on firstSeq', () => {
    const { sync, counters } = make(VENUE_RULES.sim);
    sync.onSnapshot(snapshot({ venue: v, seq: 7, ...BOOK }));
    expect(sync.onDelta(delta({ venue: v, first: 8 }))).toBe(DeltaOutcome.Applied);
    expect(sync.onDelta(delta({ venue: v, first: 9 }))).toBe(DeltaOutcome.Applied);
    expect(sync.onDelta(delta({ venue: v, first: 11 }))).toBe(DeltaOutcome.Gap);
    expect(counters.gaps).toBe(1);
  });

  it('a missing sequence number on a sequenced venue is a gap', () => {
    const { sync } = make(rule);
    sync.onSnapshot(snapshot({ venue: v, seq: 7, ...BOOK }));
    expect(sync.onDelta(delta({ venue: v }))).toBe(DeltaOutcome.Gap);
  });

  it('ignores a LIVE snapshot that is not newer', () => {
    const { sync, counters } = make(rule);
    sync.onSnapshot(snapshot({ venue: v, seq: 7, ...BOOK }));
    sync.onDelta(delta({ venue: v, first: 8, last: 9, bids: [[101, 1]] }));
    expect(sync.onSnapshot(snapshot({ venue: v, seq: 9, ...BOOK }))).toBe(SnapshotOutcome.Ignored);
    expect(counters.snapshotsIgnored).toBe(1);
    expect(sync.book.bestBid()).toBe(101);
  });
});

describe('linked rule, Binance futures (drop u < S; first U <= S <= u; then pu = previous u)', () => {
  const rule = VENUE_RULES['binance-usdm'];

  it('applies the first event bracketing S itself and then follows pu', () => {
    const { sync, counters } = make(rule);
    sync.onDelta(delta({ venue: v, first: 80, last: 90, prev: 79 })); // u < S: stale
    sync.onDelta(delta({ venue: v, first: 91, last: 100, prev: 90, bids: [[102, 4]] })); // u == S: brackets
    sync.onDelta(delta({ venue: v, first: 101, last: 130, prev: 100, bids: [[103, 4]] }));
    sync.onSnapshot(snapshot({ venue: v, seq: 100, ...BOOK }));
    expect(sync.state).toBe(BookState.Live);
    expect(counters.deltasDroppedStale).toBe(1);
    expect(counters.deltasApplied).toBe(2);
    expect(sync.lastSeq).toBe(130);
    // the futures stream is not contiguous in U: only pu matters
    expect(sync.onDelta(delta({ venue: v, first: 150, last: 160, prev: 130 }))).toBe(DeltaOutcome.Applied);
    expect(sync.onDelta(delta({ venue: v, first: 170, last: 180, prev: 165 }))).toBe(DeltaOutcome.Gap);
  });

  it('first event with U > S is a gap (the spot rule U <= S+1 does not hold on futures)', () => {
    const { sync, counters } = make(rule);
    sync.onDelta(delta({ venue: v, first: 101, last: 110, prev: 99 }));
    sync.onSnapshot(snapshot({ venue: v, seq: 100, ...BOOK }));
    expect(counters.gaps).toBe(1);
    expect(sync.state).not.toBe(BookState.Live);
  });

  it('a snapshot taken on an event boundary: the first event whose pu is S follows it exactly', () => {
    const { sync, counters } = make(rule);
    sync.onDelta(delta({ venue: v, first: 121, last: 130, prev: 100, bids: [[103, 4]] }));
    expect(sync.onSnapshot(snapshot({ venue: v, seq: 100, ...BOOK }))).toBe(SnapshotOutcome.Applied);
    expect(sync.state).toBe(BookState.Live);
    expect([counters.gaps, counters.deltasApplied, sync.lastSeq]).toEqual([0, 1, 130]);
  });
});

describe('linked rule, OKX (prevSeqId = previous seqId)', () => {
  const rule: VenueRule = { ...VENUE_RULES.okx, checksum: 'none' };

  it('chains from the snapshot seqId and accepts the empty keep-alive (prev == seq)', () => {
    const { sync } = make(rule);
    sync.onSnapshot(snapshot({ venue: v, seq: 1000, ...BOOK }));
    expect(sync.onDelta(delta({ venue: v, first: 1010, prev: 1000, bids: [[101, 1]] }))).toBe(DeltaOutcome.Applied);
    expect(sync.onDelta(delta({ venue: v, first: 1010, prev: 1010 }))).toBe(DeltaOutcome.Applied);
    expect(sync.onDelta(delta({ venue: v, first: 1020, prev: 1015 }))).toBe(DeltaOutcome.Gap);
  });

  it('without seqId (pre-2022 streams) deltas apply unchecked', () => {
    const { sync } = make(rule);
    sync.onSnapshot(snapshot({ venue: v, ...BOOK }));
    expect(sync.onDelta(delta({ venue: v, bids: [[101, 1]] }))).toBe(DeltaOutcome.Applied);
  });
});

describe('increasing rule (Coinbase Advanced Trade sequence_num per connection)', () => {
  it('drops old/duplicate deltas but never calls interleaved numbers a gap', () => {
    const { sync, counters } = make(VENUE_RULES.coinbase);
    sync.onSnapshot(snapshot({ venue: v, seq: 50, ...BOOK }));
    expect(sync.onDelta(delta({ venue: v, first: 57 }))).toBe(DeltaOutcome.Applied);
    expect(sync.onDelta(delta({ venue: v, first: 90 }))).toBe(DeltaOutcome.Applied);
    expect(sync.onDelta(delta({ venue: v, first: 90 }))).toBe(DeltaOutcome.Stale);
    expect(counters.gaps).toBe(0);
  });
});

describe('unsequenced venues (Kraken, Coinbase legacy)', () => {
  it('drop deltas before the snapshot and request it once', () => {
    const { sync, counters, requests } = make(VENUE_RULES['coinbase-legacy']);
    expect(sync.onDelta(delta({ venue: v, bids: [[1, 1]] }))).toBe(DeltaOutcome.Discarded);
    expect(sync.onDelta(delta({ venue: v, bids: [[1, 1]] }))).toBe(DeltaOutcome.Discarded);
    expect(requests).toEqual(['initial']);
    sync.onSnapshot(snapshot({ venue: v, ...BOOK }));
    expect(levelsOf(sync.book.bids)).toEqual([[100, 1]]);
    expect(counters.deltasDiscarded).toBe(2);
  });
});

describe('shared transitions', () => {
  it('a crossed book after a delta re-seeds', () => {
    const { sync, counters, requests } = make(VENUE_RULES.sim);
    sync.onSnapshot(snapshot({ venue: v, seq: 1, ...BOOK }));
    expect(sync.onDelta(delta({ venue: v, first: 2, bids: [[106, 1]] }))).toBe(DeltaOutcome.Crossed);
    expect(sync.state).toBe(BookState.Reseeding);
    expect(counters.crossed).toBe(1);
    expect(requests).toEqual(['crossed']);
  });

  it('a crossed snapshot is rejected', () => {
    const { sync, counters } = make(VENUE_RULES.sim);
    expect(sync.onSnapshot(snapshot({ venue: v, seq: 1, bids: [[106, 1]], asks: [[105, 1]] }))).toBe(SnapshotOutcome.Rejected);
    expect(counters.snapshotsRejected).toBe(1);
    expect(sync.state).toBe(BookState.Syncing);
  });

  it('a ring drop invalidates; the snapshot is requested on the next delta', () => {
    const { sync, counters, requests } = make(VENUE_RULES.sim);
    sync.onSnapshot(snapshot({ venue: v, seq: 1, ...BOOK }));
    sync.invalidate('drop', 0);
    expect(sync.state).toBe(BookState.Reseeding);
    expect(requests).toEqual([]);
    sync.onDelta(delta({ venue: v, first: 5 }));
    expect(requests).toEqual(['initial']);
    expect(counters.ringDrops).toBe(1);
  });

  it('buffer overflow drops the oldest and restarts the sync', () => {
    const { sync, counters, requests } = make(VENUE_RULES.sim, { maxBufferedDeltas: 4, maxBufferedLevels: 1000 });
    for (let s = 1; s <= 6; s++) sync.onDelta(delta({ venue: v, first: s, bids: [[90 + s, 1]] }));
    expect(sync.buffered).toBe(4);
    expect(counters.bufferOverflows).toBe(2);
    expect(requests).toEqual(['initial', 'overflow', 'overflow']);
    // the kept deltas are 3..6, so a snapshot at 2 connects
    sync.onSnapshot(snapshot({ venue: v, seq: 2, ...BOOK }));
    expect(sync.state).toBe(BookState.Live);
    expect(sync.lastSeq).toBe(6);
    expect(sync.book.bestBid()).toBe(100);
    expect(levelsOf(sync.book.bids).length).toBe(5);
  });

  it('level-bounded buffer evicts by levels too', () => {
    const { sync } = make(VENUE_RULES.sim, { maxBufferedDeltas: 100, maxBufferedLevels: 16 });
    for (let s = 1; s <= 10; s++) {
      sync.onDelta(
        delta({
          venue: v,
          first: s,
          bids: [
            [s, 1],
            [s + 1000, 1],
          ],
          asks: [[2000 + s, 1]],
        }),
      );
    }
    expect(sync.buffered).toBe(5); // 5 x 3 levels <= 16
  });
});
