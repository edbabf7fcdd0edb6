/**
 * Per-worker cumulative histograms turned into one monotonic histogram per label (an edge or a
 * stage). Workers report their queueing delay and service time since they started, and the
 * supervisor restarts a failed partition with empty ones. Adding, on each poll, every worker's
 * increment since its previous snapshot (its whole snapshot after a reset) keeps the merged
 * buckets, count and sum monotonic, as Prometheus expects of a histogram: a merged sum that fell
 * whenever one of several partitions restarted would be read by rate() as a reset of the whole
 * series, and the other partitions' counts would be counted twice.
 *
 * A restart is known by the worker's thread id changing, or, when the same thread runs the
 * partition again, by its count, sum or any bucket going down. (A restarted partition on the same
 * thread that outgrew its predecessor in every bucket between two polls cannot be told apart; its
 * increment then misses the predecessor's last counts.)
 */

import { addSnapshot, type HistogramSnapshot, LatencyHistogram } from '@tickline/runtime';

export class HistogramTracker {
  readonly #last = new Map<string, { thread: number; s: HistogramSnapshot }>();
  /** Monotonic histograms by label, since the tracker's first poll (ns). */
  readonly totals = new Map<string, LatencyHistogram>();

  /** Feeds the cumulative snapshot of `label` from partition `worker` (e.g. `book/0`) running on thread `thread`. */
  add(worker: string, thread: number, label: string, s: HistogramSnapshot): void {
    const key = `${worker}\u0000${label}`;
    const prev = this.#last.get(key);
    this.#last.set(key, { thread, s });
    let h = this.totals.get(label);
    if (!h) this.totals.set(label, (h = new LatencyHistogram()));
    addSnapshot(h, s);
    if (prev !== undefined && prev.thread === thread && !isReset(prev.s, s)) addSnapshot(h, prev.s, -1);
  }
}

/** Whether `next` cannot follow `prev` in one worker's life: its count or any bucket went down. */
export function isReset(prev: HistogramSnapshot, next: HistogramSnapshot): boolean {
  if (next.count < prev.count || next.sum < prev.sum) return true;
  // both bucket lists ascend by index (snapshotOf and readSnapshot keep them so)
  let j = 0;
  for (const [i, n] of prev.buckets) {
    while (j < next.buckets.length && (next.buckets[j] as [number, number])[0] < i) j++;
    const b = next.buckets[j];
    if (b === undefined || b[0] !== i || b[1] < n) return true;
  }
  return false;
}
