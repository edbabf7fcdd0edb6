/** One recorded frame, in the shape the normalize core takes. */
export interface ReplayFrame {
  /** 0 WsText (a received WebSocket message), 2 RestResponse (a REST body). */
  readonly kind: 0 | 2;
  /** For REST responses: the request path and query (`/api/v3/depth?symbol=X&limit=1000`); else null. */
  readonly context: string | null;
  /** Receive time: whole seconds since the epoch and nanoseconds within the second. */
  readonly recvS: number;
  readonly recvNs: number;
  /** The message body (UTF-8 JSON as recorded). */
  readonly bytes: Uint8Array;
}

/** A line a reader skipped: where it was and why. */
export interface BadLine {
  readonly file: string;
  /** 1-based line number. */
  readonly line: number;
  /** Byte offset of the line start (in the decompressed stream for gzip files). */
  readonly offset: number;
  readonly reason: string;
}

export interface ReplayOptions {
  /** Called for every skipped line (bad format, bad time); the reader goes on. */
  readonly onBadLine?: (bad: BadLine) => void;
}
