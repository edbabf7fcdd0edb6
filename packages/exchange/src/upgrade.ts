import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { credentials } from './http-util.js';
import { ACCOUNT_RE } from './options.js';
import type { ExchangeHost } from './host.js';

/**
 * WebSocket upgrade on /v1/stream: applies the connection faults (refuse, 429 with Retry-After) and
 * the account token check, then hands the socket to the server.
 */
export function onUpgrade(server: ExchangeHost, req: IncomingMessage, socket: Duplex, head: Buffer): undefined {
  const now = Date.now();
  const url = new URL(req.url ?? '/', 'http://localhost');
  const reply = (status: string, body: object, headers = ''): undefined => {
    const text = JSON.stringify(body);
    socket.end(
      `HTTP/1.1 ${status}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(text)}\r\n${headers}Connection: close\r\n\r\n${text}`,
    );
  };
  if (server.closing) return void socket.destroy();
  if (url.pathname !== '/v1/stream') {
    return reply('404 Not Found', { error: { code: 'not_found', message: 'WebSocket endpoint is /v1/stream' } });
  }
  if (now < server.faults.refuseUntil) {
    server.faults.record({ kind: 'refuse', ts: now });
    return void socket.destroy();
  }
  const lim = server.faults.config.upgradeLimit;
  if (lim !== null) {
    const wait = server.upgradeLimiter.hit(lim, now);
    if (wait > 0) {
      server.faults.record({ kind: 'upgrade_429', ts: now });
      return reply(
        '429 Too Many Requests',
        { error: { code: 'rate_limited', message: 'too many connection attempts', retryAfterMs: wait } },
        `Retry-After: ${Math.ceil(wait / 1000)}\r\n`,
      );
    }
  }
  const { account, token } = credentials(req, url);
  if (!ACCOUNT_RE.test(account)) {
    return reply('400 Bad Request', {
      error: { code: 'bad_request', message: `account must match ${ACCOUNT_RE}`, field: 'account' },
    });
  }
  const need = server.options.tokens[account];
  if (need !== undefined && token !== need) {
    return reply('401 Unauthorized', {
      error: { code: 'unauthorized', message: `account '${account}' needs its token` },
    });
  }
  server.wss.handleUpgrade(req, socket, head, (ws) => server.acceptConnection(ws, socket, account));
}
