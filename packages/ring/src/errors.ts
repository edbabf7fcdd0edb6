/** Every error the ring package throws, made in one place, each with a stable `code`. */

export type DropReason = 'drop-oldest' | 'drop-newest' | 'stale' | 'corrupt';
export const DROP_REASONS: readonly DropReason[] = ['drop-oldest', 'drop-newest', 'stale', 'corrupt'];

export class RingError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = 'RingError';
    this.code = code;
  }
}

export const ringErrors = {
  recordTooLarge: (ring: string, length: number, max: number) =>
    new RingError(
      'TKL_ERR_RING_RECORD_TOO_LARGE',
      `ring ${ring}: record of ${length} bytes exceeds the maximum of ${max} bytes (half the ring's capacity)`,
    ),
};
