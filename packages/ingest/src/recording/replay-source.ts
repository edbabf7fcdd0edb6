/**
 * The replay source: an ingest-stage source core that emits the raw frames of a file (recording,
 * capture or collector gzip) instead of a venue's sockets, with their recorded receive times.
 *
 * Pacing follows the recorded receive clock: speed 1 keeps the recorded gaps, 10 divides them by
 * ten, 'max' emits as fast as the pipeline takes it, flushing every `batch` frames and yielding
 * to the event loop so the control plane is served.
 *
 * Flow control: the ingest -> normalize edge drops the oldest records when full, so with
 * `flowControl: true` the source emits only against byte credit that the supervisor grants with
 * `replay-credit { bytes, empty }` (the room it sees free in the rings, read from shared memory;
 * each grant replaces the last). A frame costs its payload + context + RECORD_OVERHEAD bytes; a
 * frame larger than any grant goes when the supervisor reports the rings empty. Without flow
 * control the source never waits (a paced replay well below the pipeline's rate needs none).
 *
 * With several ingest partitions, partition p replays the frames whose `connId % partitions === p`
 * (each connection's order is kept).
 */

import type { Emitter, RawFrameLike, StageContext, StageCore } from '@tickline/runtime';
import { venueId } from '@tickline/wire';
import { openReplayInput, type ReplayInput, type ReplayInputReport } from './input.js';
import { type ResolvedReplayConfig, resolveReplayConfig } from './replay-config.js';

export interface ReplayStatus {
  readonly done: boolean;
  readonly frames: number;
  readonly bytes: number;
  readonly creditBytes: number;
  readonly error: string | null;
  readonly input: ReplayInputReport | null;
}

class MutableFrame implements RawFrameLike {
  venue = 0;
  connId = 0;
  recvS = 0;
  recvNs = 0;
  frameSeq = 0;
  kind = 0;
  context: string | null = null;
  bytes: Uint8Array = new Uint8Array(0);
}

/** Ring bytes a raw frame costs beyond its payload and context (record header + FlatBuffer fields, rounded up). */
export const RECORD_OVERHEAD = 128;

const yieldNow = () => new Promise<void>((resolve) => setImmediate(resolve));

export class ReplaySource implements StageCore {
  readonly needsEventLoop = true;
  readonly #cfg: ResolvedReplayConfig;
  readonly #partition: number;
  readonly #partitions: number;
  readonly #frame = new MutableFrame();
  #input: ReplayInput | null = null;
  #running: Promise<void> | null = null;
  #stopping = false;
  #done = false;
  #error: string | null = null;
  #credit: number;
  #ringsEmpty = false;
  #creditWake: (() => void) | null = null;
  #sleepWake: (() => void) | null = null;
  #sleepTimer: NodeJS.Timeout | null = null;
  // counters
  #frames = 0;
  #bytes = 0;
  #creditWaits = 0;
  #behindMs = 0;
  #resyncRequests = 0;

  constructor(cfg: ResolvedReplayConfig, partition = 0, partitions = 1) {
    if (!Number.isInteger(partitions) || partitions < 1) throw new RangeError('partitions must be a positive integer');
    if (!Number.isInteger(partition) || partition < 0 || partition >= partitions)
      throw new RangeError('partition must be an integer from 0 to partitions - 1');
    this.#cfg = cfg;
    this.#partition = partition;
    this.#partitions = partitions;
    this.#frame.venue = venueId(cfg.venue);
    this.#credit = cfg.flowControl ? 0 : Number.POSITIVE_INFINITY;
  }

  /** Opens the file (errors here fail the stage start) and starts emitting in the background. */
  async start(emit: Emitter): Promise<void> {
    if (this.#running !== null) throw new TypeError('start() called twice');
    const c = this.#cfg;
    this.#input = await openReplayInput(c.file, { format: c.format, venue: c.venue, collector: c.collector });
    this.#running = this.#run(this.#input, emit).catch((err: unknown) => {
      this.#error = err instanceof Error ? err.message : String(err);
    });
  }

  async stop(): Promise<void> {
    this.#stopping = true;
    this.#release('credit');
    this.#release('sleep');
    await this.#running;
    await this.#input?.close();
  }

  stats(): Record<string, number> {
    const r = this.#input?.report;
    return {
      replayFrames: this.#frames,
      replayBytes: this.#bytes,
      replayDone: this.#done ? 1 : 0,
      replayErrors: this.#error === null ? 0 : 1,
      replayCreditWaits: this.#creditWaits,
      replayBehindMs: Math.round(this.#behindMs),
      replayResyncRequests: this.#resyncRequests,
      replayCorruptBlocks: r?.corruptBlocks.length ?? 0,
      replayTailBytes: r?.tail?.bytes ?? 0,
      replayBadLines: r?.badLines ?? 0,
    };
  }

  status(): ReplayStatus {
    return {
      done: this.#done,
      frames: this.#frames,
      bytes: this.#bytes,
      creditBytes: this.#credit,
      error: this.#error,
      input: this.#input === null ? null : structuredClone(this.#input.report),
    };
  }

  /**
   * Sets the byte credit (flow control from the supervisor): the source may emit frames costing up
   * to `bytes` in total until the next grant. `empty`: every ring it watches is empty.
   */
  grant(bytes: number, empty = false): void {
    this.#credit = Math.max(0, bytes);
    this.#ringsEmpty = empty;
    this.#release('credit');
  }

  control(command: string, args: unknown): unknown {
    switch (command) {
      case 'replay-credit': {
        const a = args as { bytes?: unknown; empty?: unknown } | null;
        if (typeof a?.bytes !== 'number' || Number.isNaN(a.bytes)) throw new TypeError('args.bytes must be a number');
        this.grant(a.bytes, a.empty === true);
        return this.#frames;
      }
      case 'replay-status':
        return this.status();
      case 'resync':
        // A replay cannot ask the venue for a snapshot: counted, the book re-seeds from the file's next one.
        this.#resyncRequests++;
        return false;
      case 'drop-connections':
        return false;
      default:
        throw new TypeError(`a replaying ingest stage takes replay-credit, replay-status, resync or drop-connections, got ${command}`);
    }
  }

  async #run(input: ReplayInput, emit: Emitter): Promise<void> {
    const { speed, batch } = this.#cfg;
    const paced = speed !== 'max';
    const f = this.#frame;
    const parts = this.#partitions;
    let t0Wall = 0;
    let t0Rec = Number.NaN;
    let since = 0;
    try {
      outer: for await (const block of input.batches()) {
        for (const r of block) {
          if (this.#stopping) break outer;
          if (parts > 1 && r.connId % parts !== this.#partition) continue;
          const cost = r.bytes.length + (r.context?.length ?? 0) + RECORD_OVERHEAD;
          if (cost > this.#credit) {
            emit.flush();
            since = 0;
            const t = performance.now();
            this.#creditWaits++;
            this.#ringsEmpty = false;
            while (cost > this.#credit && !this.#ringsEmpty && !this.#stopping)
              await new Promise<void>((resolve) => (this.#creditWake = resolve));
            t0Wall += performance.now() - t; // time spent waiting for credit does not count against the schedule
            if (this.#stopping) break outer;
          }
          this.#credit -= cost;
          if (paced) {
            const recMs = r.recvS * 1000 + r.recvNs / 1e6;
            if (Number.isNaN(t0Rec)) {
              t0Rec = recMs;
              t0Wall = performance.now();
            }
            const wait = t0Wall + (recMs - t0Rec) / speed - performance.now();
            if (wait >= 1) {
              emit.flush();
              since = 0;
              await this.#sleep(wait);
              if (this.#stopping) break outer;
            } else if (-wait > this.#behindMs) this.#behindMs = -wait;
          }
          f.connId = r.connId;
          f.recvS = r.recvS;
          f.recvNs = r.recvNs;
          f.frameSeq = r.frameSeq;
          f.kind = r.kind;
          f.context = r.context;
          f.bytes = r.bytes;
          emit.rawFrame(f);
          this.#frames++;
          this.#bytes += r.bytes.length;
          if (++since >= batch) {
            emit.flush();
            since = 0;
            await yieldNow();
          }
        }
      }
    } finally {
      emit.flush();
      this.#done = !this.#stopping;
    }
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.#sleepWake = resolve;
      this.#sleepTimer = setTimeout(resolve, ms);
    });
  }

  #release(which: 'credit' | 'sleep'): void {
    if (which === 'sleep') {
      if (this.#sleepTimer !== null) clearTimeout(this.#sleepTimer);
      this.#sleepTimer = null;
    }
    const w = which === 'credit' ? this.#creditWake : this.#sleepWake;
    if (which === 'credit') this.#creditWake = null;
    else this.#sleepWake = null;
    w?.();
  }
}

/**
 * Stage factory for an ingest stage whose config has a `replay` section:
 * `{ venue: 'binance-spot', replay: { file, format?, speed?, batch?, collector?, flowControl? } }`.
 */
export function createReplayStage(ctx: StageContext): StageCore {
  return new ReplaySource(resolveReplayConfig(ctx.config), ctx.partition, ctx.partitions);
}
