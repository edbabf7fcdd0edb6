/**
 * What the parts of the execution core share: the log sink, the counters, and the touch of
 * each instrument's book. Each part (fill booking, resting orders, reconciliation) states the
 * rest of what it needs from the core as its own host interface, so no part imports the core.
 */

export interface ExecutionLogSink {
  warn(msg: string, data: Record<string, unknown>): void;
  info(msg: string, data: Record<string, unknown>): void;
}

export const NOOP_LOG: ExecutionLogSink = { warn() {}, info() {} };

/** Best bid, best ask and their mid, as price mantissas. */
export interface Touch {
  bid: number;
  ask: number;
  mid: number;
}

export function executionCounters() {
  return {
    intents: 0,
    ordersSent: 0,
    rejectedIntents: 0,
    duplicateIntents: 0,
    staleIntents: 0,
    /** Intents refused because the market data behind them was older than maxDataAgeMs. */
    staleData: 0,
    badIntents: 0,
    venueDown: 0,
    reports: 0,
    duplicateReports: 0,
    seqGaps: 0,
    fills: 0,
    duplicateFills: 0,
    fillUnknownOrder: 0,
    reportUnknownOrder: 0,
    badTransitions: 0,
    cancels: 0,
    reprices: 0,
    ackTimeouts: 0,
    ttlCancels: 0,
    exits: 0,
    cancelAlls: 0,
    venueRejects: 0,
  };
}

export type ExecutionCounters = ReturnType<typeof executionCounters>;
