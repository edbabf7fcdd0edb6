/**
 * What a NATS edge is: the ring options an edge has (policy, max age, capacity), plus where the
 * server is and how many partitions consume it. A plain object, structured-cloneable, so the
 * supervisor can hand it to the workers that hold the two ends.
 *
 * Message layout: a message carries one or more records back to back (up to `batch` records and
 * BATCH_BYTES, records of one producer flush, in order), each at an 8-byte aligned offset:
 *
 *   uint32  magic      0x4e4c4b54 ("TKLN" little-endian): anything else is not ours
 *   int32   length     payload bytes; the next record starts at the next multiple of 8 after it
 *   int32   kind       the record's kind (its Body type), as on a ring
 *   uint32  producer   random id of the producing end (one per upstream partition and start)
 *   float64 enq        epoch ms the producer's batch began (queueing delay = poll time - enq)
 *   float64 origin     epoch ms the record's data was born (its age; +Infinity: ageless)
 *   float64 seq        the producer's record number, 1, 2, 3...: a hole is a lost record
 *   payload            `length` bytes (a FlatBuffer record, verified before anyone reads it)
 *
 * The last record ends the message (no padding after it). A message whose records are all about
 * one instrument goes on that instrument's subject, any other on `.all`: with `batch: 1` every
 * record is a message on its own instrument's subject, so subscribers can filter by instrument.
 */
import type { OverflowPolicy } from '@tickline/ring';
import { checkPrefix, edgeToken } from './subjects.js';

export const NATS_HEADER_BYTES = 40;
export const NATS_MAGIC = 0x4e4c4b54;
/** Where a record that ends at `n` lets the next one start: records sit at 8-byte aligned offsets. */
export const pad8 = (n: number): number => (n + 7) & ~7;

/** Epoch ms with sub-ms precision: the clock of the records' enq and origin fields. */
export const nowMs = (): number => performance.timeOrigin + performance.now();

/** A message of several records stays within this many bytes (one larger record goes alone). */
export const BATCH_BYTES = 64 * 1024;

export interface NatsEdgeOptions {
  /** Server URL(s), e.g. "nats://127.0.0.1:4222". */
  readonly url: string;
  /** Edge name as the runtime spells it, e.g. "book->signals". */
  readonly edge: string;
  /** First subject token and stream name prefix; default "tickline". */
  readonly prefix?: string;
  /** The ring policy this edge keeps; default "drop-newest" (as a ring's). */
  readonly policy?: OverflowPolicy;
  /** A record older than this (origin time) is dropped as stale; also the stream's max_age. 0: none. */
  readonly maxAgeMs?: number;
  /** Kinds maxAgeMs applies to at the consumer; default every kind. */
  readonly maxAgeKinds?: readonly number[] | null;
  /** Stream max_bytes: what the rings of this edge would hold together. */
  readonly maxBytes: number;
  /** Stream max_msgs; -1 (default) bounds by bytes only. */
  readonly maxMsgs?: number;
  /** Largest record payload; default 1 MiB minus the header (the server's default max_payload). */
  readonly maxRecordBytes?: number;
  /** Partitions of the consuming stage (one durable consumer each); default 1. */
  readonly partitions?: number;
  /** Block policy: a record refused for this long (stream full) is dropped, counted. Default: never. */
  readonly blockTimeoutMs?: number;
  /**
   * Records per message at most (of one flush, within BATCH_BYTES); default 64. 1: one message
   * per record, on its instrument's subject.
   */
  readonly batch?: number;
}

export interface NatsEdgeSpec {
  readonly url: string;
  readonly edge: string;
  readonly prefix: string;
  readonly policy: OverflowPolicy;
  readonly maxAgeMs: number;
  readonly maxAgeKinds: readonly number[] | null;
  readonly maxBytes: number;
  readonly maxMsgs: number;
  readonly maxRecordBytes: number;
  readonly partitions: number;
  readonly blockTimeoutMs: number;
  readonly batch: number;
}

const POLICIES: readonly OverflowPolicy[] = ['drop-oldest', 'drop-newest', 'block'];
const MAX_PAYLOAD = 1024 * 1024;

/** Validates options (each problem names its option) and fills the defaults. */
export function natsEdgeSpec(options: NatsEdgeOptions): NatsEdgeSpec {
  if (options === null || typeof options !== 'object') throw new TypeError('options must be an object');
  const {
    url,
    edge,
    prefix = 'tickline',
    policy = 'drop-newest',
    maxAgeMs = 0,
    maxAgeKinds = null,
    maxBytes,
    maxMsgs = -1,
    maxRecordBytes = MAX_PAYLOAD - NATS_HEADER_BYTES,
    partitions = 1,
    blockTimeoutMs = Number.POSITIVE_INFINITY,
    batch = 64,
  } = options;
  if (typeof url !== 'string' || !/^(nats|tls|ws|wss):\/\/\S+$/.test(url)) {
    throw new TypeError(`options.url must be a NATS URL like nats://127.0.0.1:4222, got ${JSON.stringify(url)}`);
  }
  edgeToken(edge);
  checkPrefix(prefix, 'options.prefix');
  if (!POLICIES.includes(policy)) throw new TypeError(`options.policy must be one of ${POLICIES.join(', ')}, got ${String(policy)}`);
  if (typeof maxAgeMs !== 'number' || !Number.isFinite(maxAgeMs) || maxAgeMs < 0) {
    throw new RangeError(`options.maxAgeMs must be a finite number >= 0, got ${String(maxAgeMs)}`);
  }
  if (maxAgeKinds !== null && !(Array.isArray(maxAgeKinds) && maxAgeKinds.every((k) => Number.isInteger(k) && k >= 0 && k < 256))) {
    throw new TypeError('options.maxAgeKinds must be null or an array of record kinds (integers from 0 to 255)');
  }
  if (!Number.isInteger(maxBytes) || maxBytes < 1024)
    throw new RangeError(`options.maxBytes must be an integer >= 1024, got ${String(maxBytes)}`);
  if (!Number.isInteger(maxMsgs) || (maxMsgs < 1 && maxMsgs !== -1)) {
    throw new RangeError(`options.maxMsgs must be a positive integer or -1 (no count limit), got ${String(maxMsgs)}`);
  }
  if (!Number.isInteger(maxRecordBytes) || maxRecordBytes < 8 || maxRecordBytes > MAX_PAYLOAD - NATS_HEADER_BYTES) {
    throw new RangeError(
      `options.maxRecordBytes must be an integer from 8 to ${MAX_PAYLOAD - NATS_HEADER_BYTES}, got ${String(maxRecordBytes)}`,
    );
  }
  if (!Number.isInteger(partitions) || partitions < 1 || partitions > 1024) {
    throw new RangeError(`options.partitions must be an integer from 1 to 1024, got ${String(partitions)}`);
  }
  if (!(typeof blockTimeoutMs === 'number' && blockTimeoutMs > 0)) {
    throw new RangeError(`options.blockTimeoutMs must be > 0, got ${String(blockTimeoutMs)}`);
  }
  if (!Number.isInteger(batch) || batch < 1 || batch > 4096) {
    throw new RangeError(`options.batch must be an integer from 1 to 4096 (records per message), got ${String(batch)}`);
  }
  return {
    url,
    edge,
    prefix,
    policy,
    maxAgeMs,
    maxAgeKinds: maxAgeKinds === null ? null : [...maxAgeKinds],
    maxBytes,
    maxMsgs,
    maxRecordBytes,
    partitions,
    blockTimeoutMs,
    batch,
  };
}

/**
 * The largest message of the edge: one record of maxRecordBytes, or a batch of records within
 * BATCH_BYTES. Also the stream's max_msg_size.
 */
export function maxMessageBytes(spec: NatsEdgeSpec): number {
  const one = NATS_HEADER_BYTES + spec.maxRecordBytes;
  return spec.batch > 1 ? Math.max(BATCH_BYTES, one) : one;
}

/** Checks that `partition` is one of the edge's consuming partitions. */
export function checkPartition(spec: NatsEdgeSpec, partition: number): void {
  if (!Number.isInteger(partition) || partition < 0 || partition >= spec.partitions) {
    throw new RangeError(`partition must be an integer from 0 to ${spec.partitions - 1}, got ${String(partition)}`);
  }
}
