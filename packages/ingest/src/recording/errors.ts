/** Errors of the recording package, each with a stable `code`. */

export const RECORDING_ERROR_CODES = [
  'ERR_RECORDING_INVALID_ARGUMENT',
  'ERR_RECORDING_NOT_A_RECORDING',
  'ERR_RECORDING_UNSUPPORTED_VERSION',
  'ERR_RECORDING_BAD_HEADER',
  'ERR_RECORDING_CLOSED',
  'ERR_RECORDING_WRITE',
  'ERR_RECORDING_FRAME_TOO_LARGE',
  'ERR_REPLAY_UNKNOWN_FORMAT',
] as const;

export type RecordingErrorCode = (typeof RECORDING_ERROR_CODES)[number];

export class RecordingError extends Error {
  readonly code: RecordingErrorCode;
  constructor(code: RecordingErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RecordingError';
    this.code = code;
  }
}
