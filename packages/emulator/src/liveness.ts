/**
 * What the emulator does on its own clock, every tick: the venue's heartbeats, the malformed-frame
 * fault, the venue's connection age limit, and its server pings (a connection that did not answer
 * the previous ping is closed).
 */

import type { EmulatorConnection } from './connection.js';
import type { EmulatorHost } from './host.js';

const MALFORMED = ['{"truncated":', '\u0000\u0001garbage', 'not json at all', '[1,2,'];
const lastPing = new WeakMap<EmulatorHost, number>();

export function tickConnections(server: EmulatorHost, conns: ReadonlySet<EmulatorConnection>, now: number): void {
  const { options, venue, faults } = server;
  if (options.heartbeatMs > 0) {
    for (const c of conns) {
      const last = (c.state.get('heartbeatAt') as number | undefined) ?? c.openedAt;
      if (now - last < options.heartbeatMs) continue;
      c.state.set('heartbeatAt', now);
      for (const text of venue.heartbeat(c, server)) c.send(text);
    }
  }
  const m = faults.config.malformed;
  if (m.count > 0 || m.rate > 0) {
    let k = 0;
    for (const c of conns) {
      const n = faults.malformedFor(c.id);
      for (let i = 0; i < n; i++) {
        c.send(MALFORMED[k++ % MALFORMED.length] as string);
        faults.record({ kind: 'malformed', connectionId: c.id, ts: now });
      }
    }
    faults.malformedDone();
  }
  if (options.maxConnectionMs > 0)
    for (const c of conns)
      if (now - c.openedAt >= options.maxConnectionMs && c.open) {
        server.log('info', 'connection age limit reached: closing', { connectionId: c.id });
        server.forcedDisconnects++;
        c.ws.close(1000, 'connection age limit');
      }
  const pingEvery = options.pingIntervalMs || venue.pingIntervalMs;
  if (pingEvery > 0 && now - (lastPing.get(server) ?? 0) >= pingEvery) {
    if (!lastPing.has(server)) {
      lastPing.set(server, now);
      return;
    }
    lastPing.set(server, now);
    for (const c of conns) {
      if (c.awaitingPong) {
        // no pong to the previous ping: the venue disconnects
        server.violation('pong_timeout');
        c.ws.terminate();
        continue;
      }
      c.awaitingPong = true;
      c.ws.ping();
    }
  }
}
