/**
 * Outgoing request limits per connection, as venues document them ("5 messages per second",
 * "480 subscribe requests per hour"). A sliding-window log per window: a send is allowed when
 * fewer than `messages` sends happened in the last `windowMs`. Unlike a token bucket this never
 * lets a burst exceed the limit inside any window, which is how venues count.
 */

export interface RateWindow {
  readonly messages: number;
  readonly windowMs: number;
}

class WindowLog {
  readonly #times: Float64Array;
  readonly #windowMs: number;
  #head = 0;
  #count = 0;

  constructor(w: RateWindow) {
    this.#times = new Float64Array(w.messages);
    this.#windowMs = w.windowMs;
  }

  waitMs(now: number): number {
    const cap = this.#times.length;
    if (this.#count < cap) return 0;
    const oldest = this.#times[this.#head] ?? 0;
    return Math.max(0, oldest + this.#windowMs - now);
  }

  record(now: number): void {
    const cap = this.#times.length;
    this.#times[(this.#head + this.#count) % cap] = now;
    if (this.#count < cap) this.#count++;
    else this.#head = (this.#head + 1) % cap;
  }

  clear(): void {
    this.#head = 0;
    this.#count = 0;
  }
}

/**
 * A venue's documented window, stretched by 10% (at least 50 ms): messages sent just inside a
 * window on our clock can arrive inside the previous one on the venue's (network and event-loop
 * jitter), and a venue counts by arrival. Binance closes a connection over its limit.
 */
export function withMargin(windows: readonly RateWindow[]): RateWindow[] {
  return windows.map((w) => ({ messages: w.messages, windowMs: w.windowMs + Math.max(50, Math.ceil(w.windowMs / 10)) }));
}

export class RateLimiter {
  readonly #logs: WindowLog[];
  #pausedUntil = 0;

  constructor(windows: readonly RateWindow[]) {
    for (const w of windows) {
      if (!Number.isInteger(w.messages) || w.messages < 1) throw new RangeError('windows[].messages must be a positive integer');
      if (!(w.windowMs > 0)) throw new RangeError('windows[].windowMs must be positive');
    }
    this.#logs = windows.map((w) => new WindowLog(w));
  }

  /** Milliseconds until the next send is allowed (0: now). */
  waitMs(now: number): number {
    let wait = Math.max(0, this.#pausedUntil - now);
    for (const log of this.#logs) wait = Math.max(wait, log.waitMs(now));
    return wait;
  }

  /** Records a send at `now` (call only when waitMs(now) is 0). */
  record(now: number): void {
    for (const log of this.#logs) log.record(now);
  }

  /** The venue asked us to slow down: no sends before `untilMs`. */
  pauseUntil(untilMs: number): void {
    this.#pausedUntil = Math.max(this.#pausedUntil, untilMs);
  }

  /** A new session (fresh socket): per-connection windows start empty. Pauses stay. */
  resetWindows(): void {
    for (const log of this.#logs) log.clear();
  }
}
