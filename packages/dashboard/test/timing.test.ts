/**
 * Queueing delay and service time as the dashboard keeps them: per-worker cumulative histograms
 * merged into monotonic ones across restarts (what /metrics exports), and the health page's
 * window over successive polls with the bottleneck marked.
 */

import { type HistogramSnapshot, LatencyHistogram, snapshotOf } from '@tickline/runtime';
import { describe, expect, it } from 'vitest';
import { HistogramTracker, isReset } from '../src/histogram-tracker.js';
import type { WorkerStat } from '../src/stats-model.js';
import { TimingWindow } from '../src/timing-view.js';

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const hist = (values: number[]) => {
  const h = new LatencyHistogram();
  for (const v of values) h.record(v);
  return h;
};

function expectSame(a: LatencyHistogram, b: LatencyHistogram): void {
  expect(a.count).toBe(b.count);
  expect(Array.from(a.counts)).toEqual(Array.from(b.counts));
  expect(a.sum).toBeCloseTo(b.sum, 0);
}

describe('HistogramTracker', () => {
  it('merges partitions into one monotonic histogram that counts every polled record once, across random restarts', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const rand = rng(seed);
      // few distinct delays, so a restarted partition's new life can outgrow its old one in every bucket
      const value = () => [800, 12_000, 250_000, 4e6, 3e7][Math.floor(rand() * 5)] as number;
      let incarnations = 0;
      let threads = 0;
      const start = (thread = ++threads) => ({ id: ++incarnations, thread, h: new LatencyHistogram() });
      const live = [start(), start(), start()];
      // the last snapshot a poll saw of each incarnation: together, what the tracker must hold
      const seen = new Map<number, HistogramSnapshot>();
      const tracker = new HistogramTracker();
      let before = new Float64Array(0);
      const poll = () => {
        for (const [p, x] of live.entries()) {
          const s = snapshotOf(x.h);
          tracker.add(`g/${p}`, x.thread, 'book->signals', s);
          seen.set(x.id, s);
        }
        const total = tracker.totals.get('book->signals') as LatencyHistogram;
        const fell = before.findIndex((v, i) => (total.counts[i] as number) < v);
        expect(fell, 'a bucket went down').toBe(-1);
        before = Float64Array.from(total.counts);
      };
      for (let step = 0; step < 600; step++) {
        const p = Math.floor(rand() * live.length);
        const r = rand();
        if (r < 0.8) {
          const w = live[p] as (typeof live)[number];
          for (let k = Math.floor(rand() * 20); k > 0; k--) w.h.record(value());
        } else if (r < 0.83) {
          // restarted on a new thread: whatever it recorded since the last poll is lost, as in the runtime;
          // a busy new life can outgrow the old one in every bucket before the next poll
          const w = (live[p] = start());
          for (let k = rand() < 0.5 ? 300 : 0; k > 0; k--) w.h.record(value());
        } else if (r < 0.85) {
          // run again on the same thread, from empty: told apart by its counts going down at the next poll
          live[p] = start((live[p] as (typeof live)[number]).thread);
          poll();
        } else poll();
      }
      poll();
      const ref = new LatencyHistogram();
      for (const s of seen.values()) for (const [i, n] of s.buckets) ref.counts[i] = (ref.counts[i] as number) + n;
      ref.count = [...seen.values()].reduce((a, s) => a + s.count, 0);
      ref.sum = [...seen.values()].reduce((a, s) => a + s.sum, 0);
      expect(incarnations).toBeGreaterThan(10);
      expectSame(tracker.totals.get('book->signals') as LatencyHistogram, ref);
    }
  });

  it('tells a restart from growth by count, sum or any bucket going down', () => {
    const a = snapshotOf(hist([1000, 2000, 40_000]));
    expect(isReset(a, snapshotOf(hist([1000, 2000, 40_000, 5])))).toBe(false);
    expect(isReset(a, a)).toBe(false);
    expect(isReset(a, snapshotOf(hist([1000, 2000])))).toBe(true); // count down
    expect(isReset(a, snapshotOf(hist([1000, 2000, 3000, 4000])))).toBe(true); // more records, but the 40 µs bucket emptied
    expect(isReset(a, snapshotOf(hist([])))).toBe(true);
  });
});

describe('TimingWindow', () => {
  /** A worker's stats: per stage, records handled (a source: emitted) and cumulative service time (ns). */
  const worker = (
    group: string,
    partition: number,
    threadId: number,
    by: Record<string, [records: number, serviceNs: number]>,
  ): WorkerStat => ({
    group,
    partition,
    threadId,
    busyRatio: 0,
    stages: Object.entries(by).map(([stage, [n]]) => ({
      stage,
      partition,
      processed: stage === 'ingest' ? 0 : n,
      emitted: n,
      dropped: {},
      core: {},
    })),
    queueDelay: {},
    serviceTime: Object.fromEntries(Object.entries(by).map(([k, [, sum]]) => [k, { count: 1, sum, max: 0, buckets: [] }])),
  });

  it('reports the last window from successive polls, since start, busy shares, and marks the bottlenecks', () => {
    const q = { 'book->signals': new LatencyHistogram(), 'signals->risk': new LatencyHistogram() };
    const st = { ingest: new LatencyHistogram(), book: new LatencyHistogram(), signals: new LatencyHistogram() };
    const timings = { queueDelay: new Map(Object.entries(q)), serviceTime: new Map(Object.entries(st)) };
    const win = new TimingWindow(5000);
    const occupancy = new Map([['book->signals', 0.5]]);
    const views = [];
    q['book->signals'].record(1e9); // a 1 s outlier before the window
    for (let t = 0; t <= 7; t++) {
      // each second: 100 records wait 20 µs on book->signals, 10 wait 2 ms on signals->risk
      for (let k = 0; k < 100; k++) q['book->signals'].record(20_000);
      for (let k = 0; k < 10; k++) q['signals->risk'].record(2e6);
      for (let k = 0; k < 100; k++) st.book.record(3000);
      for (let k = 0; k < 10; k++) st.signals.record(80_000);
      // signals/0 works 0.8 s of every second, signals/1 0.2 s, book 0.3 s; signals/1 restarts on a new thread at
      // t=4.5; ingest emits 1234 records a second, signals handles 7 a second in each partition (3 of them pass untimed)
      const workers = [
        worker('book', 0, 1, { ingest: [t * 1234, 0], book: [t * 100, t * 0.3e9] }),
        worker('signals', 0, 2, { signals: [t * 7, t * 0.8e9] }),
        t < 5
          ? worker('signals', 1, 3, { signals: [t * 7, t * 0.2e9] })
          : worker('signals', 1, 9, { signals: [(t - 4.5) * 7, (t - 4.5) * 0.2e9] }),
      ];
      views.push(win.update(t * 1000, timings, workers, occupancy));
    }
    const first = views[0];
    expect(first?.windowS).toBe(0);
    expect(first?.edges[0]?.window).toBeNull();
    expect(first?.edges[0]?.total?.count).toBe(101);

    const v = views[7];
    if (!v) throw new Error('no view');
    expect(v.windowS).toBe(5); // polls at 2 s and 7 s
    const edge = (name: string) => v.edges.find((e) => e.edge === name);
    const stage = (name: string) => v.stages.find((s) => s.stage === name);
    expect(edge('book->signals')?.window?.count).toBe(500);
    expect(edge('book->signals')?.perSec).toBe(100);
    expect(edge('book->signals')?.window?.maxMs).toBeLessThan(0.03); // the outlier is outside the window...
    expect(edge('book->signals')?.total?.maxMs).toBe(1000); // ...and in the figures since start
    expect(edge('book->signals')?.total?.count).toBe(801);
    expect(edge('book->signals')?.occupancy).toBe(0.5);
    expect(edge('signals->risk')?.occupancy).toBeNull();
    expect(edge('signals->risk')?.window?.p99Ms).toBeCloseTo(2, 0);
    expect(v.edges.filter((e) => e.bottleneck).map((e) => e.edge)).toEqual(['signals->risk']);

    expect(stage('signals')?.busy).toBeCloseTo(0.8, 6); // the busiest partition, not the sum or the mean
    expect(stage('book')?.busy).toBeCloseTo(0.3, 6);
    expect(stage('signals')?.perSec).toBeCloseTo((5 * 7 + 2.5 * 7) / 5, 9); // as the stage counts them: timed or not
    expect(stage('book')?.perSec).toBe(100);
    expect(stage('signals')?.window?.p50Ms).toBeCloseTo(0.08, 2);
    expect(stage('ingest')).toMatchObject({ busy: null, window: null, total: null, bottleneck: false });
    expect(stage('ingest')?.perSec).toBeCloseTo(1234, 9);
    expect(v.stages.filter((s) => s.bottleneck).map((s) => s.stage)).toEqual(['signals']);
  });

  it('counts a partition restarted within the window from its new start', () => {
    const st = new LatencyHistogram();
    const timings = { queueDelay: new Map(), serviceTime: new Map([['risk', st]]) };
    const win = new TimingWindow(2000);
    st.record(1000);
    win.update(0, timings, [worker('risk', 0, 1, { risk: [900, 1.5e9] })], new Map());
    st.record(1000);
    // same thread, its figures fell: restarted, and it has handled 40 records in 0.5 s since
    const v = win.update(2000, timings, [worker('risk', 0, 1, { risk: [40, 0.5e9] })], new Map());
    expect(v.stages[0]?.busy).toBeCloseTo(0.25, 6);
    expect(v.stages[0]?.perSec).toBe(20);
    expect(() => new TimingWindow(0)).toThrow(RangeError);
  });

  it('takes the poll nearest to a window ago as the base, so jittered polls still give a window near 5 s', () => {
    const win = new TimingWindow(5000);
    const timings = { queueDelay: new Map(), serviceTime: new Map() };
    const seen = [0, 1010, 1990, 3005, 4000, 4990, 5995, 7003, 8001].map((t) => win.update(t, timings, [], new Map()).windowS);
    // before a window has passed the window is as long as the history; then the base nearest to now - 5 s
    expect(seen.slice(0, 6)).toEqual([0, 1.01, 1.99, 3.005, 4, 4.99]);
    expect(seen.slice(6)).toEqual([4.985, 5.013, 4.996]);
  });
});
