import type { IncomingMessage, ServerResponse } from 'node:http';
import { type ErrorCode, httpStatusFor } from './errors.js';

export function sendJson(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

export function sendError(res: ServerResponse, code: ErrorCode, message: string, field?: string, headers?: Record<string, string>): void {
  const error: Record<string, string> = { code, message };
  if (field !== undefined) error.field = field;
  const body = JSON.stringify({ error });
  res.writeHead(httpStatusFor(code), {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
    ...headers,
  });
  res.end(body);
}

/** Reads a JSON body of at most `limit` bytes; resolves undefined after answering the error itself. */
export function readJsonBody(req: IncomingMessage, res: ServerResponse, limit: number): Promise<unknown> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    req.on('data', (c: Buffer) => {
      if (done) return;
      size += c.length;
      if (size > limit) {
        done = true;
        sendError(res, 'payload_too_large', `request body exceeds ${limit} bytes`);
        req.resume();
        resolve(undefined);
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      if (done) return;
      done = true;
      const text = Buffer.concat(chunks).toString('utf8');
      try {
        resolve(text.length === 0 ? {} : (JSON.parse(text) as unknown));
      } catch {
        sendError(res, 'bad_json', 'request body is not valid JSON', 'body');
        resolve(undefined);
      }
    });
    req.on('error', () => {
      done = true;
      resolve(undefined);
    });
  });
}

/** Account and token from a query string or an `Authorization: Bearer` header. */
export function credentials(req: IncomingMessage, url: URL): { account: string; token: string | undefined } {
  const auth = req.headers.authorization;
  const bearer = auth?.startsWith('Bearer ') === true ? auth.slice(7) : undefined;
  return { account: url.searchParams.get('account') ?? 'default', token: url.searchParams.get('token') ?? bearer };
}
