/** Every error the venue emulator raises, in one table; callers match on the stable `code`. */

export const EMULATOR_ERROR_CODES = {
  ERR_EMULATOR_INVALID_OPTIONS: 'invalid emulator options',
  ERR_EMULATOR_UNSUPPORTED_VENUE: 'venue not emulated',
  ERR_EMULATOR_FILE: 'file cannot be served',
} as const;

export type EmulatorErrorCode = keyof typeof EMULATOR_ERROR_CODES;

export class EmulatorError extends Error {
  readonly code: EmulatorErrorCode;
  constructor(code: EmulatorErrorCode, message: string) {
    super(`${EMULATOR_ERROR_CODES[code]}: ${message}`);
    this.name = 'EmulatorError';
    this.code = code;
  }
}
