/**
 * Who may call what: a bearer token compared in constant time, a Host check against DNS
 * rebinding when bound to loopback, and same-origin rules for browser writes (Origin and
 * Sec-Fetch-Site; JSON bodies only, so a cross-site form post cannot reach a handler). The token
 * never appears in logs: request logging in this package records method, route and status only.
 */

import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { DashboardError } from './errors.js';

export function generateToken(): string {
  return randomBytes(24).toString('base64url');
}

/** Constant-time comparison of a presented token with the expected one (hash first: equal lengths). */
export function tokenMatches(presented: string, expected: string): boolean {
  const a = createHash('sha256').update(presented).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

export function bearerOf(req: IncomingMessage): string | null {
  const h = req.headers.authorization;
  if (typeof h !== 'string') return null;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(h);
  return m ? (m[1] as string) : null;
}

export function requireToken(req: IncomingMessage, token: string): void {
  const presented = bearerOf(req);
  if (presented === null || !tokenMatches(presented, token))
    throw new DashboardError('TKL_DASH_ERR_UNAUTHORIZED', 'a valid bearer token is required (Authorization: Bearer <token>)');
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

export function isLoopback(host: string): boolean {
  return LOOPBACK_HOSTS.has(host) || host.startsWith('127.');
}

function hostnameOf(hostHeader: string): string {
  if (hostHeader.startsWith('[')) return hostHeader.slice(0, hostHeader.indexOf(']') + 1);
  const i = hostHeader.lastIndexOf(':');
  return i < 0 ? hostHeader : hostHeader.slice(0, i);
}

/**
 * A server bound to loopback answers only requests addressed to a loopback name: a page on
 * another site that rebinds its DNS name to 127.0.0.1 sends its own Host and is refused.
 */
export function checkHost(req: IncomingMessage, boundHost: string): void {
  if (!isLoopback(boundHost)) return;
  const h = req.headers.host;
  if (typeof h !== 'string' || !isLoopback(hostnameOf(h)))
    throw new DashboardError(
      'TKL_DASH_ERR_BAD_HOST',
      'Host must be a loopback name (127.0.0.1, localhost, [::1]) on a loopback-bound dashboard',
    );
}

/** Browser requests from another origin are refused; non-browser clients send neither header. */
export function checkSameOrigin(req: IncomingMessage): void {
  const site = req.headers['sec-fetch-site'];
  if (typeof site === 'string' && site !== 'same-origin' && site !== 'none')
    throw new DashboardError('TKL_DASH_ERR_FORBIDDEN_ORIGIN', `cross-origin requests are refused (Sec-Fetch-Site: ${site})`);
  const origin = req.headers.origin;
  if (typeof origin === 'string' && origin !== 'null') {
    let host: string;
    try {
      host = new URL(origin).host;
    } catch {
      throw new DashboardError('TKL_DASH_ERR_FORBIDDEN_ORIGIN', 'Origin is not a valid URL');
    }
    if (host !== req.headers.host)
      throw new DashboardError('TKL_DASH_ERR_FORBIDDEN_ORIGIN', 'cross-origin requests are refused (Origin does not match Host)');
  } else if (origin === 'null') {
    throw new DashboardError('TKL_DASH_ERR_FORBIDDEN_ORIGIN', 'requests from an opaque origin are refused');
  }
}

export function requireJson(req: IncomingMessage): void {
  const ct = req.headers['content-type'];
  if (typeof ct !== 'string' || !/^application\/json\s*(;|$)/i.test(ct))
    throw new DashboardError('TKL_DASH_ERR_CONTENT_TYPE', 'Content-Type must be application/json');
}
