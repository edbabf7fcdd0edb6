/**
 * The book stage's output on its way to signals, watched for book state changes: a book that was
 * live and stops being live (a sequence gap, a failed checksum, a re-seed) and comes back. The
 * engine reports those periods and tells the venue, so nothing fills while a book is not live.
 */

import type { ForwardingEmitter, Mark, RawFrameLike } from '@tickline/runtime';
import type {
  BarLike,
  BookDeltaLike,
  BookSnapshotLike,
  BookViewLike,
  FillRecord,
  OrderEventRecord,
  OrderIntentRecord,
  PositionRecord,
  QuoteBatchLike,
  RecordReader,
  SignalRecord,
  TradeBatchLike,
} from '@tickline/wire';

export class ViewWatch implements ForwardingEmitter {
  readonly #inner: ForwardingEmitter;
  readonly #onChange: (instrument: number, state: number) => void;
  /** Last state seen per instrument; -1 none yet. */
  readonly #state = new Map<number, number>();
  readonly #wasLive = new Set<number>();

  constructor(inner: ForwardingEmitter, onChange: (instrument: number, state: number) => void) {
    this.#inner = inner;
    this.#onChange = onChange;
  }

  /** Whether the instrument's book has been live at least once. */
  seen(instrument: number): boolean {
    return this.#wasLive.has(instrument);
  }

  get emitted(): number {
    return this.#inner.emitted;
  }
  get dropped(): number {
    return this.#inner.dropped;
  }

  bookView(v: BookViewLike): void {
    const st = v.state;
    if (this.#state.get(v.instrument) !== st) {
      this.#state.set(v.instrument, st);
      this.#onChange(v.instrument, st);
      if (st === 1) this.#wasLive.add(v.instrument);
    }
    this.#inner.bookView(v);
  }
  forward(reader: RecordReader, data: Uint8Array, offset: number, length: number): void {
    this.#inner.forward(reader, data, offset, length);
  }
  rawFrame(f: RawFrameLike): void {
    this.#inner.rawFrame(f);
  }
  bookDelta(d: BookDeltaLike): void {
    this.#inner.bookDelta(d);
  }
  bookSnapshot(s: BookSnapshotLike): void {
    this.#inner.bookSnapshot(s);
  }
  trades(t: TradeBatchLike): void {
    this.#inner.trades(t);
  }
  quotes(q: QuoteBatchLike): void {
    this.#inner.quotes(q);
  }
  bar(b: BarLike): void {
    this.#inner.bar(b);
  }
  signal(s: SignalRecord): void {
    this.#inner.signal(s);
  }
  orderIntent(o: OrderIntentRecord): void {
    this.#inner.orderIntent(o);
  }
  orderEvent(e: OrderEventRecord): void {
    this.#inner.orderEvent(e);
  }
  fill(f: FillRecord): void {
    this.#inner.fill(f);
  }
  position(p: PositionRecord): void {
    this.#inner.position(p);
  }
  mark(m: Mark): void {
    this.#inner.mark(m);
  }
  flush(): void {
    this.#inner.flush();
  }
}
