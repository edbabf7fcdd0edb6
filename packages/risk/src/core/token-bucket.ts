/** Token bucket: `capacity` tokens, refilled at `perSecond`; time passed in by the caller (ms). */
export class TokenBucket {
  #tokens: number;
  #at: number;
  constructor(
    readonly perSecond: number,
    readonly capacity: number,
    nowMs = 0,
  ) {
    if (!(perSecond > 0)) throw new RangeError(`perSecond must be > 0, got ${perSecond}`);
    if (!(capacity >= 1)) throw new RangeError(`capacity must be >= 1, got ${capacity}`);
    this.#tokens = capacity;
    this.#at = nowMs;
  }

  #refill(nowMs: number): void {
    if (nowMs > this.#at) {
      this.#tokens = Math.min(this.capacity, this.#tokens + ((nowMs - this.#at) / 1000) * this.perSecond);
      this.#at = nowMs;
    }
  }

  /** True if a token is available now (does not take it). */
  peek(nowMs: number): boolean {
    this.#refill(nowMs);
    return this.#tokens >= 1;
  }

  /** Takes a token; false if none is available. */
  take(nowMs: number): boolean {
    this.#refill(nowMs);
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }

  get tokens(): number {
    return this.#tokens;
  }
}
