/**
 * Edges on NATS (`rings.edges.<edge>.transport: nats`): how an edge's ring settings become the
 * limits of its stream, and the counters the supervisor reads for them. The stream holds what the
 * edge's M x N rings would hold together: max_bytes is their total capacity; a market-data edge
 * sized by time also gets max_msgs, the events its rings hold (`rings.eventsPerSec` x its share
 * of `rings.holdMs`) times M x N. Records keep the ring's size limit (half a ring), within the
 * server's 1 MiB payload.
 */
import { createConsumerStats, NATS_HEADER_BYTES, type NatsEdgeSpec, natsEdgeSpec, readConsumerStats } from '@tickline/nats';
import { RECORD_HEADER_BYTES, type RingCounters } from '@tickline/ring';
import { DEFAULT_EDGE_POLICIES, type EdgeName, edgePolicy, type RuntimeConfig } from './config/pipeline-config.js';

const MAX_STREAM_BYTES = 2 ** 30;
const MAX_PAYLOAD = 1024 * 1024 - NATS_HEADER_BYTES;

/** The NATS edge for `edge` from `producers` partitions to `consumers` partitions. */
export function natsEdgeOf(config: RuntimeConfig, edge: EdgeName, producers: number, consumers: number): NatsEdgeSpec {
  const url = config.nats.url;
  if (url === undefined) throw new TypeError(`nats.url is required: edge ${edge} has transport "nats"`);
  const p = edgePolicy(config, edge);
  const cells = producers * consumers;
  const d = DEFAULT_EDGE_POLICIES[edge];
  const perRing =
    d.bytesPerEvent === undefined
      ? -1
      : Math.max(1, Math.round((config.rings.eventsPerSec * config.rings.holdMs * (d.holdShare ?? 1)) / 1000));
  return natsEdgeSpec({
    url,
    edge,
    prefix: config.nats.prefix,
    policy: p.policy,
    maxAgeMs: p.maxAgeMs,
    maxAgeKinds: p.maxAgeKinds ?? null,
    maxBytes: Math.min(MAX_STREAM_BYTES, p.capacityBytes * cells),
    maxMsgs: perRing < 0 ? -1 : perRing * cells,
    maxRecordBytes: Math.min(MAX_PAYLOAD, p.capacityBytes / 2 - RECORD_HEADER_BYTES),
    partitions: consumers,
    batch: config.nats.batch,
    ...(p.blockTimeoutMs !== undefined ? { blockTimeoutMs: p.blockTimeoutMs } : {}),
  });
}

/** One consuming partition of a NATS edge, as the supervisor tracks it. */
export interface NatsInput {
  readonly spec: NatsEdgeSpec;
  readonly partition: number;
  readonly stats: SharedArrayBuffer;
}

export const createNatsStats = createConsumerStats;

/**
 * A NATS input's counters in the shape of a ring's (named "<edge>[nats p<n>]"): used bytes are
 * unknown on this side (the backlog waits in the stream), so 0; records and drops as counted.
 */
export function readNatsStats(n: NatsInput): RingCounters {
  const c = readConsumerStats(n.stats);
  return {
    name: `${n.spec.edge}[nats p${n.partition}]`,
    capacity: n.spec.maxBytes,
    usedBytes: 0,
    recordsOut: c.recordsOut,
    dropped: c.dropped,
  };
}
