/**
 * A NATS consumer's counters, and the shared-memory block it mirrors them into after every poll
 * so another thread (the supervisor) reads them without asking the worker.
 */
import type { DropReason } from '@tickline/ring';

export interface NatsConsumerCounters {
  recordsOut: number;
  dropped: Record<DropReason, number>;
  /** Block edge: redeliveries of records this end had already handled (skipped). */
  duplicates: number;
}

/** Words of a consumer's shared counters block (float64 each). */
const STAT_WORDS = 8;
export const CONSUMER_STATS_BYTES = STAT_WORDS * 8;
const S_OUT = 0;
const S_OLDEST = 1;
const S_NEWEST = 2;
const S_STALE = 3;
const S_CORRUPT = 4;
const S_DUPLICATES = 5;
const S_QUEUED = 6;

/** A counters block for NatsConsumerOptions.stats. */
export function createConsumerStats(): SharedArrayBuffer {
  return new SharedArrayBuffer(CONSUMER_STATS_BYTES);
}

/** Reads a counters block a consumer keeps (from any thread). */
export function readConsumerStats(stats: SharedArrayBuffer): NatsConsumerCounters & { queued: number } {
  const f = new Float64Array(stats);
  return {
    recordsOut: f[S_OUT] as number,
    dropped: {
      'drop-oldest': f[S_OLDEST] as number,
      'drop-newest': f[S_NEWEST] as number,
      stale: f[S_STALE] as number,
      corrupt: f[S_CORRUPT] as number,
    },
    duplicates: f[S_DUPLICATES] as number,
    queued: f[S_QUEUED] as number,
  };
}

/** Writes a consumer's counters (and its queued messages) into its block. */
export function mirrorStats(f: Float64Array, c: NatsConsumerCounters, queued: number): void {
  f[S_OUT] = c.recordsOut;
  f[S_OLDEST] = c.dropped['drop-oldest'];
  f[S_NEWEST] = c.dropped['drop-newest'];
  f[S_STALE] = c.dropped.stale;
  f[S_CORRUPT] = c.dropped.corrupt;
  f[S_DUPLICATES] = c.duplicates;
  f[S_QUEUED] = queued;
}
