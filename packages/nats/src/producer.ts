/**
 * The producing end of a NATS edge, for one consuming partition: the same reserve / write /
 * flush cycle as a RingProducer (it satisfies RecordWriter), so a stage's emitter cannot tell
 * the two apart. reserve() writes the record's header into a chunk of memory and returns where
 * its payload goes; flush() publishes the records reserved since the last flush, up to
 * `spec.batch` of them per message (they lie back to back in the chunk, so a message is a slice
 * of it), on their instrument's subject when they are all about one instrument, else on `.all`.
 * Chunks are filled front to back and never rewritten (the client keeps a reference to each
 * payload until its socket write), so publishing copies nothing.
 *
 * A time bound on lossy edges with a max age: published records wait in the client until the
 * server reads them, and that queue has no bound of its own. The producer probes it (a PING
 * every quarter of the max age at most; the PONG comes once the server has read everything
 * before it); while a probe is unanswered for longer than the max age, records are held back
 * and conflated per instrument and kind (producer-hold.ts) instead of queued behind stale ones,
 * and go out when the probe returns. So a slow server or link gets fewer, fresh records rather
 * than every record, late.
 *
 * Why several records per message: each message costs the client, the server (store, index,
 * deliver) and the consumer a fixed amount of work, several µs each, whatever its size. One view
 * per message is most of the CPU a market-data edge takes; 64 per message makes it negligible.
 *
 * By policy:
 * - drop-oldest: plain publishes; the stream discards its oldest when full and the consumer
 *   counts the hole in this producer's sequence.
 * - drop-newest: publishes with a reply subject; a refusal (stream full, no stream) is counted
 *   here as drop-newest, and the consumer marks the hole.
 * - block: one message in flight at a time, each with a Nats-Msg-Id (retries never store twice);
 *   a refusal because the stream is full is retried (counted as waits) until it is stored, or
 *   until blockTimeoutMs passes (then its records are dropped and counted as drop-newest, like
 *   a ring's).
 */
import { createInbox, type NatsConnection, type Subscription } from '@nats-io/transport-node';
import type { RecordWriter } from '@tickline/ring';
import { checkPartition, maxMessageBytes, NATS_HEADER_BYTES, NATS_MAGIC, type NatsEdgeSpec, nowMs, pad8 } from './edge-spec.js';
import { NatsEdgeError } from './errors.js';
import { watchReconnects } from './reconnect.js';
import { BlockQueue } from './producer-block.js';
import { HeldRecords } from './producer-hold.js';
import { ensureEdgeStream } from './stream.js';
import { recordSubject } from './subjects.js';

const HDR = NATS_HEADER_BYTES;

/** Routing key of a record (its instrument id, or -1 for every instrument). */
export type RecordKeyFn = (data: Uint8Array, offset: number, length: number, kind: number) => number;

export interface NatsProducerOptions {
  /** Instrument of a record, for its subject; default: every record goes to `.all`. */
  readonly keyOf?: RecordKeyFn;
}

export interface NatsProducerCounters {
  /** Records handed to the client (block: stored and acknowledged). */
  published: number;
  /** Messages those records went in. */
  messages: number;
  /** Records the stream refused (drop-newest) or a block edge gave up on (blockTimeoutMs). */
  refused: number;
  /** Block edge: retries because the stream was full. */
  waits: number;
  /** Block edge: messages waiting to be stored. */
  pending: number;
  /** Lossy edge with a max age: records replaced by a newer one of their instrument while held back. */
  conflated: number;
  /** Lossy edge with a max age: records held back until they were older than the max age. */
  expired: number;
  /** Lossy edge with a max age: records held back now. */
  held: number;
}

export class NatsEdgeProducer implements RecordWriter {
  readonly spec: NatsEdgeSpec;
  readonly partition: number;
  /** Random id of this end, in every header: the consumer tracks sequences per producer. */
  readonly id: number;
  readonly #nc: NatsConnection;
  readonly #keyOf: RecordKeyFn | null;
  readonly #chunkBytes: number;
  readonly #maxBatchBytes: number;
  #chunk: Uint8Array;
  #i32: Int32Array;
  #f64: Float64Array;
  #at = 0;
  /** Header offsets of the records reserved since the last flush (all in #chunk). */
  #batch: number[] = [];
  #seq = 0;
  #stamp = 0;
  #stamped = false;
  readonly #subjects = new Map<number, string>();
  /** drop-newest: the acknowledgements' inbox; a message's reply subject ends in its record count. */
  readonly #inbox: string | null;
  /** drop-newest: publish options by record count (reply `<inbox>.<count>`). */
  readonly #pubOpts: ({ reply: string } | undefined)[] = [];
  #ackSub: Subscription | null = null;
  /** Block edge: what waits to be stored; null on lossy edges. */
  readonly #block: BlockQueue | null;
  #closed = false;
  #stopWatch: () => void = () => {};
  readonly counters: NatsProducerCounters = {
    published: 0,
    messages: 0,
    refused: 0,
    waits: 0,
    pending: 0,
    conflated: 0,
    expired: 0,
    held: 0,
  };
  /** Lossy edge with a max age: that bound (ms), else 0 (no probing, nothing held). */
  readonly #bound: number;
  readonly #perishable = new Uint8Array(256);
  readonly #held = new HeldRecords();
  /** When the unanswered probe was sent (-1: none), and when the last one was. */
  #probeAt = -1;
  #lastProbe = Number.NEGATIVE_INFINITY;
  readonly #probeDone = (): void => {
    this.#probeAt = -1;
    if (this.#held.size > 0 && !this.#closed) {
      const now = nowMs();
      this.#release(now);
      this.#probe(now);
    }
  };

  private constructor(nc: NatsConnection, spec: NatsEdgeSpec, partition: number, options: NatsProducerOptions) {
    this.#nc = nc;
    this.spec = spec;
    this.partition = partition;
    this.#keyOf = options.keyOf ?? null;
    this.id = crypto.getRandomValues(new Uint32Array(1))[0] as number;
    this.#chunkBytes = Math.max(1 << 18, pad8(HDR + spec.maxRecordBytes));
    this.#maxBatchBytes = maxMessageBytes(spec);
    this.#chunk = new Uint8Array(this.#chunkBytes);
    this.#i32 = new Int32Array(this.#chunk.buffer);
    this.#f64 = new Float64Array(this.#chunk.buffer);
    this.#bound = spec.policy === 'block' ? 0 : spec.maxAgeMs;
    this.#block = spec.policy === 'block' ? new BlockQueue(nc, spec, this.counters) : null;
    if (spec.maxAgeKinds === null) this.#perishable.fill(1);
    else for (const k of spec.maxAgeKinds) this.#perishable[k] = 1;
    if (spec.policy === 'drop-newest') {
      const inbox = createInbox();
      this.#inbox = inbox;
      const prefix = inbox.length + 1;
      this.#ackSub = nc.subscribe(`${inbox}.*`, {
        callback: (_err, msg) => this.#onAck(msg.data, msg.headers?.code ?? 0, Number(msg.subject.slice(prefix)) || 1),
      });
    } else this.#inbox = null;
  }

  /**
   * Opens the producing end for consuming partition `partition` of the edge: makes sure the
   * stream exists (and makes it again after a server restart that lost it).
   */
  static async open(
    nc: NatsConnection,
    spec: NatsEdgeSpec,
    partition: number,
    options: NatsProducerOptions = {},
  ): Promise<NatsEdgeProducer> {
    checkPartition(spec, partition);
    await ensureEdgeStream(nc, spec);
    const p = new NatsEdgeProducer(nc, spec, partition, options);
    p.#stopWatch = watchReconnects(nc, () => ensureEdgeStream(nc, spec));
    return p;
  }

  get data(): Uint8Array {
    return this.#chunk;
  }

  get consumed(): number {
    return this.counters.published;
  }

  backlogMs(now: number): number {
    if (this.#block !== null) return this.#block.backlogMs(now);
    return this.#probeAt >= 0 && this.#held.size > 0 ? now - this.#probeAt : 0;
  }

  reserve(length: number, kind: number, originMs = Number.NaN): number {
    if (!(length >= 0 && length <= this.spec.maxRecordBytes)) {
      throw new NatsEdgeError(
        'ERR_NATS_INVALID_OPTIONS',
        `edge ${this.spec.edge}: record of ${length} bytes exceeds maxRecordBytes ${this.spec.maxRecordBytes}`,
      );
    }
    if (this.#closed) throw new NatsEdgeError('ERR_NATS_CLOSED', `edge ${this.spec.edge}: producer closed`);
    const need = pad8(HDR + length);
    if (this.#at + need > this.#chunkBytes) this.#newChunk();
    const pos = this.#at;
    const w = pos >> 2;
    const i32 = this.#i32;
    i32[w] = NATS_MAGIC;
    i32[w + 1] = length;
    i32[w + 2] = kind;
    i32[w + 3] = this.id | 0;
    const f = pos >> 3;
    if (!this.#stamped) {
      this.#stamp = nowMs();
      this.#stamped = true;
    }
    const f64 = this.#f64;
    f64[f + 2] = this.#stamp;
    f64[f + 3] = Number.isNaN(originMs) ? this.#stamp : originMs;
    f64[f + 4] = ++this.#seq;
    this.#at = pos + need;
    this.#batch.push(pos);
    return pos + HDR;
  }

  tryReserve(length: number, kind: number, originMs = Number.NaN): number {
    // A block edge with more waiting than its stream holds refuses (the caller sheds); the
    // lossy policies never wait, so there is always room.
    if (this.spec.policy === 'block' && this.spec.maxMsgs > 0 && (this.#block?.length ?? 0) >= this.spec.maxMsgs) return -1;
    return this.reserve(length, kind, originMs);
  }

  /** Publishes what was reserved so far in the current chunk, then starts a fresh one. */
  #newChunk(): void {
    this.#publishBatch();
    this.#chunk = new Uint8Array(this.#chunkBytes);
    this.#i32 = new Int32Array(this.#chunk.buffer);
    this.#f64 = new Float64Array(this.#chunk.buffer);
    this.#at = 0;
  }

  flush(): void {
    this.#stamped = false;
    this.#publishBatch();
  }

  #subject(key: number): string {
    const k = key < 0 ? -1 : key;
    let s = this.#subjects.get(k);
    if (s === undefined) {
      s = recordSubject(this.spec.prefix, this.spec.edge, this.partition, k);
      this.#subjects.set(k, s);
    }
    return s;
  }

  #publishBatch(): void {
    const batch = this.#batch;
    const n = batch.length;
    if (n === 0) return;
    const chunk = this.#chunk;
    const i32 = this.#i32;
    const f64 = this.#f64;
    const keyOf = this.#keyOf;
    const block = this.spec.policy === 'block';
    const most = this.spec.batch;
    const maxBytes = this.#maxBatchBytes;
    const bound = this.#bound;
    const now = bound > 0 ? nowMs() : 0;
    if (bound > 0) {
      if (this.#probeAt >= 0 && now - this.#probeAt > bound) {
        this.#hold();
        return;
      }
      if (this.#held.size > 0) this.#release(now);
    }
    // Records of one flush lie back to back (8-byte aligned) in the chunk: a message is the
    // slice from its first record's header to its last record's payload end.
    let i = 0;
    while (i < n) {
      const start = batch[i] as number;
      let end = start;
      let key = Number.NaN;
      let count = 0;
      while (i < n && count < most) {
        const pos = batch[i] as number;
        const len = i32[(pos >> 2) + 1] as number;
        if (count > 0 && pos + HDR + len - start > maxBytes) break;
        const k = keyOf === null ? -1 : keyOf(chunk, pos + HDR, len, i32[(pos >> 2) + 2] as number);
        key = count === 0 ? (k < 0 ? -1 : k) : key === k ? key : -1;
        end = pos + HDR + len;
        count++;
        i++;
      }
      const subject = this.#subject(key);
      const bytes = chunk.subarray(start, end);
      if (block) {
        this.#block?.push({ subject, bytes, records: count, id: `${this.id}-${f64[(start >> 3) + 4]}`, since: nowMs() });
        continue;
      }
      this.#publish(subject, bytes, count);
    }
    batch.length = 0;
    this.#block?.kick();
    if (bound > 0) this.#probe(now);
  }

  /** Asks the server for a PONG (at most every quarter of the bound): how far behind it reads. */
  #probe(now: number): void {
    if (this.#probeAt >= 0 || now - this.#lastProbe < this.#bound / 4 || this.#closed) return;
    this.#probeAt = now;
    this.#lastProbe = now;
    try {
      this.#nc.flush().then(this.#probeDone, this.#probeDone);
    } catch {
      this.#probeDone(); // a closed connection: nothing to wait for
    }
  }

  /** The connection is behind: holds the flush's records back (conflating perishable ones). */
  #hold(): void {
    const batch = this.#batch;
    const chunk = this.#chunk;
    const i32 = this.#i32;
    const keyOf = this.#keyOf;
    for (let i = 0; i < batch.length; i++) {
      const pos = batch[i] as number;
      const len = i32[(pos >> 2) + 1] as number;
      const kind = i32[(pos >> 2) + 2] as number;
      const key = keyOf === null ? -1 : keyOf(chunk, pos + HDR, len, kind);
      this.counters.conflated += this.#held.add(
        chunk.subarray(pos, pos + HDR + len),
        key < 0 ? -1 : key,
        kind,
        this.#perishable[kind & 255] === 1,
      );
    }
    batch.length = 0;
    this.counters.held = this.#held.size;
  }

  /** Publishes what was held back, in order, less what aged past the bound meanwhile. */
  #release(now: number): void {
    const { messages, expired } = this.#held.drain(now - this.#bound, this.spec.batch, this.#maxBatchBytes);
    this.counters.expired += expired;
    this.counters.held = 0;
    for (const m of messages) this.#publish(this.#subject(m.key), m.bytes, m.records);
  }

  /** Lossy edge: publishes one message of `records` records (no wait for the server). */
  #publish(subject: string, bytes: Uint8Array, records: number): void {
    try {
      this.#nc.publish(subject, bytes, this.#replyFor(records));
      this.counters.published += records;
      this.counters.messages++;
    } catch {
      // closed connection: the records are lost (the consumer marks the hole)
      this.counters.refused += records;
    }
  }

  /** drop-newest: publish options asking for an acknowledgement on `<inbox>.<records>`; else none. */
  #replyFor(records: number): { reply: string } | undefined {
    if (this.#inbox === null) return undefined;
    let o = this.#pubOpts[records];
    if (o === undefined) {
      o = { reply: `${this.#inbox}.${records}` };
      this.#pubOpts[records] = o;
    }
    return o;
  }

  /**
   * A drop-newest publish acknowledgement of a message of `records` records: `{"error":...}` or a
   * status (no stream) is a refusal of every one of them.
   */
  #onAck(data: Uint8Array, status: number, records: number): void {
    if ((status >= 400 && status !== 0) || data.length < 3 || data[2] === 0x65 /* {"e */) this.counters.refused += records;
  }

  /** Resolves once a block edge stored everything queued (or `timeoutMs` passed); true if empty. */
  async drain(timeoutMs = 5000): Promise<boolean> {
    const deadline = nowMs() + timeoutMs;
    this.flush();
    if (this.#held.size > 0) this.#release(nowMs());
    if (this.#block !== null) return this.#block.settled(deadline);
    await this.#nc.flush().catch(() => {});
    return true;
  }

  async close(): Promise<void> {
    this.flush();
    if (this.#held.size > 0) this.#release(nowMs());
    this.#closed = true;
    // a block edge's records not stored by now never will be: counted, not dropped silently
    if (this.#block !== null) this.counters.refused += this.#block.close();
    this.#stopWatch();
    this.#ackSub?.unsubscribe();
    this.#ackSub = null;
  }
}
