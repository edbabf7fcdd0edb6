/**
 * Turns cumulative counters read from workers into increments. A worker's counters restart from
 * zero when the supervisor restarts its partition; a value lower than the last one seen is such
 * a reset, and the whole new value is the increment. So Prometheus counters stay monotonic.
 */
export class CounterTracker {
  readonly #last = new Map<string, number>();

  /** Increment of `key` since the previous call (its full value on the first call). */
  delta(key: string, value: number): number {
    const prev = this.#last.get(key);
    this.#last.set(key, value);
    if (prev === undefined || value < prev) return value;
    return value - prev;
  }
}
