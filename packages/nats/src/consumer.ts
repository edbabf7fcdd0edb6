/**
 * The consuming end of a NATS edge for one partition: a RecordSource, polled by a worker exactly
 * like a RingConsumer (same onRecord / onDrop / onExpired callbacks, records delivered in place
 * in `data`, drops reported before the record that follows them).
 *
 * Messages come from the partition's durable pull consumer: this end asks for at most `window`
 * messages ahead (pull requests of its own on a private inbox, so nothing piles up in the client
 * beyond that; the rest waits in the stream, where the edge's limits apply). A message holds one
 * or more records (edge-spec.ts). Each record is checked before anything reads it: its header's
 * magic, and its length against maxRecordBytes and against what is left of the message (the
 * last record must end the message exactly); a failure there is counted as one corrupt record
 * and the rest of the message is skipped (its records then show as a hole in the producer's
 * sequence). Unless `verify: false`, each payload is checked with the wire verifier as well; a
 * payload that fails is counted as corrupt and skipped alone.
 *
 * Losses are found from the producers' sequence numbers: a hole in one producer's sequence is
 * reported as a drop of that many records, for the reason the edge's policy gives (drop-oldest:
 * the stream discarded its oldest; drop-newest and block: refused at publish), or `stale` when
 * the edge has a max age and the record before the hole is older than it (the stream's max_age
 * expired them). A block edge acknowledges each record after onRecord returns; one delivered to a
 * predecessor that died unacknowledged comes again after the ack wait, so a hole there is only
 * reported as lost once that wait has passed without it.
 */
import type { Msg, NatsConnection, Subscription } from '@nats-io/transport-node';
import { createInbox } from '@nats-io/transport-node';
import { type JetStreamManager, jetstreamManager } from '@nats-io/jetstream';
import type { DropHandler, RecordHandler, RecordSource } from '@tickline/ring';
import { Body, RecordReader } from '@tickline/wire';
import { checkPartition, maxMessageBytes, NATS_HEADER_BYTES, NATS_MAGIC, type NatsEdgeSpec, nowMs, pad8 } from './edge-spec.js';
import { CONSUMER_STATS_BYTES, mirrorStats, type NatsConsumerCounters } from './consumer-stats.js';
import { holeReason, ProducerSequences } from './producer-sequences.js';
import { watchReconnects } from './reconnect.js';
import { BLOCK_ACK_WAIT_MS, ensureEdgeStream, retrying } from './stream.js';
import { consumerName, streamName } from './subjects.js';

const HDR = NATS_HEADER_BYTES;
/**
 * Pull requests expire after this long on the server (a new one follows at once). Short, because a
 * request the server let lapse without answering (it expired while the server was stalled) is
 * only noticed past its expiry: until then this end gets nothing.
 */
const PULL_EXPIRES_MS = 250;
/** A request unanswered this long after it was made has lapsed: forget it and ask again. */
const PULL_LAPSED_MS = PULL_EXPIRES_MS + 100;
const ENC = new TextEncoder();
/** Block edge: a record handed back on close is redelivered after this long (past any open request). */
const NAK_DELAY_MS = PULL_EXPIRES_MS + 100;
const NAK = ENC.encode(`-NAK {"delay":${NAK_DELAY_MS * 1e6}}`);

export interface NatsConsumerOptions {
  /** Verify each payload as a tickline FlatBuffer record (default true). */
  readonly verify?: boolean;
  /** Messages requested ahead of the poller (default 512). */
  readonly window?: number;
  /** Called when messages arrive while the poller is parked (prepareToPark returned true). */
  readonly wake?: () => void;
  /**
   * Shared memory (createConsumerStats) this end mirrors its counters into after every poll, so
   * another thread (the supervisor) reads them without asking.
   */
  readonly stats?: SharedArrayBuffer;
}

interface PullRequest {
  remaining: number;
  at: number;
}

export class NatsEdgeConsumer implements RecordSource {
  readonly spec: NatsEdgeSpec;
  readonly partition: number;
  /** Where records are delivered: header at 0, payload at offset NATS_HEADER_BYTES. */
  readonly data: Uint8Array;
  polledAt = 0;
  readonly counters: NatsConsumerCounters = {
    recordsOut: 0,
    dropped: { 'drop-oldest': 0, 'drop-newest': 0, stale: 0, corrupt: 0 },
    duplicates: 0,
  };
  readonly #nc: NatsConnection;
  readonly #i32: Int32Array;
  readonly #f64: Float64Array;
  readonly #reader: RecordReader | null;
  readonly #perishable = new Uint8Array(256);
  readonly #window: number;
  readonly #wake: (() => void) | null;
  readonly #block: boolean;
  readonly #nextSubject: string;
  readonly #inbox: string;
  #sub: Subscription | null = null;
  #queue: (Msg | undefined)[] = [];
  #qHead = 0;
  /** The message being walked (copied into `data`), its size, and where its next record starts. */
  #cur: Msg | null = null;
  #curLen = 0;
  #curAt = 0;
  /** Largest message accepted: a batch, or one record of maxRecordBytes. */
  readonly #msgLimit: number;
  readonly #requests = new Map<number, PullRequest>();
  #requested = 0;
  #reqSeq = 0;
  #lastRequestAt = 0;
  #streamPending = 0;
  #handedBackAt = Number.NEGATIVE_INFINITY;
  #parked = false;
  #closed = false;
  /** Block edge: holes whose redelivery wait passed, to report on the next poll. */
  #lost = 0;
  #timer: NodeJS.Timeout | null = null;
  /** Where each producer's sequence stands: holes are lost records. */
  readonly #seqs: ProducerSequences;
  readonly #stats: Float64Array | null;
  #stopWatch: () => void = () => {};
  /** The JetStream API of this end's connection (opened with it; drained() asks it). */
  #jsm: JetStreamManager | null = null;

  private constructor(nc: NatsConnection, spec: NatsEdgeSpec, partition: number, options: NatsConsumerOptions) {
    this.#nc = nc;
    this.spec = spec;
    this.partition = partition;
    this.#msgLimit = maxMessageBytes(spec);
    this.data = new Uint8Array(pad8(this.#msgLimit) + 8);
    this.#i32 = new Int32Array(this.data.buffer);
    this.#f64 = new Float64Array(this.data.buffer);
    this.#reader = options.verify === false ? null : new RecordReader(this.data);
    if (spec.maxAgeKinds === null) this.#perishable.fill(1);
    else for (const k of spec.maxAgeKinds) this.#perishable[k] = 1;
    const window = options.window ?? 512;
    if (!Number.isInteger(window) || window < 1 || window > 65_536) {
      throw new RangeError(`options.window must be an integer from 1 to 65536, got ${String(window)}`);
    }
    this.#window = window;
    this.#wake = options.wake ?? null;
    if (options.stats !== undefined && !(options.stats instanceof SharedArrayBuffer && options.stats.byteLength >= CONSUMER_STATS_BYTES)) {
      throw new TypeError('options.stats must be a SharedArrayBuffer from createConsumerStats()');
    }
    this.#stats = options.stats === undefined ? null : new Float64Array(options.stats);
    this.#block = spec.policy === 'block';
    this.#seqs = new ProducerSequences(this.#block, BLOCK_ACK_WAIT_MS + 2 * PULL_EXPIRES_MS);
    this.#nextSubject = `$JS.API.CONSUMER.MSG.NEXT.${streamName(spec.prefix, spec.edge)}.${consumerName(partition)}`;
    this.#inbox = createInbox();
  }

  /** Opens partition `partition`'s end: sets up the stream and its durable consumer, then pulls. */
  static async open(
    nc: NatsConnection,
    spec: NatsEdgeSpec,
    partition: number,
    options: NatsConsumerOptions = {},
  ): Promise<NatsEdgeConsumer> {
    checkPartition(spec, partition);
    const c = new NatsEdgeConsumer(nc, spec, partition, options);
    await ensureEdgeStream(nc, spec);
    const info = await retrying(async () => {
      c.#jsm = await jetstreamManager(nc, { timeout: 2000 });
      return c.#consumerInfo(c.#jsm);
    });
    c.#seqs.fresh = info.delivered.stream_seq === 0;
    const prefix = `${c.#inbox}.`.length;
    c.#sub = nc.subscribe(`${c.#inbox}.*`, { callback: (_err, msg) => c.#onMessage(msg, Number(msg.subject.slice(prefix)) || 0) });
    c.#timer = setInterval(() => c.#housekeep(), PULL_EXPIRES_MS / 2);
    c.#timer.unref();
    c.#stopWatch = watchReconnects(nc, async () => {
      c.#requests.clear();
      c.#requested = 0;
      await ensureEdgeStream(nc, spec);
      c.#topUp();
    });
    c.#topUp();
    return c;
  }

  /** Messages received and not yet polled (one partly polled counts). */
  get available(): number {
    return this.#queue.length - this.#qHead + (this.#cur === null ? 0 : 1);
  }

  /**
   * Messages still waiting for this consumer in the stream, as the server counted them when it
   * delivered the last one (the last token of its reply subject), plus those received and not
   * yet polled: what a drain must wait for.
   */
  get backlog(): number {
    return this.available + this.#streamPending;
  }

  /**
   * Whether the stream holds nothing more for this end, as the server counts it (its pending
   * count can lag a delivery, and a pull request the server let lapse delivers nothing until it
   * is renewed). Asks again for messages if some wait. False when the server cannot be asked.
   */
  async drained(): Promise<boolean> {
    if (this.available > 0) return false;
    try {
      this.#jsm ??= await jetstreamManager(this.#nc, { timeout: 1000 });
      const info = await this.#consumerInfo(this.#jsm);
      this.#streamPending = info.num_pending;
      if (info.num_pending === 0) return this.available === 0;
      if (this.#requested === 0) this.#topUp();
      return false;
    } catch {
      return false;
    }
  }

  /** This end's durable consumer as the server has it (delivered, pending). */
  #consumerInfo(jsm: JetStreamManager) {
    return jsm.consumers.info(streamName(this.spec.prefix, this.spec.edge), consumerName(this.partition));
  }

  prepareToPark(): boolean {
    this.#parked = true;
    if (this.available > 0 || this.#lost > 0) {
      this.#parked = false;
      return false;
    }
    return true;
  }

  unpark(): void {
    this.#parked = false;
  }

  countCorrupt(n = 1): void {
    this.counters.dropped.corrupt += n;
  }

  /** Resolves when records are there to poll (or after `timeoutMs`). For pollers without a doorbell. */
  waitForRecords(timeoutMs: number): Promise<void> {
    if (this.available > 0) return Promise.resolve();
    return new Promise((resolve) => {
      const t = setTimeout(done, timeoutMs);
      const self = this;
      function done() {
        clearTimeout(t);
        self.#waiter = null;
        resolve();
      }
      this.#waiter = done;
    });
  }
  #waiter: (() => void) | null = null;

  /**
   * A message on the inbox: a status about request `id` (its subject is the request's reply
   * subject), or a record (its subject is the record's own; the server fills the oldest
   * outstanding request first, so it counts against that one).
   */
  #onMessage(msg: Msg, id: number): void {
    const code = msg.headers?.code ?? 0;
    if (code !== 0 && msg.data.length === 0) {
      // a status: 100 heartbeat; 404/408 the request ended; 409 it was refused
      const req = this.#requests.get(id);
      if (code >= 400 && req !== undefined) {
        this.#requested -= req.remaining;
        this.#requests.delete(id);
        if (code !== 409) this.#topUp();
      }
      return;
    }
    for (const [rid, req] of this.#requests) {
      this.#requested--;
      if (--req.remaining <= 0) this.#requests.delete(rid);
      break;
    }
    if (this.#closed) {
      this.#handBack(msg);
      return;
    }
    const wasEmpty = this.available === 0;
    const reply = msg.reply;
    if (reply) this.#streamPending = Number(reply.slice(reply.lastIndexOf('.') + 1)) || 0;
    this.#queue.push(msg);
    if (wasEmpty) {
      if (this.#parked) this.#wake?.();
      this.#waiter?.();
    }
  }

  /** Asks for more messages while fewer than `window` are queued or on their way. */
  #topUp(): void {
    if (this.#closed) return;
    const want = this.#window - this.available - this.#requested;
    if (want < Math.max(1, this.#window >> 2)) return;
    const id = ++this.#reqSeq;
    this.#lastRequestAt = nowMs();
    this.#requests.set(id, { remaining: want, at: this.#lastRequestAt });
    this.#requested += want;
    const body = `{"batch":${want},"expires":${PULL_EXPIRES_MS * 1e6}}`;
    try {
      this.#nc.publish(this.#nextSubject, ENC.encode(body), { reply: `${this.#inbox}.${id}` });
    } catch {
      this.#requests.delete(id);
      this.#requested -= want;
    }
  }

  /** Forgets requests a server restart lost or let lapse, asks again, and ages the block edge's holes. */
  #housekeep(): void {
    const now = nowMs();
    for (const [id, r] of this.#requests) {
      if (now - r.at > PULL_LAPSED_MS) {
        this.#requested -= r.remaining;
        this.#requests.delete(id);
      }
    }
    this.#topUp();
    this.#lost += this.#seqs.expire(now);
    if (this.#lost > 0 && this.#parked) this.#wake?.();
  }

  /**
   * Delivers up to `max` records to `onRecord` in order, in place in `data`; reports drops
   * through `onDrop` before the record that follows them; `onExpired` gets the enqueue time of
   * each record dropped as too old. Returns records delivered.
   */
  poll(onRecord: RecordHandler, onDrop: DropHandler, max = 256, onExpired?: (enqMs: number) => void): number {
    if (this.#lost > 0) {
      const n = this.#lost;
      this.#lost = 0;
      this.counters.dropped['drop-newest'] += n;
      onDrop(n, 'drop-newest');
    }
    if (this.available === 0) {
      this.#topUp();
      return 0;
    }
    const now = nowMs();
    this.polledAt = now;
    const maxAge = this.spec.maxAgeMs;
    const cutoff = maxAge > 0 ? now - maxAge : Number.NEGATIVE_INFINITY;
    const q = this.#queue;
    const i32 = this.#i32;
    const f64 = this.#f64;
    const data = this.data;
    const maxLen = this.spec.maxRecordBytes;
    let delivered = 0;
    let stale = 0;
    // (a block edge's message is acknowledged once all its records were handled: one begun is
    // delivered to its end, past `max`, so no poll leaves one half delivered)
    while (delivered < max || (this.#block && this.#cur !== null)) {
      if (this.#cur === null) {
        if (this.#qHead >= q.length) break;
        const msg = q[this.#qHead] as Msg;
        q[this.#qHead++] = undefined;
        const d = msg.data;
        if (d.length < HDR || d.length > this.#msgLimit) {
          this.#skip(msg, onDrop);
          continue;
        }
        data.set(d, 0);
        this.#cur = msg;
        this.#curLen = d.length;
        this.#curAt = 0;
      }
      const msg = this.#cur;
      const o = this.#curAt; // a multiple of 8: the header's float64s are aligned
      const w = o >> 2;
      const len = i32[w + 1] as number;
      const end = o + HDR + len;
      const size = this.#curLen;
      // the record must fit, and the message end at a record's end (nothing after the last one)
      if (
        o + HDR > size ||
        (i32[w] as number) !== NATS_MAGIC ||
        !(len >= 0 && len <= maxLen) ||
        end > size ||
        (end < size && pad8(end) + HDR > size)
      ) {
        this.#cur = null;
        this.#skip(msg, onDrop);
        continue;
      }
      const last = end === size;
      this.#curAt = pad8(end);
      if (last) this.#cur = null;
      const kind = i32[w + 2] as number;
      const f = o >> 3;
      const enq = f64[f + 2] as number;
      const origin = f64[f + 3] as number;
      const seq = f64[f + 4] as number;
      const order = this.#seqs.place(i32[w + 3] as number, seq, now);
      if (order < 0) {
        this.counters.duplicates++;
        if (last) this.#ack(msg);
        continue;
      }
      if (order > 0) {
        if (stale > 0) stale = this.#countStale(stale, onDrop);
        const reason = holeReason(this.spec, this.#seqs.current, now);
        this.counters.dropped[reason] += order;
        onDrop(order, reason);
      }
      this.#seqs.current.lastEnq = enq;
      if (origin < cutoff && this.#perishable[kind & 255] === 1) {
        stale++;
        onExpired?.(enq);
        if (last) this.#ack(msg);
        continue;
      }
      if (stale > 0) stale = this.#countStale(stale, onDrop);
      const reader = this.#reader;
      if (reader !== null && reader.open(o + HDR, len) === Body.NONE) {
        this.counters.dropped.corrupt++;
        onDrop(1, 'corrupt');
        if (last) this.#ack(msg);
        continue;
      }
      delivered++;
      const more = onRecord(data, o + HDR, len, kind, enq, origin);
      if (last) this.#ack(msg);
      if (more === false) break;
    }
    if (stale > 0) this.#countStale(stale, onDrop);
    this.counters.recordsOut += delivered;
    if (this.#stats !== null) mirrorStats(this.#stats, this.counters, this.available);
    if (this.#qHead === q.length) {
      q.length = 0;
      this.#qHead = 0;
    } else if (this.#qHead > 4096) {
      this.#queue = q.slice(this.#qHead);
      this.#qHead = 0;
    }
    this.#topUp();
    return delivered;
  }

  #countStale(n: number, onDrop: DropHandler): number {
    this.counters.dropped.stale += n;
    onDrop(n, 'stale');
    return 0;
  }

  #skip(msg: Msg, onDrop: DropHandler): void {
    this.counters.dropped.corrupt++;
    this.#ack(msg);
    onDrop(1, 'corrupt');
  }

  /**
   * Block edge, closing: gives a delivered record back (negative acknowledgement) for
   * redelivery after NAK_DELAY_MS, when no request of this end can still be open, so it goes
   * to the next consumer and not back here.
   */
  #handBack(msg: Msg): void {
    if (!this.#block || !msg.reply) return;
    this.#nc.publish(msg.reply, NAK);
    this.#handedBackAt = nowMs();
  }

  #ack(msg: Msg): void {
    if (this.#block && msg.reply) this.#nc.publish(msg.reply);
  }

  /**
   * Stops asking for messages and closes (within about two seconds). A block edge hands back
   * what it had not delivered (negative acknowledgements with a delay) and keeps reading its
   * inbox until its pull requests have ended, so nothing is delivered to an inbox nobody reads
   * and the next consumer gets the handed-back records first, in order.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#stopWatch();
    if (this.#timer) clearInterval(this.#timer);
    // (a block edge's message is left partly delivered only when its handler failed: handed back,
    // its records come again, as after a crash)
    if (this.#cur !== null) this.#handBack(this.#cur);
    this.#cur = null;
    for (let i = this.#qHead; i < this.#queue.length; i++) this.#handBack(this.#queue[i] as Msg);
    this.#queue = [];
    this.#qHead = 0;
    // The server ends every request PULL_EXPIRES_MS after it was made at the latest; until then
    // it may still deliver to this inbox (handed back too). Returning once everything handed
    // back is due again lets the next consumer take it before anything newer, in order.
    const quiet = this.#lastRequestAt + PULL_EXPIRES_MS + 200;
    while (nowMs() < Math.max(quiet, this.#handedBackAt + NAK_DELAY_MS + 50)) await new Promise((r) => setTimeout(r, 20));
    this.#sub?.unsubscribe();
    this.#sub = null;
    await this.#nc.flush().catch(() => {});
  }
}
