/**
 * The normalize stage as the runtime runs it: raw venue frames in, canonical records out. The
 * core (Normalizer) is pure; this file only binds its sink to the runtime's emitter.
 */

import type { Emitter, StageContext, StageCore } from '@tickline/runtime';
import type { BookDeltaLike, BookSnapshotLike, CanonicalSink, QuoteBatchLike, TradeBatchLike } from '@tickline/wire';
import { Normalizer } from './core/normalizer.js';

export interface NormalizeStageConfig {
  maxFrameBytes?: number;
}

export default function createNormalizeStage(ctx: StageContext): StageCore {
  const cfg = (ctx.config ?? {}) as NormalizeStageConfig;
  const normalizer = new Normalizer(
    cfg.maxFrameBytes === undefined ? { registry: ctx.registry } : { registry: ctx.registry, maxFrameBytes: cfg.maxFrameBytes },
  );
  let out: Emitter | null = null;
  const sink: CanonicalSink = {
    bookDelta: (d: BookDeltaLike) => out?.bookDelta(d),
    bookSnapshot: (s: BookSnapshotLike) => out?.bookSnapshot(s),
    trades: (t: TradeBatchLike) => out?.trades(t),
    quotes: (q: QuoteBatchLike) => out?.quotes(q),
    // counted by the Normalizer per reason; the supervisor logs the counters, not each frame
    reject: () => {},
  };
  return {
    onRawFrame(f, emit) {
      out = emit;
      normalizer.handleFrame(f.venue, f.kind, f.context, f.bytes, f.recvS, f.recvNs, sink);
    },
    stats() {
      const s = normalizer.stats() as unknown as Record<string, unknown>;
      const flat: Record<string, number> = {};
      for (const [k, v] of Object.entries(s)) {
        if (typeof v === 'number') flat[k] = v;
        else if (v && typeof v === 'object') for (const [r, n] of Object.entries(v)) if (typeof n === 'number') flat[`${k}.${r}`] = n;
      }
      return flat;
    },
  };
}
