/**
 * The book stage's output on its way to signals, watched for book state changes: a book that was
 * live and stops being live (a sequence gap, a failed checksum, a re-seed) and comes back. The
 * engine reports those periods and tells the venue, so nothing fills while a book is not live.
 */

import { DelegatingEmitter, type ForwardingEmitter } from '@tickline/runtime';
import { BookState, type BookViewLike } from '@tickline/wire';

export class ViewWatch extends DelegatingEmitter {
  readonly #onChange: (instrument: number, state: number) => void;
  /** Last state seen per instrument. */
  readonly #state = new Map<number, number>();
  readonly #wasLive = new Set<number>();

  constructor(inner: ForwardingEmitter, onChange: (instrument: number, state: number) => void) {
    super(inner);
    this.#onChange = onChange;
  }

  /** Whether the instrument's book has been live at least once. */
  seen(instrument: number): boolean {
    return this.#wasLive.has(instrument);
  }

  override bookView(v: BookViewLike): void {
    const st = v.state;
    if (this.#state.get(v.instrument) !== st) {
      this.#state.set(v.instrument, st);
      this.#onChange(v.instrument, st);
      if (st === BookState.Live) this.#wasLive.add(v.instrument);
    }
    this.inner.bookView(v);
  }
}
