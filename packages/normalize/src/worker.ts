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
  /**
   * Only records of these instrument ids go on (the others are counted as `outsideShard`): set by
   * a cluster replay node (`tickline replay FILE --node A`), whose file holds every shard's
   * instruments. Not a user setting. Absent: every record goes on.
   */
  keepInstruments?: readonly number[];
}

export default function createNormalizeStage(ctx: StageContext): StageCore {
  const cfg = (ctx.config ?? {}) as NormalizeStageConfig;
  const normalizer = new Normalizer(
    cfg.maxFrameBytes === undefined ? { registry: ctx.registry } : { registry: ctx.registry, maxFrameBytes: cfg.maxFrameBytes },
  );
  let out: Emitter | null = null;
  const keep = keepSet(cfg.keepInstruments);
  let outsideShard = 0;
  /** True if instrument `id`'s records go on (only asked with keepInstruments). */
  const kept = (id: number): boolean => {
    if ((keep as ReadonlySet<number>).has(id)) return true;
    outsideShard++;
    return false;
  };
  const sink: CanonicalSink = {
    ...(keep === null
      ? {
          bookDelta: (d: BookDeltaLike) => out?.bookDelta(d),
          bookSnapshot: (s: BookSnapshotLike) => out?.bookSnapshot(s),
          trades: (t: TradeBatchLike) => out?.trades(t),
          quotes: (q: QuoteBatchLike) => out?.quotes(q),
        }
      : {
          bookDelta: (d: BookDeltaLike) => void (kept(d.instrument) && out?.bookDelta(d)),
          bookSnapshot: (s: BookSnapshotLike) => void (kept(s.instrument) && out?.bookSnapshot(s)),
          trades: (t: TradeBatchLike) => void (kept(t.instrument) && out?.trades(t)),
          quotes: (q: QuoteBatchLike) => void (kept(q.instrument) && out?.quotes(q)),
        }),
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
    stats: () => flattenStats(normalizer.stats(), '', { venueSequenceGaps: sequenceGaps, ...(keep !== null ? { outsideShard } : {}) }),
  };
}

function keepSet(ids: unknown): ReadonlySet<number> | null {
  if (ids === undefined) return null;
  if (!Array.isArray(ids) || !ids.every((x) => Number.isInteger(x) && x >= 0))
    throw new TypeError('normalize stage config keepInstruments must be an array of instrument ids (non-negative integers)');
  return new Set(ids as number[]);
}
