/**
 * An edge's stream and consumers, set up idempotently by whichever end comes first (and again
 * after a server restart, which loses memory streams). The mapping of ring semantics onto
 * JetStream limits (docs/nats.md):
 *
 *   policy        retention   discard  storage  consumers               limits
 *   drop-oldest   interest    old      memory   pull, ack none          max_bytes, max_msgs, max_age
 *   drop-newest   interest    new      memory   pull, ack none          max_bytes, max_msgs, max_age
 *   block         workqueue   new      file     pull, explicit acks     max_bytes, max_msgs
 *
 * Interest retention with consumers that ack nothing removes a message once it is delivered, so
 * the stream holds exactly the backlog a ring would: its limits bound the backlog, not history.
 * A block edge keeps every message on disk until its consumer acknowledges it, across consumer
 * and server restarts. Every consuming partition has its own durable consumer ("p<n>"), filtered
 * to its subjects.
 */
import type { NatsConnection } from '@nats-io/transport-node';
import {
  AckPolicy,
  type ConsumerConfig,
  DeliverPolicy,
  DiscardPolicy,
  type JetStreamManager,
  jetstreamManager,
  RetentionPolicy,
  type StreamConfig,
  StorageType,
} from '@nats-io/jetstream';
import { maxMessageBytes, type NatsEdgeSpec } from './edge-spec.js';
import { NatsEdgeError } from './errors.js';
import { consumerName, edgeSubjects, partitionFilter, streamName } from './subjects.js';

const nanos = (ms: number): number => Math.round(ms * 1e6);

/** How long a delivered, unacknowledged message of a block edge waits before redelivery. */
export const BLOCK_ACK_WAIT_MS = 30_000;
/** Unacknowledged messages a block edge's consumer may hold. */
export const BLOCK_MAX_ACK_PENDING = 4096;

/**
 * JetStream refuses a stream `max_age` under 100 ms. A shorter edge bound is kept at 100 ms on
 * the server; the consumer still expires perishable records at the edge's own bound.
 */
export const MIN_STREAM_MAX_AGE_MS = 100;

export function streamConfig(spec: NatsEdgeSpec): Partial<StreamConfig> & { name: string } {
  const block = spec.policy === 'block';
  return {
    name: streamName(spec.prefix, spec.edge),
    subjects: [edgeSubjects(spec.prefix, spec.edge)],
    retention: block ? RetentionPolicy.Workqueue : RetentionPolicy.Interest,
    discard: spec.policy === 'drop-oldest' ? DiscardPolicy.Old : DiscardPolicy.New,
    storage: block ? StorageType.File : StorageType.Memory,
    max_bytes: spec.maxBytes,
    max_msgs: spec.maxMsgs,
    max_age: block || spec.maxAgeMs <= 0 ? 0 : nanos(Math.max(spec.maxAgeMs, MIN_STREAM_MAX_AGE_MS)),
    max_msg_size: maxMessageBytes(spec),
    num_replicas: 1,
  };
}

export function consumerConfig(spec: NatsEdgeSpec, partition: number): Partial<ConsumerConfig> {
  const block = spec.policy === 'block';
  return {
    durable_name: consumerName(partition),
    filter_subject: partitionFilter(spec.prefix, spec.edge, partition),
    deliver_policy: DeliverPolicy.All,
    ack_policy: block ? AckPolicy.Explicit : AckPolicy.None,
    ...(block ? { ack_wait: nanos(BLOCK_ACK_WAIT_MS), max_ack_pending: BLOCK_MAX_ACK_PENDING } : {}),
  };
}

/** Fields a running stream must match; the rest (limits) are updated in place. */
const FIXED = ['retention', 'storage'] as const;
const UPDATABLE = ['discard', 'max_bytes', 'max_msgs', 'max_age', 'max_msg_size', 'subjects'] as const;

/** How long set-up calls keep retrying while the server is unreachable or still starting. */
export const SETUP_RETRY_MS = 20_000;

/**
 * Runs a JetStream API call, retrying while the server cannot answer (a request sent during a
 * reconnection times out; JetStream answers "no responders" while it starts). Other errors
 * (a refused configuration) are thrown at once.
 */
export async function retrying<T>(call: () => Promise<T>, timeoutMs = SETUP_RETRY_MS): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await call();
    } catch (err) {
      if (!isTransient(err) || Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/**
 * Creates the edge's stream and its partitions' durable consumers, or checks and updates them
 * when they exist. Throws ERR_NATS_STREAM naming the field when an existing stream cannot take
 * this edge's configuration (another retention or storage).
 */
export async function ensureEdgeStream(nc: NatsConnection, spec: NatsEdgeSpec, jsm?: JetStreamManager): Promise<void> {
  await retrying(() => setUp(nc, spec, jsm));
}

async function setUp(nc: NatsConnection, spec: NatsEdgeSpec, jsm?: JetStreamManager): Promise<void> {
  const m = jsm ?? (await jetstreamManager(nc, { timeout: 2000 }));
  const want = streamConfig(spec);
  let have: StreamConfig | null = null;
  try {
    have = (await m.streams.info(want.name)).config;
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
  try {
    if (have === null) await m.streams.add(want);
    else {
      for (const f of FIXED) {
        if (have[f] !== want[f]) {
          throw new NatsEdgeError(
            'ERR_NATS_STREAM',
            `stream ${want.name} exists with ${f} ${String(have[f])}, edge ${spec.edge} (policy ${spec.policy}) needs ${String(want[f])}; delete the stream or rename the prefix`,
          );
        }
      }
      if (UPDATABLE.some((f) => JSON.stringify(have?.[f]) !== JSON.stringify(want[f])))
        await m.streams.update(want.name, { ...have, ...want });
    }
  } catch (err) {
    throw err instanceof NatsEdgeError || isTransient(err) ? err : streamError(want.name, err);
  }
  for (let p = 0; p < spec.partitions; p++) {
    const cfg = consumerConfig(spec, p);
    try {
      await m.consumers.add(want.name, cfg);
    } catch (err) {
      if (isTransient(err)) throw err;
      throw new NatsEdgeError('ERR_NATS_STREAM', `consumer ${cfg.durable_name} on stream ${want.name}: ${errText(err)}`);
    }
  }
}

const TRANSIENT = /timeout|no responders|503|disconnect|closed|reconnect/i;

/**
 * Empties a lossy edge's stream (what an earlier run left waiting in it is stale market data);
 * a block edge's records are kept: they are owed to its consumer across restarts. Returns the
 * messages removed.
 */
export async function purgeLossyStream(nc: NatsConnection, spec: NatsEdgeSpec): Promise<number> {
  if (spec.policy === 'block') return 0;
  return retrying(
    async () => (await (await jetstreamManager(nc, { timeout: 2000 })).streams.purge(streamName(spec.prefix, spec.edge))).purged,
  );
}

/**
 * Deletes an edge's stream and its consumers (a run that made edges of its own, such as a
 * benchmark, gives their memory back to the server). True if there was one.
 */
export async function deleteEdgeStream(nc: NatsConnection, spec: NatsEdgeSpec): Promise<boolean> {
  const jsm = await jetstreamManager(nc, { timeout: 2000 });
  try {
    return await jsm.streams.delete(streamName(spec.prefix, spec.edge));
  } catch (err) {
    if (isNotFound(err)) return false;
    throw streamError(streamName(spec.prefix, spec.edge), err);
  }
}

function isTransient(err: unknown): boolean {
  return TRANSIENT.test(errText(err));
}

function isNotFound(err: unknown): boolean {
  return /not found/i.test(errText(err));
}

function errText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function streamError(name: string, err: unknown): NatsEdgeError {
  return new NatsEdgeError('ERR_NATS_STREAM', `stream ${name}: ${errText(err)}`);
}
