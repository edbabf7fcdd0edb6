/**
 * A bounded single-producer single-consumer ring of variable-length records on a
 * SharedArrayBuffer. See docs/ring.md for the layout and the memory-ordering argument.
 *
 * Record layout in the data region (all records start 8-byte aligned, so FlatBuffers inside
 * them keep their natural alignment and can be read in place through typed-array views):
 *
 *   int32 length    payload bytes; WRAP (-1) means "the rest of the region is padding"
 *   int32 kind      a small tag chosen by the caller (e.g. the record's union type)
 *   float64 enq     epoch ms when the producer's batch began (one clock read per batch)
 *   float64 origin  epoch ms the record's data was born (for market data: the local receive
 *                   time at ingest), given by the producer; the batch time when it has none
 *   payload         `length` bytes, then zero padding to the next multiple of 8
 *
 * `enq` gives the consumer each record's queueing delay (poll time - enq); `origin` gives its
 * age, which `maxAgeMs` bounds. Records never straddle the end of the region: a record that does
 * not fit at the end is preceded by a WRAP marker and written at offset 0.
 */

import { type DropReason, DROP_REASONS, ringErrors } from './errors.js';

export type OverflowPolicy = 'drop-oldest' | 'drop-newest' | 'block';

/** Record header: length, kind, enqueue time and origin time. Payloads stay 8-byte aligned. */
export const RECORD_HEADER_BYTES = 24;
const HDR = RECORD_HEADER_BYTES;
const WRAP = -1;

// Control words (Int32 indices). Producer-written and consumer-written words sit on separate
// 64-byte lines so the two threads do not false-share.
const HEAD = 0; // producer: bytes published (free-running, wraps as int32)
const DROP_REQUEST = 1; // producer: head value up to which the consumer must discard (drop-oldest)
const DROP_REQUEST_SEQ = 2; // producer: bumped for every new drop request
const PRODUCER_WAITING = 3; // producer: 1 while waiting for space
const DROPPED_NEWEST = 4; // producer: records refused because the ring was full
const TAIL = 16; // consumer: bytes consumed (free-running)
const CONSUMER_SLEEPING = 17; // consumer: 1 while parked (or about to park)
const DROPPED_OLDEST = 18; // consumer: records discarded on a drop request
const DROPPED_STALE = 19; // consumer: records older than maxAgeMs
const DROPPED_CORRUPT = 20; // consumer: records that failed the caller's check
const DROP_REQUEST_DONE = 21; // consumer: last DROP_REQUEST_SEQ honoured
const RECORDS_OUT = 22; // consumer: records delivered (wraps as int32; for stats)
const IN_FLIGHT = 23; // consumer: 1 while a poll is delivering records
const IN_FLIGHT_POS = 24; // consumer: position of the record being delivered
const CONTROL_WORDS = 32;

export interface RingOptions {
  /** Data region size in bytes: a power of two from 1 KiB to 1 GiB. */
  capacity: number;
  policy?: OverflowPolicy;
  /** A record older than this (by its origin time) when consumed is dropped as stale. 0 disables. */
  maxAgeMs?: number;
  /**
   * Record kinds (0-255) that `maxAgeMs` applies to; the others never expire (state that must
   * arrive however late, such as marks). Default: every kind.
   */
  maxAgeKinds?: readonly number[];
  /** Name used in stats and drop marks, e.g. "normalize->book". */
  name?: string;
  /** Block policy: a producer waits at most this long for room, then drops (counted). Default: forever. */
  blockTimeoutMs?: number;
  /** Drop-oldest policy: how long a producer waits for the consumer to honour a drop request. Default 50. */
  dropWaitMs?: number;
}

/** Structured-cloneable description of a ring: send it to the worker that will use one end. */
export interface RingHandle {
  readonly control: SharedArrayBuffer;
  readonly data: SharedArrayBuffer;
  readonly policy: OverflowPolicy;
  readonly maxAgeMs: number;
  /** Kinds maxAgeMs applies to; null = every kind. */
  readonly maxAgeKinds: readonly number[] | null;
  readonly name: string;
  /** Producer defaults (see RingOptions); ProducerOptions override them. */
  readonly blockTimeoutMs: number;
  readonly dropWaitMs: number;
  /** Optional shared doorbell: a consumer of several rings parks on one word for all of them. */
  readonly doorbell: SharedArrayBuffer | null;
}

const POLICIES: readonly OverflowPolicy[] = ['drop-oldest', 'drop-newest', 'block'];

export function createRing(options: RingOptions, doorbell: SharedArrayBuffer | null = null): RingHandle {
  if (options === null || typeof options !== 'object') throw new TypeError('options must be an object');
  const {
    capacity,
    policy = 'drop-newest',
    maxAgeMs = 0,
    maxAgeKinds,
    name = 'ring',
    blockTimeoutMs = Number.POSITIVE_INFINITY,
    dropWaitMs = 50,
  } = options;
  if (!Number.isInteger(capacity) || capacity < 1024 || capacity > 2 ** 30 || (capacity & (capacity - 1)) !== 0) {
    throw new RangeError(`options.capacity must be a power of two from 1024 to 1073741824, got ${capacity}`);
  }
  if (!POLICIES.includes(policy)) throw new TypeError(`options.policy must be one of ${POLICIES.join(', ')}, got ${String(policy)}`);
  if (typeof maxAgeMs !== 'number' || !(maxAgeMs >= 0) || !Number.isFinite(maxAgeMs)) {
    throw new RangeError(`options.maxAgeMs must be a finite number >= 0, got ${maxAgeMs}`);
  }
  if (typeof name !== 'string') throw new TypeError('options.name must be a string');
  if (!(typeof blockTimeoutMs === 'number' && blockTimeoutMs > 0))
    throw new RangeError(`options.blockTimeoutMs must be > 0, got ${blockTimeoutMs}`);
  if (!(typeof dropWaitMs === 'number' && dropWaitMs >= 0 && Number.isFinite(dropWaitMs)))
    throw new RangeError(`options.dropWaitMs must be a finite number >= 0, got ${dropWaitMs}`);
  if (maxAgeKinds !== undefined && !(Array.isArray(maxAgeKinds) && maxAgeKinds.every((k) => Number.isInteger(k) && k >= 0 && k < 256))) {
    throw new TypeError('options.maxAgeKinds must be an array of record kinds (integers from 0 to 255)');
  }
  if (doorbell !== null && !(doorbell instanceof SharedArrayBuffer && doorbell.byteLength >= DOORBELL_BYTES)) {
    throw new TypeError(`doorbell must be a SharedArrayBuffer of at least ${DOORBELL_BYTES} bytes (see createDoorbell)`);
  }
  return {
    control: new SharedArrayBuffer(CONTROL_WORDS * 4),
    data: new SharedArrayBuffer(capacity),
    policy,
    maxAgeMs,
    maxAgeKinds: maxAgeKinds === undefined ? null : [...maxAgeKinds],
    name,
    blockTimeoutMs,
    dropWaitMs,
    doorbell,
  };
}

/** Doorbell: word 0 counts rings, word 1 is the "consumer parked" flag. */
export const DOORBELL_BYTES = 8;
export function createDoorbell(): SharedArrayBuffer {
  return new SharedArrayBuffer(DOORBELL_BYTES);
}

export function maxRecordBytes(handle: RingHandle): number {
  // A record plus a wrap marker must fit; half the region keeps progress possible.
  return handle.data.byteLength / 2 - HDR;
}

function nowMs(): number {
  return performance.timeOrigin + performance.now();
}

const pad8 = (n: number): number => (n + 7) & ~7;

/** Counts of one ring end, readable from any thread holding the handle. */
export interface RingCounters {
  name: string;
  capacity: number;
  usedBytes: number;
  recordsOut: number;
  dropped: Record<DropReason, number>;
}

export function readCounters(handle: RingHandle): RingCounters {
  const c = new Int32Array(handle.control);
  const used = (Atomics.load(c, HEAD) - Atomics.load(c, TAIL)) | 0;
  return {
    name: handle.name,
    capacity: handle.data.byteLength,
    usedBytes: used,
    recordsOut: Atomics.load(c, RECORDS_OUT) >>> 0,
    dropped: {
      'drop-oldest': Atomics.load(c, DROPPED_OLDEST) >>> 0,
      'drop-newest': Atomics.load(c, DROPPED_NEWEST) >>> 0,
      stale: Atomics.load(c, DROPPED_STALE) >>> 0,
      corrupt: Atomics.load(c, DROPPED_CORRUPT) >>> 0,
    },
  };
}

export interface ProducerOptions {
  /** Block policy only: give up (drop-newest) after this long waiting for space. Default: the ring's. */
  blockTimeoutMs?: number;
  /** Drop-oldest only: how long to wait for the consumer to honour a drop request. Default: the ring's. */
  dropWaitMs?: number;
}

export class RingProducer {
  readonly handle: RingHandle;
  readonly data: Uint8Array;
  readonly #i32: Int32Array;
  readonly #f64: Float64Array;
  readonly #c: Int32Array;
  readonly #bell: Int32Array | null;
  readonly #mask: number;
  readonly #cap: number;
  readonly #maxRecord: number;
  readonly #blockTimeoutMs: number;
  readonly #dropWaitMs: number;
  #head: number; // local head: written but maybe not yet published
  #published: number;
  #tailCache: number;
  #stamp = 0;
  #stamped = false;
  /** Bytes that can be reserved without looking at the consumer or wrapping (fast path). */
  #room = 0;
  #droppedNewest = 0;

  constructor(handle: RingHandle, options: ProducerOptions = {}) {
    this.handle = handle;
    this.data = new Uint8Array(handle.data);
    this.#i32 = new Int32Array(handle.data);
    this.#f64 = new Float64Array(handle.data);
    this.#c = new Int32Array(handle.control);
    this.#bell = handle.doorbell ? new Int32Array(handle.doorbell) : null;
    this.#cap = handle.data.byteLength;
    this.#mask = this.#cap - 1;
    this.#maxRecord = maxRecordBytes(handle);
    const { blockTimeoutMs = handle.blockTimeoutMs ?? Number.POSITIVE_INFINITY, dropWaitMs = handle.dropWaitMs ?? 50 } = options;
    if (!(blockTimeoutMs > 0)) throw new RangeError(`options.blockTimeoutMs must be > 0, got ${blockTimeoutMs}`);
    if (!(dropWaitMs >= 0)) throw new RangeError(`options.dropWaitMs must be >= 0, got ${dropWaitMs}`);
    this.#blockTimeoutMs = blockTimeoutMs;
    this.#dropWaitMs = dropWaitMs;
    this.#head = Atomics.load(this.#c, HEAD);
    this.#published = this.#head;
    this.#tailCache = Atomics.load(this.#c, TAIL);
    this.#droppedNewest = Atomics.load(this.#c, DROPPED_NEWEST);
    this.#room = this.#roomFor(this.#tailCache);
  }

  /** Bytes written but not yet published by flush(). */
  get pendingBytes(): number {
    return (this.#head - this.#published) | 0;
  }

  /**
   * Reserves room for a record of `length` payload bytes and returns the payload's byte offset
   * in `data` (write it in place, then call flush() at the end of the batch), or -1 if the record
   * was dropped under the ring's policy. Records are 8-byte aligned. `originMs` is the epoch time
   * the record's data was born (its age is measured from it); without one, the batch's time.
   */
  reserve(length: number, kind: number, originMs = Number.NaN): number {
    const need = HDR + ((length + 7) & ~7);
    // Fast path: the record fits in the room known to be free before the end of the region.
    if (need <= this.#room && length >= 0 && length <= this.#maxRecord) {
      const pos = this.#head & this.#mask;
      const w = pos >> 2;
      this.#i32[w] = length;
      this.#i32[w + 1] = kind;
      const f = (pos >> 3) + 1;
      const enq = this.#stampNow();
      this.#f64[f] = enq;
      this.#f64[f + 1] = Number.isNaN(originMs) ? enq : originMs;
      this.#head = (this.#head + need) | 0;
      this.#room -= need;
      return pos + HDR;
    }
    return this.#reserveSlow(length, kind, need, originMs);
  }

  /** One clock read per published batch: every record of the batch carries its start time. */
  #stampNow(): number {
    if (!this.#stamped) {
      this.#stamp = nowMs();
      this.#stamped = true;
    }
    return this.#stamp;
  }

  /** Bytes free before the end of the region, as far as the cached tail tells. */
  #roomFor(tail: number): number {
    const pos = this.#head & this.#mask;
    return Math.min(this.#cap - pos, this.#cap - ((this.#head - tail) | 0));
  }

  #reserveSlow(length: number, kind: number, need: number, originMs: number): number {
    if (!(length >= 0 && length <= this.#maxRecord)) throw ringErrors.recordTooLarge(this.handle.name, length, this.#maxRecord);
    let pos = this.#head & this.#mask;
    const toEnd = this.#cap - pos;
    const total = toEnd < need ? toEnd + need : need;
    if (((this.#head - this.#tailCache) | 0) + total > this.#cap) {
      this.#tailCache = Atomics.load(this.#c, TAIL);
      if (((this.#head - this.#tailCache) | 0) + total > this.#cap && !this.#makeRoom(total)) {
        Atomics.store(this.#c, DROPPED_NEWEST, ++this.#droppedNewest);
        this.#room = this.#roomFor(this.#tailCache);
        return -1;
      }
    }
    if (toEnd < need) {
      this.#i32[pos >> 2] = WRAP;
      this.#head = (this.#head + toEnd) | 0;
      pos = 0;
    }
    const w = pos >> 2;
    this.#i32[w] = length;
    this.#i32[w + 1] = kind;
    const f = (pos >> 3) + 1;
    const enq = this.#stampNow();
    this.#f64[f] = enq;
    this.#f64[f + 1] = Number.isNaN(originMs) ? enq : originMs;
    this.#head = (this.#head + need) | 0;
    this.#room = this.#roomFor(this.#tailCache);
    return pos + HDR;
  }

  /**
   * Like reserve(), but never waits and never counts: -1 when the record does not fit now,
   * whatever the ring's policy. For producers that handle a refusal themselves (a source that
   * knows which instrument a frame belonged to).
   */
  tryReserve(length: number, kind: number, originMs = Number.NaN): number {
    const need = HDR + ((length + 7) & ~7);
    if (need <= this.#room && length >= 0 && length <= this.#maxRecord) return this.reserve(length, kind, originMs);
    if (!(length >= 0 && length <= this.#maxRecord)) throw ringErrors.recordTooLarge(this.handle.name, length, this.#maxRecord);
    const pos = this.#head & this.#mask;
    const toEnd = this.#cap - pos;
    const total = toEnd < need ? toEnd + need : need;
    this.#tailCache = Atomics.load(this.#c, TAIL);
    if (((this.#head - this.#tailCache) | 0) + total > this.#cap) return -1;
    return this.#reserveSlow(length, kind, need, originMs);
  }

  /**
   * Age in ms (at `nowMs`, epoch) of the oldest record the consumer has not taken yet: the
   * ring's backlog in time. 0 when the consumer has taken everything published.
   */
  backlogMs(nowMs: number): number {
    const tail = Atomics.load(this.#c, TAIL);
    if (tail === this.#published) return 0;
    let pos = tail & this.#mask;
    if (this.#i32[pos >> 2] === WRAP) pos = 0;
    // Safe without a lock: only this producer overwrites released space, and it is not doing so.
    return nowMs - (this.#f64[(pos >> 3) + 1] as number);
  }

  /**
   * Bytes the consumer has taken so far (free-running, wraps at 2^32): unchanged between two
   * looks means it took nothing in between (stalled or starting), whatever the backlog.
   */
  get consumed(): number {
    return Atomics.load(this.#c, TAIL);
  }

  /** Copies `bytes` in as one record. Returns false if the policy dropped it. */
  write(bytes: Uint8Array, kind = 0, originMs = Number.NaN): boolean {
    const n = bytes.length;
    const off = this.reserve(n, kind, originMs);
    if (off < 0) return false;
    const d = this.data;
    if (n <= 32) for (let i = 0; i < n; i++) d[off + i] = bytes[i] as number;
    else d.set(bytes, off);
    return true;
  }

  /** Publishes every record written since the last flush and wakes a parked consumer. */
  flush(): void {
    this.#stamped = false;
    if (this.#head === this.#published) return;
    this.#published = this.#head;
    Atomics.store(this.#c, HEAD, this.#head);
    if (Atomics.load(this.#c, CONSUMER_SLEEPING) !== 0) this.#ring();
  }

  #ring(): void {
    const bell = this.#bell;
    if (bell !== null) {
      Atomics.add(bell, 0, 1);
      Atomics.notify(bell, 0);
    } else {
      Atomics.notify(this.#c, HEAD);
    }
  }

  /** Ring full: apply the policy. Returns true once there is room for `total` bytes. */
  #makeRoom(total: number): boolean {
    const policy = this.handle.policy;
    if (policy === 'drop-newest') return false;
    // Everything written so far must be visible before we wait on the consumer.
    this.flush();
    this.#stamped = true; // keep this batch's stamp
    const c = this.#c;
    if (policy === 'drop-oldest') {
      Atomics.store(c, DROP_REQUEST, this.#head);
      Atomics.add(c, DROP_REQUEST_SEQ, 1);
      this.#ring();
      return this.#waitForRoom(total, this.#dropWaitMs);
    }
    return this.#waitForRoom(total, this.#blockTimeoutMs);
  }

  #waitForRoom(total: number, timeoutMs: number): boolean {
    const c = this.#c;
    const deadline = timeoutMs === Number.POSITIVE_INFINITY ? timeoutMs : nowMs() + timeoutMs;
    for (let spins = 0; ; spins++) {
      const tail = Atomics.load(c, TAIL);
      this.#tailCache = tail;
      if (((this.#head - tail) | 0) + total <= this.#cap) return true;
      const left = deadline - nowMs();
      if (left <= 0) return false;
      if (spins < 64) continue;
      Atomics.store(c, PRODUCER_WAITING, 1);
      if (Atomics.load(c, CONSUMER_SLEEPING) !== 0) this.#ring();
      Atomics.wait(c, TAIL, tail, Math.min(left, 10));
      Atomics.store(c, PRODUCER_WAITING, 0);
    }
  }
}

/**
 * Called for each record, in place: the payload is data[offset, offset+length), valid until the
 * callback returns; `enqMs` is when its producer's batch began, `originMs` when its data was born
 * (epoch ms). Returning `false` ends the poll after this record (it counts as consumed).
 */
export type RecordHandler = (data: Uint8Array, offset: number, length: number, kind: number, enqMs: number, originMs: number) => unknown;
/** Called before the next record when records were lost: count and reason. */
export type DropHandler = (count: number, reason: DropReason) => void;

export class RingConsumer {
  readonly handle: RingHandle;
  readonly data: Uint8Array;
  readonly #i32: Int32Array;
  readonly #f64: Float64Array;
  readonly #c: Int32Array;
  readonly #mask: number;
  readonly #maxAgeMs: number;
  /** 1 for kinds maxAgeMs applies to. */
  readonly #perishable: Uint8Array;
  #tail: number;
  /** Position of a record a previous consumer of this ring died delivering, or null. */
  #poison: number | null = null;
  #seenNewest: number;
  #dropSeq: number;
  #out = { oldest: 0, stale: 0, corrupt: 0, records: 0 };
  /** Epoch ms of the last poll that found records (one clock read per such poll). */
  polledAt = 0;

  constructor(handle: RingHandle) {
    this.handle = handle;
    this.data = new Uint8Array(handle.data);
    this.#i32 = new Int32Array(handle.data);
    this.#f64 = new Float64Array(handle.data);
    this.#c = new Int32Array(handle.control);
    this.#mask = handle.data.byteLength - 1;
    this.#maxAgeMs = handle.maxAgeMs;
    this.#perishable = new Uint8Array(256);
    if (handle.maxAgeKinds === null) this.#perishable.fill(1);
    else for (const k of handle.maxAgeKinds) this.#perishable[k] = 1;
    this.#tail = Atomics.load(this.#c, TAIL);
    // A consumer that died in the middle of a poll (its thread ended) left IN_FLIGHT set: the
    // records before the one it was delivering are delivered again (at-least-once), and that one
    // is skipped as corrupt, so a record that kills its consumer cannot kill every successor.
    if (Atomics.load(this.#c, IN_FLIGHT) === 1) this.#poison = Atomics.load(this.#c, IN_FLIGHT_POS);
    this.#seenNewest = Atomics.load(this.#c, DROPPED_NEWEST);
    this.#dropSeq = Atomics.load(this.#c, DROP_REQUEST_DONE);
    const c = this.#c;
    this.#out = {
      oldest: Atomics.load(c, DROPPED_OLDEST),
      stale: Atomics.load(c, DROPPED_STALE),
      corrupt: Atomics.load(c, DROPPED_CORRUPT),
      records: Atomics.load(c, RECORDS_OUT),
    };
  }

  /** Unread bytes (published by the producer, not yet consumed). */
  get available(): number {
    return (Atomics.load(this.#c, HEAD) - this.#tail) | 0;
  }

  /**
   * Delivers up to `max` records to `onRecord` in order, reading them in place, then releases
   * their space with one store. Drops (by the producer, a drop-oldest request, or maxAgeMs) are
   * reported through `onDrop` before the record that follows them; `onExpired` also gets the
   * enqueue time of each record dropped as too old (their wait counts too). Returns records
   * delivered.
   */
  poll(onRecord: RecordHandler, onDrop: DropHandler, max = 256, onExpired?: (enqMs: number) => void): number {
    const c = this.#c;
    const newest = Atomics.load(c, DROPPED_NEWEST);
    if (newest !== this.#seenNewest) {
      const n = (newest - this.#seenNewest) >>> 0;
      this.#seenNewest = newest;
      onDrop(n, 'drop-newest');
    }
    if (Atomics.load(c, DROP_REQUEST_SEQ) !== this.#dropSeq) this.#honourDropRequest(onDrop);
    const head = Atomics.load(c, HEAD);
    let tail = this.#tail;
    if (head === tail) return 0;
    const i32 = this.#i32;
    const f64 = this.#f64;
    const mask = this.#mask;
    const data = this.data;
    const now = nowMs();
    this.polledAt = now;
    const maxAge = this.#maxAgeMs;
    const cutoff = maxAge > 0 ? now - maxAge : Number.NEGATIVE_INFINITY;
    c[IN_FLIGHT_POS] = tail | 1; // odd: no record starts there (records are 8-byte aligned)
    c[IN_FLIGHT] = 1;
    let delivered = 0;
    let stale = 0;
    while (tail !== head && delivered < max) {
      let pos = tail & mask;
      let len = i32[pos >> 2] as number;
      if (len === WRAP) {
        tail = (tail + (mask + 1 - pos)) | 0;
        pos = 0;
        len = i32[0] as number;
      }
      const at = tail;
      tail = (tail + HDR + ((len + 7) & ~7)) | 0;
      if (at === this.#poison) {
        this.#skipPoison(onDrop);
        continue;
      }
      const f = (pos >> 3) + 1;
      const origin = f64[f + 1] as number;
      const kind = i32[(pos >> 2) + 1] as number;
      if (origin < cutoff && this.#perishable[kind & 255] === 1) {
        stale++;
        onExpired?.(f64[f] as number);
        continue;
      }
      if (stale > 0) {
        this.#countStale(stale, onDrop);
        stale = 0;
      }
      c[IN_FLIGHT_POS] = at;
      delivered++;
      if (onRecord(data, pos + HDR, len, kind, f64[f] as number, origin) === false) break;
    }
    if (stale > 0) this.#countStale(stale, onDrop);
    this.#release(tail, delivered);
    return delivered;
  }

  #countStale(n: number, onDrop: DropHandler): void {
    this.#out.stale += n;
    Atomics.store(this.#c, DROPPED_STALE, this.#out.stale);
    onDrop(n, 'stale');
  }

  #skipPoison(onDrop: DropHandler): void {
    this.#poison = null;
    this.#out.corrupt++;
    Atomics.store(this.#c, DROPPED_CORRUPT, this.#out.corrupt);
    onDrop(1, 'corrupt');
  }

  /** Counts a record the caller found corrupt (after it was delivered). */
  countCorrupt(n = 1): void {
    this.#out.corrupt += n;
    Atomics.store(this.#c, DROPPED_CORRUPT, this.#out.corrupt);
  }

  #release(tail: number, delivered: number): void {
    const c = this.#c;
    c[IN_FLIGHT] = 0;
    this.#tail = tail;
    this.#out.records = (this.#out.records + delivered) | 0;
    Atomics.store(c, RECORDS_OUT, this.#out.records);
    Atomics.store(c, TAIL, tail);
    if (Atomics.load(c, PRODUCER_WAITING) !== 0) Atomics.notify(c, TAIL);
  }

  /** Discards every record up to the producer's requested head (drop-oldest). */
  #honourDropRequest(onDrop: DropHandler): void {
    const c = this.#c;
    const seq = Atomics.load(c, DROP_REQUEST_SEQ);
    const upTo = Atomics.load(c, DROP_REQUEST);
    this.#dropSeq = seq;
    Atomics.store(c, DROP_REQUEST_DONE, seq);
    let tail = this.#tail;
    let n = 0;
    while (((upTo - tail) | 0) > 0) {
      let pos = tail & this.#mask;
      let len = this.#i32[pos >> 2] as number;
      if (len === WRAP) {
        tail = (tail + (this.#mask + 1 - pos)) | 0;
        pos = 0;
        len = this.#i32[0] as number;
        if (((upTo - tail) | 0) <= 0) break;
      }
      tail = (tail + HDR + pad8(len)) | 0;
      n++;
    }
    if (n > 0) {
      this.#out.oldest += n;
      Atomics.store(c, DROPPED_OLDEST, this.#out.oldest);
      onDrop(n, 'drop-oldest');
    }
    this.#release(tail, 0);
  }

  /**
   * Marks this consumer as parked if the ring is still empty. Returns the value to wait on
   * (a doorbell count or the HEAD word), or null if records arrived meanwhile (do not park).
   * The caller then waits with Atomics.wait / waitAsync and calls unpark() when it wakes.
   */
  prepareToPark(): boolean {
    Atomics.store(this.#c, CONSUMER_SLEEPING, 1);
    if (Atomics.load(this.#c, HEAD) !== this.#tail || Atomics.load(this.#c, DROP_REQUEST_SEQ) !== this.#dropSeq) {
      Atomics.store(this.#c, CONSUMER_SLEEPING, 0);
      return false;
    }
    return true;
  }

  unpark(): void {
    Atomics.store(this.#c, CONSUMER_SLEEPING, 0);
  }

  /** Synchronous wait for records on a ring without a doorbell (tests, single-ring consumers). */
  waitSync(timeoutMs: number): void {
    if (!this.prepareToPark()) return;
    Atomics.wait(this.#c, HEAD, this.#tail, timeoutMs);
    this.unpark();
  }

  /** Int32 view and index to wait on when parking on this ring alone. */
  get headWord(): { view: Int32Array; index: number; value: number } {
    return { view: this.#c, index: HEAD, value: this.#tail };
  }
}

export { DROP_REASONS };
