/**
 * Reconnect delays: exponential backoff with full jitter (AWS Architecture Blog, "Exponential
 * Backoff And Jitter"), bounded below by a floor and above by a cap, and never shorter than a
 * venue's retry hint (HTTP Retry-After, a rate-limit error's retryAfterMs).
 *
 *   ceiling(n) = min(capMs, baseMs * factor^n)
 *   delay(n)   = max(retryHint, floorMs + random() * (ceiling(n) - floorMs))
 *
 * Full jitter spreads a crowd of clients dropped at the same moment over the whole window, which
 * is what stops a reconnect storm from arriving at the venue in lockstep.
 */

import type { BackoffConfig } from './config.js';

export type Random = () => number;

/** Small seeded PRNG (mulberry32) for reproducible jitter in tests and benchmarks. */
export function seededRandom(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class Backoff {
  readonly #cfg: BackoffConfig;
  readonly #random: Random;
  #attempt = 0;

  constructor(cfg: BackoffConfig, random: Random = Math.random) {
    this.#cfg = cfg;
    this.#random = random;
  }

  /** Failed attempts since the last reset. */
  get attempt(): number {
    return this.#attempt;
  }

  /** The window's upper bound for attempt `n`. */
  ceiling(n: number): number {
    const { baseMs, factor, capMs } = this.#cfg;
    // factor^n overflows to Infinity for large n; min() keeps it at the cap.
    return Math.min(capMs, baseMs * factor ** n);
  }

  /** Draws the next delay and counts the attempt. `retryHintMs` is a lower bound from the venue. */
  next(retryHintMs = 0): number {
    const hi = this.ceiling(this.#attempt);
    const lo = this.#cfg.floorMs;
    this.#attempt++;
    const jittered = hi > lo ? lo + this.#random() * (hi - lo) : lo;
    return Math.max(retryHintMs, Math.round(jittered));
  }

  reset(): void {
    this.#attempt = 0;
  }
}

/**
 * Parses an HTTP Retry-After header (delta-seconds or an HTTP-date) into milliseconds from `nowMs`.
 * Returns 0 when absent or unparsable.
 */
export function parseRetryAfter(value: string | string[] | null | undefined, nowMs = Date.now()): number {
  const v = Array.isArray(value) ? value[0] : value;
  if (v === undefined || v === null) return 0;
  const t = v.trim();
  if (/^\d+(\.\d+)?$/.test(t)) return Math.ceil(Number(t) * 1000);
  const at = Date.parse(t);
  return Number.isFinite(at) ? Math.max(0, at - nowMs) : 0;
}
