/**
 * Every error the dashboard answers with, in one table. Each has a stable code, an HTTP status
 * and a bounded `reason` label for the rejection counter; messages name the field and the
 * allowed values so an operator can fix the request without reading code.
 */

export const DASH_ERRORS = {
  TKL_DASH_ERR_UNAUTHORIZED: { status: 401, reason: 'unauthorized' },
  TKL_DASH_ERR_FORBIDDEN_ORIGIN: { status: 403, reason: 'cross_origin' },
  TKL_DASH_ERR_BAD_HOST: { status: 421, reason: 'bad_host' },
  TKL_DASH_ERR_NOT_FOUND: { status: 404, reason: 'not_found' },
  TKL_DASH_ERR_METHOD: { status: 405, reason: 'method' },
  TKL_DASH_ERR_CONTENT_TYPE: { status: 415, reason: 'content_type' },
  TKL_DASH_ERR_BODY_TOO_LARGE: { status: 413, reason: 'body_too_large' },
  TKL_DASH_ERR_BAD_JSON: { status: 400, reason: 'bad_json' },
  TKL_DASH_ERR_BAD_FIELD: { status: 400, reason: 'bad_field' },
  TKL_DASH_ERR_UNKNOWN_INSTRUMENT: { status: 404, reason: 'unknown_instrument' },
  TKL_DASH_ERR_COMMAND_FAILED: { status: 502, reason: 'command_failed' },
  TKL_DASH_ERR_INTERNAL: { status: 500, reason: 'internal' },
} as const;

export type DashErrorCode = keyof typeof DASH_ERRORS;

/** An error that becomes a JSON answer: `{ error: { code, message, field?, allowed? } }`. */
export class DashboardError extends Error {
  readonly code: DashErrorCode;
  readonly status: number;
  readonly field: string | undefined;
  readonly allowed: string | undefined;

  constructor(code: DashErrorCode, message: string, detail: { field?: string; allowed?: string } = {}) {
    super(message);
    this.name = 'DashboardError';
    this.code = code;
    this.status = DASH_ERRORS[code].status;
    this.field = detail.field;
    this.allowed = detail.allowed;
  }

  get reason(): string {
    return DASH_ERRORS[this.code].reason;
  }

  toJSON(): { error: { code: string; message: string; field?: string; allowed?: string } } {
    return {
      error: {
        code: this.code,
        message: this.message,
        ...(this.field === undefined ? {} : { field: this.field }),
        ...(this.allowed === undefined ? {} : { allowed: this.allowed }),
      },
    };
  }
}

/** A request field is missing or has a value outside the allowed set. */
export function badField(field: string, allowed: string, got: unknown): DashboardError {
  let shown: string | undefined;
  try {
    shown = got === undefined ? 'nothing' : JSON.stringify(got)?.slice(0, 80);
  } catch {
    // a value nested deeper than the stack (a hostile body) cannot be shown, only described
    shown = `${Array.isArray(got) ? 'an array' : typeof got} nested too deeply to show`;
  }
  return new DashboardError('TKL_DASH_ERR_BAD_FIELD', `${field} must be ${allowed}, got ${shown}`, { field, allowed });
}
