/**
 * An Emitter that keeps what an ingest source emits (raw frames copied, marks) for tests and
 * benchmarks. Frames are copied because the source's frame object and bytes are only valid
 * during the call.
 */

import { type Mark, type RawFrameLike, SourceEmitter } from '@tickline/runtime';

export interface RecordedFrame {
  readonly connId: number;
  readonly frameSeq: number;
  readonly kind: number;
  readonly context: string | null;
  readonly recvS: number;
  readonly recvNs: number;
  readonly text: string;
}

export class RecordingEmitter extends SourceEmitter {
  readonly frames: RecordedFrame[] = [];
  readonly marks: Mark[] = [];
  /** Everything in arrival order: 'frame' | 'mark' | 'flush'. */
  readonly events: string[] = [];
  flushes = 0;
  keepFrames: boolean;
  frameCount = 0;
  /** Called for every frame with its text (when set). */
  onFrame: ((f: RecordedFrame) => void) | null = null;

  constructor(keepFrames = true) {
    super();
    this.keepFrames = keepFrames;
  }

  rawFrame(f: RawFrameLike): void {
    this.frameCount++;
    if (!this.keepFrames && !this.onFrame) return;
    const rec: RecordedFrame = {
      connId: f.connId,
      frameSeq: f.frameSeq,
      kind: f.kind,
      context: f.context,
      recvS: f.recvS,
      recvNs: f.recvNs,
      text: Buffer.from(f.bytes.buffer, f.bytes.byteOffset, f.bytes.byteLength).toString('utf8'),
    };
    if (this.keepFrames) this.frames.push(rec);
    this.onFrame?.(rec);
  }

  mark(m: Mark): void {
    this.marks.push(m);
    this.events.push(`mark:${m.type}${m.type === 'feed' ? (m.up ? ':up' : ':down') : ''}`);
  }

  flush(): void {
    this.flushes++;
  }

  feedMarks(): string[] {
    return this.marks.filter((m) => m.type === 'feed').map((m) => (m.type === 'feed' && m.up ? 'up' : 'down'));
  }
}

/** Resolves when `cond()` holds (polling), rejects after `timeoutMs`. */
export async function until(cond: () => boolean, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
