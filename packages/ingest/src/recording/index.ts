/** Recording and replay of raw venue frames (docs/recording.md). */

export { compressBlock, decompressBlock } from './codec.js';
export { RECORDING_ERROR_CODES, RecordingError, type RecordingErrorCode } from './errors.js';
export {
  BLOCK_HEADER_BYTES,
  type Codec,
  CODECS,
  FILE_MAGIC,
  FORMAT_VERSION,
  type RecordedFrame,
  type RecordingHeader,
} from './format.js';
export {
  detectFormat,
  openReplayInput,
  REPLAY_FORMATS,
  type ReplayFormat,
  type ReplayInput,
  type ReplayInputOptions,
  type ReplayInputReport,
} from './input.js';
export { type DamagedSpan, openRecording, RecordingReader, type RecordingReport } from './reader.js';
export { type ReplaySourceConfig, type ReplaySpeed, type ResolvedReplayConfig, resolveReplayConfig } from './replay-config.js';
export { createReplayStage, ReplaySource, type ReplayStatus } from './replay-source.js';
export { DEFAULT_CODEC, RecordingWriter, type RecordingWriterOptions, type RecordingWriterStats } from './writer.js';
