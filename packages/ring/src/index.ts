export {
  createDoorbell,
  createRing,
  DOORBELL_BYTES,
  type DropHandler,
  maxRecordBytes,
  type OverflowPolicy,
  type ProducerOptions,
  RECORD_HEADER_BYTES,
  readCounters,
  type RecordHandler,
  type RingCounters,
  RingConsumer,
  type RingHandle,
  type RingOptions,
  RingProducer,
} from './ring-buffer.js';
export type { RecordSource, RecordWriter } from './edge-ends.js';
export { DROP_REASONS, type DropReason, RingError } from './errors.js';
