import { InstrumentRegistry, QuoteBatchDraft, SideCode, TradeBatchDraft, VENUE_NAMES, VENUES } from '@tickline/wire';
import { describe, expect, it } from 'vitest';
import { BookConfigError, resolveBookConfig, validateBookConfig } from '../src/config.js';
import type { BarLike } from '../src/core/bars.js';
import { BookCore, type BookViewLike } from '../src/core/book-core.js';
import { BookState } from '../src/core/book-sync.js';
import { SEQUENCE_RULES } from '../src/core/venue-rules.js';
import { delta, levelsOf, snapshot } from './helpers.js';

function setup(config = {}) {
  const registry = new InstrumentRegistry();
  registry.add({ id: 1, venue: 'sim', symbol: 'A', priceScale: 2, sizeScale: 3, tickSize: 1, lotSize: 1 });
  registry.add({ id: 2, venue: 'binance-spot', symbol: 'B', priceScale: 2, sizeScale: 3, tickSize: 1, lotSize: 1 });
  const views: { state: BookState; mid: number; bids: [number, number][]; seq: number; recvS: number }[] = [];
  const resyncs: string[] = [];
  const bars: BarLike[] = [];
  const core = new BookCore(config, registry, {
    view: (v: BookViewLike) => views.push({ state: v.state, mid: v.mid, bids: levelsOf(v.bids), seq: v.seq, recvS: v.recvS }),
    resync: (i, v, r) => resyncs.push(`${i}/${v}/${r}`),
    bar: (b) => bars.push({ ...b }),
  });
  return { core, views, resyncs, bars };
}

const sim = VENUES.sim;

describe('BookCore', () => {
  it('publishes views with top-N and state changes; requests snapshots through the output', () => {
    const { core, views, resyncs } = setup({ viewLevels: 2, conflateViews: false });
    core.onDelta(delta({ venue: sim, first: 5, bids: [[99, 1]] }));
    expect(resyncs).toEqual(['1/1/initial']);
    expect(views.at(-1)?.state).toBe(BookState.Syncing);
    core.onSnapshot(
      snapshot({
        venue: sim,
        seq: 4,
        bids: [
          [100, 1],
          [98, 1],
          [97, 1],
        ],
        asks: [[102, 1]],
      }),
    );
    expect(views.at(-1)).toMatchObject({
      state: BookState.Live,
      mid: 1.01,
      seq: 5,
      bids: [
        [100, 1],
        [99, 1],
      ],
    });
    core.onDelta(delta({ venue: sim, first: 7 }));
    expect(views.at(-1)?.state).toBe(BookState.Reseeding);
    expect(views.at(-1)?.bids).toEqual([]);
    expect(resyncs.at(-1)).toBe('1/1/gap');
    expect(core.stats().venues.sim?.gaps).toBe(1);
  });

  it('conflates views: per instrument and batch, its first change at once and its latest at the end', () => {
    const { core, views } = setup({ viewLevels: 1 });
    core.onSnapshot(snapshot({ venue: sim, seq: 1, bids: [[100, 1]], asks: [[102, 1]] }));
    core.onSnapshot(snapshot({ instrument: 2, venue: VENUES['binance-spot'], seq: 1, bids: [[50, 1]], asks: [[52, 1]] }));
    expect(views.map((v) => v.bids[0]?.[0])).toEqual([100, 50]); // first changes: no delay
    core.flushViews();
    expect(views).toHaveLength(2); // nothing owed
    for (let k = 0; k < 5; k++) core.onDelta(delta({ venue: sim, first: 2 + k, bids: [[100, 2 + k]], recvS: 10 + k }));
    expect(views).toHaveLength(3); // the first of five changes went out at once
    expect(views.at(-1)).toMatchObject({ seq: 2, bids: [[100, 2]], recvS: 10 });
    core.flushViews();
    expect(views).toHaveLength(4); // the other four became one view: the latest
    expect(views.at(-1)).toMatchObject({ state: BookState.Live, seq: 6, bids: [[100, 6]], recvS: 14 });
    core.flushViews();
    expect(views).toHaveLength(4); // nothing owed: nothing published
    // a state change is never lost to conflation: the latest state is what is published
    core.onDelta(delta({ venue: sim, first: 7, bids: [[100, 1]] }));
    core.onDelta(delta({ venue: sim, first: 9 }));
    core.flushViews();
    expect(views.at(-1)?.state).toBe(BookState.Reseeding);
  });

  it('a ring drop re-seeds every instrument; a feed-down only that venue', () => {
    const { core } = setup();
    core.onSnapshot(snapshot({ venue: sim, seq: 1, bids: [[100, 1]], asks: [[102, 1]] }));
    core.onSnapshot(snapshot({ instrument: 2, venue: VENUES['binance-spot'], seq: 1, bids: [[100, 1]], asks: [[102, 1]] }));
    core.onFeedDown(VENUES['binance-spot']);
    expect(core.state(1)).toBe(BookState.Live);
    expect(core.state(2)).toBe(BookState.Reseeding);
    core.onDrop(3, 0);
    expect(core.state(1)).toBe(BookState.Reseeding);
    const st = core.stats();
    expect(st.reseeding).toBe(2);
    expect(st.droppedRecords).toBe(3);
    expect(st.venues.sim?.ringDrops).toBe(1);
  });

  it('ignores records of unknown venues (counted)', () => {
    const { core } = setup();
    core.onDelta(delta({ instrument: 9, venue: 999 }));
    expect(core.stats().unknownVenue).toBe(1);
  });

  it('builds tick bars with OHLC, VWAP and a time-weighted spread', () => {
    const { core, bars } = setup({ bars: { tickTrades: 3 } });
    core.onSnapshot(snapshot({ venue: sim, seq: 1, bids: [[100, 1]], asks: [[102, 1]], recvS: 10 }));
    const t = new TradeBatchDraft();
    t.instrument = 1;
    t.venue = sim;
    t.priceScale = 2;
    t.sizeScale = 3;
    t.recvS = 10;
    t.push(101, 1000, SideCode.Buy, 1, 0, 0);
    core.onTrades(t);
    // spread 0.02 for 1 s, then 0.06 for 3 s
    const q = new QuoteBatchDraft();
    Object.assign(q, { instrument: 1, venue: sim, priceScale: 2, sizeScale: 3, recvS: 11, recvNs: 0 });
    q.push(100, 1, 106, 1, Number.NaN, 0, 0);
    core.onQuotes(q);
    t.reset();
    t.recvS = 14;
    t.push(105, 3000, SideCode.Sell, 2, 0, 0);
    t.push(99, 1000, SideCode.Sell, 3, 0, 0);
    core.onTrades(t);
    expect(bars).toHaveLength(1);
    const b = bars[0] as BarLike;
    expect([b.open, b.high, b.low, b.close, b.volume, b.tradeCount]).toEqual([101, 105, 99, 99, 5000, 3]);
    expect(b.vwap).toBeCloseTo((1.01 * 1 + 1.05 * 3 + 0.99 * 1) / 5, 12);
    expect(b.spreadAvg).toBeCloseTo((0.02 * 1 + 0.06 * 3) / 4, 12);
    expect(b.spreadMax).toBeCloseTo(0.06, 12);
    expect([b.startS, b.endS]).toEqual([10, 14]);
  });

  it('builds volume bars and aligned time bars (closed by later records or flush)', () => {
    const { core, bars } = setup({ bars: { volume: 2, timeMs: 1000 } });
    const t = new TradeBatchDraft();
    Object.assign(t, { instrument: 1, venue: sim, priceScale: 2, sizeScale: 3, recvS: 100, recvNs: 250_000_000 });
    t.push(100, 1500, SideCode.Buy, 1, 0, 0);
    core.onTrades(t);
    t.reset();
    t.recvNs = 500_000_000;
    t.push(101, 600, SideCode.Buy, 2, 0, 0);
    core.onTrades(t);
    const vol = bars.filter((b) => b.kind === 1);
    expect(vol).toHaveLength(1);
    expect(vol[0]?.volume).toBe(2100);
    core.flush(101, 1);
    const time = bars.filter((b) => b.kind === 2);
    expect(time).toHaveLength(1);
    expect([time[0]?.startS, time[0]?.startNs, time[0]?.endS, time[0]?.endNs]).toEqual([100, 0, 101, 0]);
  });
});

describe('config', () => {
  it('reports every violation with its path and allowed values', () => {
    const issues = validateBookConfig({
      depth: 0,
      viewLevels: 'x',
      bogus: 1,
      bars: { tickTrades: -1, nope: 2 },
      venues: { okx: { sequence: 'weird', extra: true }, mars: {} },
      checksumText: { nocolon: { price: 99 } },
    });
    expect(issues.map((i) => `${i.path}: ${i.message}`)).toEqual([
      'bogus: is not a known setting (allowed here: depth, viewLevels, conflateViews, maxBufferedDeltas, maxBufferedLevels, bars, checksumText, venues)',
      'depth: must be an integer from 1 to 10000, got 0',
      'viewLevels: must be an integer from 1 to 1000, got "x"',
      'bars.nope: is not a known setting (allowed here: tickTrades, volume, timeMs)',
      'bars.tickTrades: must be an integer from 0 to 1000000000, got -1',
      `checksumText.nocolon: is not a valid key: must be '<venue>:<symbol>' with venue one of ${VENUE_NAMES.join(', ')}`,
      'checksumText.nocolon.price: must be an integer from 0 to 18, got 99',
      'venues.okx.extra: is not a known setting (allowed here: sequence, firstDelta, sequenceOptional, checksum, checksumLevels, priceFormat, sizeFormat, reseedOnCrossed, depth)',
      `venues.okx.sequence: must be one of ${SEQUENCE_RULES.map((r) => JSON.stringify(r)).join(', ')}, got "weird"`,
      `venues.mars: is not a known setting (allowed here: ${VENUE_NAMES.join(', ')})`,
    ]);
    expect(() => resolveBookConfig({ depth: -1 })).toThrow(BookConfigError);
  });

  it('fills defaults and applies venue overrides', () => {
    const c = resolveBookConfig({ venues: { 'kraken-v1': { depth: 1000 } } });
    expect(c.depth).toBe(50);
    expect(c.venues['kraken-v1'].depth).toBe(1000);
    expect(c.venues['kraken-v1'].checksum).toBe('kraken');
    expect(() => resolveBookConfig({ depth: 5, viewLevels: 10 })).toThrow(
      'invalid book config:\n  viewLevels: must be at most depth (5), got 10',
    );
    // A bad depth stands at its default: no check of viewLevels against a depth nobody gave.
    expect(validateBookConfig({ depth: 'deep', viewLevels: 60 }).map((i) => i.path)).toEqual(['depth']);
  });
});
