/**
 * A small router over node:http. Routes are registered by plugins (`routes/*.ts`), each with its
 * access rule; the router applies the rules in one place so no handler can forget them:
 * - every request: Host check (loopback-bound servers answer loopback names only);
 * - `token` routes: bearer token;
 * - writes (POST): same-origin, JSON content type, bearer token, bounded body.
 * Errors become JSON `{ error: { code, message, field?, allowed? } }` and are counted by reason.
 */

import type { IncomingMessage, ServerResponse } from 'node:http';
import { checkHost, checkSameOrigin, requireJson, requireToken } from './auth.js';
import { DashboardError } from './errors.js';

export interface Request {
  readonly raw: IncomingMessage;
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  /** The parsed JSON body (POST only). */
  readonly body: unknown;
}

export interface Reply {
  status?: number;
  json?: unknown;
  body?: string | Buffer;
  type?: string;
  headers?: Record<string, string>;
}

export type Access = 'public' | 'token';

export interface Route {
  readonly method: 'GET' | 'POST';
  /** Literal segments and `:name` parameters, e.g. `/api/book/:symbol`. */
  readonly path: string;
  readonly access: Access;
  handler(req: Request): Reply | Promise<Reply>;
}

export interface RouterOptions {
  readonly host: string;
  readonly token: string;
  readonly maxBodyBytes: number;
  /** Called once per refused or failed request with its bounded reason. */
  readonly onReject: (reason: string) => void;
  readonly onError: (err: unknown, route: string) => void;
}

interface Compiled {
  route: Route;
  segments: string[];
}

const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
};

export class Router {
  readonly #routes: Compiled[] = [];
  readonly #opts: RouterOptions;

  constructor(opts: RouterOptions) {
    this.#opts = opts;
  }

  add(route: Route): void {
    this.#routes.push({ route, segments: route.path.split('/').filter(Boolean) });
  }

  /** Plugins register their routes through this. */
  register(plugin: (router: Router) => void): this {
    plugin(this);
    return this;
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://local');
    let label = 'unmatched';
    try {
      checkHost(req, this.#opts.host);
      const { compiled, params, pathMatched } = this.#match(req.method ?? 'GET', url.pathname);
      if (!compiled) {
        if (pathMatched) throw new DashboardError('TKL_DASH_ERR_METHOD', `${req.method} is not allowed here`);
        throw new DashboardError('TKL_DASH_ERR_NOT_FOUND', `no route for ${url.pathname.slice(0, 100)}`);
      }
      const { route } = compiled;
      label = `${route.method} ${route.path}`;
      let body: unknown;
      if (route.method === 'POST') {
        checkSameOrigin(req);
        requireJson(req);
        requireToken(req, this.#opts.token);
        body = await this.#readJson(req);
      } else if (route.access === 'token') {
        requireToken(req, this.#opts.token);
      }
      const reply = await route.handler({ raw: req, params, query: url.searchParams, body });
      send(res, reply);
    } catch (err) {
      const e = err instanceof DashboardError ? err : new DashboardError('TKL_DASH_ERR_INTERNAL', 'internal error');
      if (!(err instanceof DashboardError)) this.#opts.onError(err, label);
      this.#opts.onReject(e.reason);
      const headers: Record<string, string> = {};
      if (e.status === 401) headers['www-authenticate'] = 'Bearer';
      // a body refused before it was read (too large, no token) leaves bytes on the socket: the
      // connection ends with this answer, so a client does not reuse it for its next request
      if (!req.complete) headers.connection = 'close';
      send(res, { status: e.status, json: e.toJSON(), headers });
    }
  }

  #match(method: string, pathname: string): { compiled: Compiled | null; params: Record<string, string>; pathMatched: boolean } {
    const parts = pathname.split('/').filter(Boolean);
    let pathMatched = false;
    for (const c of this.#routes) {
      const params = matchSegments(c.segments, parts);
      if (params === null) continue;
      pathMatched = true;
      if (c.route.method === method || (method === 'HEAD' && c.route.method === 'GET')) return { compiled: c, params, pathMatched };
    }
    return { compiled: null, params: {}, pathMatched };
  }

  async #readJson(req: IncomingMessage): Promise<unknown> {
    const max = this.#opts.maxBodyBytes;
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > max) throw new DashboardError('TKL_DASH_ERR_BODY_TOO_LARGE', `request body must be at most ${max} bytes`);
      chunks.push(chunk as Buffer);
    }
    const text = Buffer.concat(chunks).toString('utf8');
    if (text.trim() === '') return {};
    try {
      return JSON.parse(text);
    } catch {
      throw new DashboardError('TKL_DASH_ERR_BAD_JSON', 'request body is not valid JSON');
    }
  }
}

function matchSegments(pattern: string[], parts: string[]): Record<string, string> | null {
  if (pattern.length !== parts.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i] as string;
    const v = parts[i] as string;
    if (p.startsWith(':')) {
      try {
        params[p.slice(1)] = decodeURIComponent(v);
      } catch {
        return null;
      }
    } else if (p !== v) return null;
  }
  return params;
}

export function send(res: ServerResponse, reply: Reply): void {
  const headers: Record<string, string> = { ...SECURITY_HEADERS, ...reply.headers };
  let payload: string | Buffer;
  if (reply.json !== undefined) {
    payload = JSON.stringify(reply.json);
    headers['content-type'] = 'application/json; charset=utf-8';
  } else {
    payload = reply.body ?? '';
    headers['content-type'] = reply.type ?? 'text/plain; charset=utf-8';
  }
  headers['content-length'] = String(Buffer.byteLength(payload));
  res.writeHead(reply.status ?? 200, headers);
  res.end(res.req.method === 'HEAD' ? undefined : payload);
}
