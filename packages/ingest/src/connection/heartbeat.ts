/**
 * Liveness of one socket. Any received frame or pong counts. After `intervalMs` of silence a ping
 * is due (once per interval); after `timeoutMs` of silence the connection is dead. Pure: the
 * connection calls `check(now)` from its tick and acts on the verdict.
 */

export type HeartbeatVerdict = 'ok' | 'ping' | 'dead';

export class HeartbeatMonitor {
  readonly #intervalMs: number;
  readonly #timeoutMs: number;
  #lastRecv = 0;
  #lastPing = 0;

  constructor(intervalMs: number, timeoutMs: number) {
    if (!(timeoutMs > intervalMs)) throw new RangeError('timeoutMs must be greater than intervalMs');
    this.#intervalMs = intervalMs;
    this.#timeoutMs = timeoutMs;
  }

  /** A new socket: silence is measured from now. */
  reset(nowMs: number): void {
    this.#lastRecv = nowMs;
    this.#lastPing = nowMs;
  }

  /** Something arrived (a frame, a pong, a ping). */
  touch(nowMs: number): void {
    this.#lastRecv = nowMs;
  }

  get silentSince(): number {
    return this.#lastRecv;
  }

  check(nowMs: number): HeartbeatVerdict {
    const silent = nowMs - this.#lastRecv;
    if (silent >= this.#timeoutMs) return 'dead';
    if (silent >= this.#intervalMs && nowMs - this.#lastPing >= this.#intervalMs) {
      this.#lastPing = nowMs;
      return 'ping';
    }
    return 'ok';
  }
}
