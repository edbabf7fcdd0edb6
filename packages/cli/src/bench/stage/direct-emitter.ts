/**
 * The emitter a directly driven core writes to: the runtime's SinkEmitter (counts what it emits
 * and discards it), with raw frames (ingest's output) also timed from their receipt to the flush
 * that would publish them to a ring.
 */

import { LatencyHistogram, type RawFrameLike, SinkEmitter } from '@tickline/runtime';
import { epochMs } from '@tickline/wire';

export class DirectEmitter extends SinkEmitter {
  readonly receiptToFlush = new LatencyHistogram();
  #pending = new Float64Array(1024);
  #npending = 0;

  reset(): void {
    this.emitted = 0;
    this.receiptToFlush.reset();
  }

  override rawFrame(f?: RawFrameLike): void {
    super.rawFrame();
    if (f === undefined) return;
    if (this.#npending === this.#pending.length) {
      const grown = new Float64Array(this.#pending.length * 2);
      grown.set(this.#pending);
      this.#pending = grown;
    }
    this.#pending[this.#npending++] = f.recvS * 1000 + f.recvNs / 1e6;
  }

  override flush(): void {
    if (this.#npending === 0) return;
    const now = epochMs();
    for (let i = 0; i < this.#npending; i++) this.receiptToFlush.record((now - (this.#pending[i] as number)) * 1e6);
    this.#npending = 0;
  }
}
