/**
 * Plays a file's frames in order, paced by their recorded receive times (frame i is due at
 * `start + (recv_i - recv_0) / speed`) or as fast as the clients take them ('max'). Slow clients
 * hold the clock back instead of being overrun: while `ready()` is false (a socket's send buffer
 * is full) nothing is played, and the wait shifts the schedule.
 */

import { setImmediate as yieldTurn } from 'node:timers/promises';
import type { RecordedFrame, ReplayInput } from '@tickline/ingest';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export interface TimelineStats {
  frames: number;
  started: boolean;
  done: boolean;
  /** Worst lateness at a paced speed (ms). */
  behindMs: number;
  /** Times the clients' send buffers held the file back. */
  clientWaits: number;
  error: string | null;
}

export class Timeline {
  readonly #input: ReplayInput;
  readonly #speed: number | 'max';
  readonly #onFrame: (f: RecordedFrame) => void;
  readonly #ready: () => boolean;
  readonly #stats: TimelineStats = { frames: 0, started: false, done: false, behindMs: 0, clientWaits: 0, error: null };
  #stopped = false;
  #paused = false;
  #finished: Promise<void> | null = null;

  constructor(input: ReplayInput, speed: number | 'max', onFrame: (f: RecordedFrame) => void, ready: () => boolean) {
    this.#input = input;
    this.#speed = speed;
    this.#onFrame = onFrame;
    this.#ready = ready;
  }

  get started(): boolean {
    return this.#stats.started;
  }

  /** Starts playing (once); resolves when the file is done (or stopped). */
  start(): Promise<void> {
    if (this.#finished === null) {
      this.#stats.started = true;
      this.#finished = this.#run().catch((err: unknown) => {
        this.#stats.error = err instanceof Error ? err.message : String(err);
      });
    }
    return this.#finished;
  }

  stop(): void {
    this.#stopped = true;
  }

  /** Holds the file where it is (the schedule shifts by the pause); clients stay connected. */
  setPaused(paused: boolean): void {
    this.#paused = paused;
  }

  get paused(): boolean {
    return this.#paused;
  }

  stats(): TimelineStats {
    return { ...this.#stats };
  }

  async #run(): Promise<void> {
    const s = this.#stats;
    let t0 = 0;
    let r0 = Number.NaN;
    let n = 0;
    for await (const batch of this.#input.batches()) {
      for (const f of batch) {
        if (this.#stopped) return;
        const recvMs = f.recvS * 1000 + f.recvNs / 1e6;
        if (Number.isNaN(r0)) {
          r0 = recvMs;
          t0 = performance.now();
        }
        if (this.#speed !== 'max') {
          const wait = t0 + (recvMs - r0) / this.#speed - performance.now();
          if (wait > 1) await sleep(wait);
          else if (-wait > s.behindMs) s.behindMs = Math.round(-wait);
        } else if (++n % 256 === 0) await yieldTurn();
        while (this.#paused && !this.#stopped) {
          const w0 = performance.now();
          await sleep(5);
          t0 += performance.now() - w0;
        }
        while (!this.#ready() && !this.#stopped) {
          const w0 = performance.now();
          s.clientWaits++;
          await sleep(5);
          t0 += performance.now() - w0;
        }
        this.#onFrame(f);
        s.frames++;
      }
    }
    s.done = true;
  }
}
