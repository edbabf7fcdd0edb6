/** Counters of one source, handed to the control plane by `stats()` (never one call per message). */
export interface Counters {
  connections: number;
  connectAttempts: number;
  connects: number;
  reconnects: number;
  disconnects: number;
  heartbeatTimeouts: number;
  /** Silence each heartbeat timeout had seen when declared, summed (ms): over `heartbeatTimeouts`, the mean verdict time. */
  heartbeatSilenceMs: number;
  ackTimeouts: number;
  pingsSent: number;
  upgradeRejected: number;
  upgradeRateLimited: number;
  frames: number;
  bytes: number;
  controlFrames: number;
  unroutedFrames: number;
  subscribeRequests: number;
  unsubscribeRequests: number;
  snapshotRequests: number;
  streamsSubscribed: number;
  venueErrors: number;
  venueRateLimited: number;
  /** Subscribe sends for a stream the session already held: must stay 0. */
  duplicateSubscribeSends: number;
  /** Channels the venue reported as already held when we subscribed (embedded exchange acks): must stay 0. */
  venueDuplicateSubscriptions: number;
  feedUp: number;
  feedDown: number;
  staleMarks: number;
  /** Stale marks that began a silence (not repeats of one), and the silence each had seen (ms), summed. */
  staleFirstMarks: number;
  staleSilenceMs: number;
  resubscribes: number;
  /** Reconnects made on purpose before the venue's forced disconnect (connection age). */
  plannedReconnects: number;
  resyncs: number;
  restRequests: number;
  restSnapshots: number;
  restRateLimited: number;
  restErrors: number;
  lastBackoffMs: number;
  minBackoffMs: number;
  maxBackoffMs: number;
  /** Frames not queued because their instrument was shed (load shedding), by frame. */
  shedFrames: number;
  /** Times an instrument was shed (its book re-seeds). */
  shedInstruments: number;
  /** Of those, unsubscribed at the venue until their re-seed (`shedAtVenue`). */
  parkedInstruments: number;
  /** Frames the output queue refused (full in bytes): their instruments are shed too. */
  refusedFrames: number;
}

export function newCounters(): Counters {
  return {
    connections: 0,
    connectAttempts: 0,
    connects: 0,
    reconnects: 0,
    disconnects: 0,
    heartbeatTimeouts: 0,
    heartbeatSilenceMs: 0,
    ackTimeouts: 0,
    pingsSent: 0,
    upgradeRejected: 0,
    upgradeRateLimited: 0,
    frames: 0,
    bytes: 0,
    controlFrames: 0,
    unroutedFrames: 0,
    subscribeRequests: 0,
    unsubscribeRequests: 0,
    snapshotRequests: 0,
    streamsSubscribed: 0,
    venueErrors: 0,
    venueRateLimited: 0,
    duplicateSubscribeSends: 0,
    venueDuplicateSubscriptions: 0,
    feedUp: 0,
    feedDown: 0,
    staleMarks: 0,
    staleFirstMarks: 0,
    staleSilenceMs: 0,
    resubscribes: 0,
    plannedReconnects: 0,
    resyncs: 0,
    restRequests: 0,
    restSnapshots: 0,
    restRateLimited: 0,
    restErrors: 0,
    lastBackoffMs: 0,
    minBackoffMs: 0,
    maxBackoffMs: 0,
    shedFrames: 0,
    shedInstruments: 0,
    parkedInstruments: 0,
    refusedFrames: 0,
  };
}
