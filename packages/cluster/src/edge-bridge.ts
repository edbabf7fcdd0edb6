/**
 * The bridge between a node's pipeline and its cross-node edges, on the node's main thread: the
 * pipeline's boundary rings (Pipeline `boundary`) on one side, NATS edge ends (@tickline/nats)
 * on the other. A pump moves records from sources (ring consumers of the tail, or NATS consumers)
 * to writers (NATS producers, or the ring producers of the head) unchanged: the same FlatBuffer
 * bytes, kind and origin time, so a stage cannot tell it was fed across a network.
 *
 * Routing: one writer takes everything; with several (a first group of N partitions) a record
 * goes where the runtime's emitter would send it (`partitionOf(routing key, N)`, marks to all).
 * Losses are counted by reason: what a source reports lost (a ring's drops, holes in a NATS
 * producer's sequence on a lossy edge, corrupt messages) and what a writer refused.
 */

import type { DropHandler, RecordHandler } from '@tickline/ring';
import { routingKey } from '@tickline/runtime';
import { Body, partitionOf, RecordReader } from '@tickline/wire';

/** A place records are read from (RingConsumer, NatsEdgeConsumer). */
export interface PumpSource {
  poll(onRecord: RecordHandler, onDrop: DropHandler, max?: number): number;
}

/** A place records are written to (RingProducer, NatsEdgeProducer). */
export interface PumpWriter {
  readonly data: Uint8Array;
  reserve(length: number, kind: number, originMs?: number): number;
  flush(): void;
}

export interface PumpCounters {
  /** Records moved. */
  moved: number;
  /** Records the sources reported lost, by reason. */
  lost: Record<string, number>;
  /** Records a writer refused (full, dropped by its policy). */
  refused: number;
}

const BROADCAST = -1;
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export class EdgePump {
  readonly counters: PumpCounters = { moved: 0, lost: {}, refused: 0 };
  readonly #sources: readonly PumpSource[];
  readonly #writers: readonly PumpWriter[];
  readonly #batch: number;
  readonly #idleMs: number;
  #running = false;
  #done: Promise<void> = Promise.resolve();
  #reader: RecordReader | null = null;
  #readerData: Uint8Array | null = null;

  constructor(sources: readonly PumpSource[], writers: readonly PumpWriter[], opts: { batch?: number; idleMs?: number } = {}) {
    if (!Array.isArray(sources) || sources.length === 0) throw new TypeError('sources must be a non-empty list of record sources');
    if (!Array.isArray(writers) || writers.length === 0) throw new TypeError('writers must be a non-empty list of record writers');
    const batch = opts.batch ?? 512;
    if (!Number.isInteger(batch) || batch < 1) throw new RangeError(`opts.batch must be a positive integer, got ${batch}`);
    const idleMs = opts.idleMs ?? 1;
    if (!(idleMs >= 0)) throw new RangeError(`opts.idleMs must be >= 0, got ${idleMs}`);
    this.#sources = sources;
    this.#writers = writers;
    this.#batch = batch;
    this.#idleMs = idleMs;
  }

  /** Moves what the sources hold now; returns the number of records moved. */
  pumpOnce(): number {
    let moved = 0;
    for (const src of this.#sources) {
      const n = src.poll(this.#onRecord, this.#onDrop, this.#batch);
      moved += n;
    }
    if (moved > 0) for (const w of this.#writers) w.flush();
    return moved;
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#done = (async () => {
      while (this.#running) {
        // busy: yield to I/O between batches; idle: sleep a little
        if (this.pumpOnce() > 0) await new Promise<void>((r) => setImmediate(r));
        else await sleep(this.#idleMs);
      }
    })();
  }

  /** Stops after a last pass (what is there now is moved). */
  async stop(): Promise<void> {
    this.#running = false;
    await this.#done;
    this.pumpOnce();
  }

  readonly #onRecord: RecordHandler = (data, offset, length, kind, _enqMs, originMs) => {
    const ws = this.#writers;
    if (ws.length === 1) this.#write(ws[0] as PumpWriter, data, offset, length, kind, originMs);
    else {
      const key = this.#keyOf(data, offset, length);
      if (key === BROADCAST) for (const w of ws) this.#write(w, data, offset, length, kind, originMs);
      else this.#write(ws[partitionOf(key, ws.length)] as PumpWriter, data, offset, length, kind, originMs);
    }
    return true;
  };

  readonly #onDrop: DropHandler = (count, reason) => {
    this.counters.lost[reason] = (this.counters.lost[reason] ?? 0) + count;
  };

  #keyOf(data: Uint8Array, offset: number, length: number): number {
    if (this.#readerData !== data) {
      this.#reader = new RecordReader(data);
      this.#readerData = data;
    }
    const r = this.#reader as RecordReader;
    return r.open(offset, length) === Body.NONE ? BROADCAST : routingKey(r);
  }

  #write(w: PumpWriter, data: Uint8Array, offset: number, length: number, kind: number, originMs: number): void {
    const at = w.reserve(length, kind, originMs);
    if (at < 0) {
      this.counters.refused++;
      return;
    }
    w.data.set(data.subarray(offset, offset + length), at);
    this.counters.moved++;
  }
}
