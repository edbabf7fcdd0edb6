export { NatsEdgeConsumer, type NatsConsumerOptions } from './consumer.js';
export { createConsumerStats, type NatsConsumerCounters, readConsumerStats } from './consumer-stats.js';
export {
  BATCH_BYTES,
  maxMessageBytes,
  NATS_HEADER_BYTES,
  NATS_MAGIC,
  type NatsEdgeOptions,
  type NatsEdgeSpec,
  natsEdgeSpec,
} from './edge-spec.js';
export { NATS_ERROR_CODES, NATS_SERVER_INSTALL_HINT, type NatsErrorCode, NatsEdgeError } from './errors.js';
export { NatsEdgeProducer, type NatsProducerCounters, type NatsProducerOptions, type RecordKeyFn } from './producer.js';
export { findNatsServer, freePort, type NatsServer, type NatsServerOptions, startNatsServer } from './server.js';
export { BLOCK_ACK_WAIT_MS, consumerConfig, deleteEdgeStream, ensureEdgeStream, purgeLossyStream, streamConfig } from './stream.js';
export { consumerName, edgeSubjects, edgeToken, partitionFilter, recordSubject, streamName } from './subjects.js';
