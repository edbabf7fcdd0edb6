/**
 * The two ends of an edge as the runtime uses them, whatever carries the records: a ring
 * (RingProducer / RingConsumer) or another transport (the NATS edge in @tickline/nats). The
 * ring classes satisfy these shapes as they are; nothing on the ring's path changes.
 */
import type { DropHandler, RecordHandler } from './ring-buffer.js';

/** Where a stage's emitter writes records: reserve, write the payload in `data`, flush per batch. */
export interface RecordWriter {
  /** The buffer the last reserve() placed its record in (read it after each reserve). */
  readonly data: Uint8Array;
  reserve(length: number, kind: number, originMs?: number): number;
  tryReserve(length: number, kind: number, originMs?: number): number;
  flush(): void;
  /** Age (ms) of the oldest record the consumer has not taken, as far as this end can tell. */
  backlogMs(nowMs: number): number;
  /** Grows while the consumer takes records (free-running). */
  readonly consumed: number;
}

/** Where a worker reads records from: poll in batches, park when empty. */
export interface RecordSource {
  /** The buffer records are delivered in (constant for the source's life). */
  readonly data: Uint8Array;
  /** Epoch ms of the last poll that found records. */
  readonly polledAt: number;
  /** Something to poll (bytes or records; 0 when empty). */
  readonly available: number;
  /** Records still on their way to this end beyond `available` (a stream's backlog); a drain waits for them too. */
  readonly backlog?: number;
  /**
   * Asks where the records are kept (a stream's server) whether any is still waiting for this end;
   * false when it cannot tell. A drain that sees nothing locally confirms with it.
   */
  drained?(): Promise<boolean>;
  poll(onRecord: RecordHandler, onDrop: DropHandler, max?: number, onExpired?: (enqMs: number) => void): number;
  /** Counts a record the caller found corrupt after it was delivered. */
  countCorrupt(n?: number): void;
  prepareToPark(): boolean;
  unpark(): void;
}
