/**
 * Wall-clock time shared by every thread. performance.now() is per-thread (each worker has its
 * own timeOrigin); timeOrigin + now() is one clock for all of them, in epoch milliseconds with
 * sub-microsecond resolution. Wire records carry it split into seconds + nanoseconds.
 */

export function epochMs(): number {
  return performance.timeOrigin + performance.now();
}

/** Reusable holder for a split time. */
export interface SplitTime {
  s: number;
  ns: number;
}

/** Current time split into whole seconds and nanoseconds within the second. */
export function nowSplit(out: SplitTime): SplitTime {
  return splitMs(performance.timeOrigin + performance.now(), out);
}

/** Epoch milliseconds of a split time (for ages and latencies). */
export function splitToMs(s: number, ns: number): number {
  return s * 1000 + ns / 1e6;
}

/** Splits epoch milliseconds into seconds + nanoseconds within the second. */
export function splitMs(ms: number, out: SplitTime): SplitTime {
  const s = Math.floor(ms / 1000);
  out.s = s;
  out.ns = Math.min(999_999_999, Math.round((ms - s * 1000) * 1e6));
  return out;
}

/** Nanoseconds from split time a to split time b, exact below 2^53 ns (~104 days). */
export function diffNs(aS: number, aNs: number, bS: number, bNs: number): number {
  return (bS - aS) * 1e9 + (bNs - aNs);
}
