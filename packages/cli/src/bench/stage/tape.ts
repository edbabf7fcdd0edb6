/**
 * A tape: encoded wire records laid out back to back in shared memory, each at an 8-byte
 * boundary as in a ring, so a RecordReader reads them in place exactly as a worker reads its
 * input ring. The first `prime` records set a stage up (book snapshots, the books behind risk's
 * checks) and are not timed; the rest are the measured stream.
 *
 * A TapeWriter is an Emitter: a generator (or a real stage core) emits records into it and it
 * encodes each with the wire's Encoder, the same encoding the runtime's ring emitter applies; a
 * record passed on unchanged is copied as it is.
 * Tapes cross to workers in a stage config: their arrays live on SharedArrayBuffers.
 */

import type { ForwardingEmitter, Mark, RawFrameLike } from '@tickline/runtime';
import {
  type BarLike,
  type BookDeltaLike,
  type BookSnapshotLike,
  type BookViewLike,
  Encoder,
  type FillRecord,
  type OrderEventRecord,
  type OrderIntentRecord,
  type PositionRecord,
  type QuoteBatchLike,
  type RecordReader,
  type SignalRecord,
  type TradeBatchLike,
} from '@tickline/wire';

export interface Tape {
  /** Record bytes (on a SharedArrayBuffer). */
  readonly data: Uint8Array;
  readonly offsets: Float64Array;
  readonly lengths: Uint32Array;
  readonly count: number;
  /** Records [0, prime) set the stage up; [prime, count) are measured. */
  readonly prime: number;
}

const shared = (bytes: number) => new SharedArrayBuffer(Math.max(8, bytes));

export class TapeWriter implements ForwardingEmitter {
  readonly #enc = new Encoder(1 << 16);
  #data = new Uint8Array(1 << 20);
  #offsets = new Float64Array(1024);
  #lengths = new Uint32Array(1024);
  #used = 0;
  #count = 0;
  #prime = 0;

  get count(): number {
    return this.#count;
  }

  /** Records written after the set-up. */
  get body(): number {
    return this.#count - this.#prime;
  }

  get emitted(): number {
    return this.#count;
  }

  readonly dropped = 0;

  /** Everything written so far is set-up (untimed). */
  endPrime(): void {
    this.#prime = this.#count;
  }

  /** Appends one encoded record. */
  push(bytes: Uint8Array): void {
    const at = (this.#used + 7) & ~7;
    if (at + bytes.length > this.#data.length) {
      const grown = new Uint8Array(Math.max(this.#data.length * 2, at + bytes.length));
      grown.set(this.#data.subarray(0, this.#used));
      this.#data = grown;
    }
    if (this.#count === this.#offsets.length) {
      const o = new Float64Array(this.#count * 2);
      const l = new Uint32Array(this.#count * 2);
      o.set(this.#offsets);
      l.set(this.#lengths);
      this.#offsets = o;
      this.#lengths = l;
    }
    this.#data.set(bytes, at);
    this.#offsets[this.#count] = at;
    this.#lengths[this.#count] = bytes.length;
    this.#count++;
    this.#used = at + bytes.length;
  }

  /** The tape, copied onto shared memory. */
  finish(): Tape {
    const n = this.#count;
    const data = new Uint8Array(shared(this.#used));
    data.set(this.#data.subarray(0, this.#used));
    const offsets = new Float64Array(shared(n * 8));
    offsets.set(this.#offsets.subarray(0, n));
    const lengths = new Uint32Array(shared(n * 4));
    lengths.set(this.#lengths.subarray(0, n));
    return { data, offsets, lengths, count: n, prime: this.#prime };
  }

  /** Appends an encoded record as it is (a core passing on a record it has no handler for). */
  forward(_reader: RecordReader, data: Uint8Array, offset: number, length: number): void {
    this.push(data.subarray(offset, offset + length));
  }

  rawFrame(f: RawFrameLike): void {
    this.push(this.#enc.rawFrame(f.venue, f.connId, f.recvS, f.recvNs, f.frameSeq, f.kind, f.context, f.bytes));
  }
  bookDelta(d: BookDeltaLike): void {
    this.push(this.#enc.bookDelta(d));
  }
  bookSnapshot(s: BookSnapshotLike): void {
    this.push(this.#enc.bookSnapshot(s));
  }
  trades(t: TradeBatchLike): void {
    this.push(this.#enc.trades(t));
  }
  quotes(q: QuoteBatchLike): void {
    this.push(this.#enc.quotes(q));
  }
  bookView(v: BookViewLike): void {
    this.push(this.#enc.bookView(v));
  }
  bar(b: BarLike): void {
    this.push(this.#enc.bar(b));
  }
  signal(s: SignalRecord): void {
    this.push(this.#enc.signal(s));
  }
  orderIntent(o: OrderIntentRecord): void {
    this.push(this.#enc.orderIntent(o));
  }
  orderEvent(e: OrderEventRecord): void {
    this.push(this.#enc.orderEvent(e));
  }
  fill(f: FillRecord): void {
    this.push(this.#enc.fill(f));
  }
  position(p: PositionRecord): void {
    this.push(this.#enc.position(p));
  }
  mark(m: Mark): void {
    const e = this.#enc;
    switch (m.type) {
      case 'feed':
        return this.push(e.feedState(m.venue, m.connId, m.up, m.reason, m.tsS, m.tsNs));
      case 'stale':
        return this.push(e.staleMark(m.instrument, m.venue, m.ageMs));
      case 'halt':
        return this.push(e.haltMark(m.state, m.reason, m.tsS, m.tsNs));
      case 'resync':
        return this.push(e.resyncRequest(m.instrument, m.venue, m.reason));
      case 'drop':
        return this.push(e.dropMark(m.count, m.reason, m.edge));
    }
  }
  flush(): void {}
}
