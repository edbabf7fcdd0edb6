/**
 * The normalize stage as the runtime runs it: raw venue frames in, canonical records out. The
 * core (Normalizer) is pure; this file only binds its sink to the runtime's emitter.
 */

import { type Emitter, flattenStats, type StageContext, type StageCore } from '@tickline/runtime';
import {
  type BookDeltaLike,
  type BookSnapshotLike,
  type CanonicalSink,
  type QuoteBatchLike,
  type TradeBatchLike,
  WireDropReason,
} from '@tickline/wire';
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
    // A venue-side gap on a connection (Coinbase Advanced Trade): the books it feeds re-seed.
    sequenceCheck: (venue, connId, expected, got) => {
      if (got === expected) return;
      sequenceGaps++;
      out?.mark({
        type: 'drop',
        count: Math.max(1, got - expected),
        reason: WireDropReason.VenueGap,
        edge: `venue ${venue} connection ${connId}`,
      });
    },
  };
  let sequenceGaps = 0;
  return {
    onRawFrame(f, emit) {
      out = emit;
      normalizer.handleFrame(f.venue, f.kind, f.context, f.bytes, f.recvS, f.recvNs, sink, f.connId);
    },
    stats: () => flattenStats(normalizer.stats(), '', { venueSequenceGaps: sequenceGaps }),
  };
}
