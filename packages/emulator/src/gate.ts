/**
 * Who may open a WebSocket: the venue's path, the embedded exchange's connection faults (refuse,
 * upgrade limit with Retry-After) and the venue's documented connection-attempt limit (per IP: every
 * client of the emulator shares the loopback address).
 */

import { type Faults, WindowCounter } from '@tickline/exchange';
import type { EmulatedVenue } from './venues/types.js';

export type GateVerdict = 'accept' | 'destroy' | { status: string; body: object; retryAfterS?: number };

export class ConnectionGate {
  readonly #venue: EmulatedVenue;
  readonly #faults: Faults;
  readonly #violation: (name: string) => void;
  readonly #upgradeLimiter = new WindowCounter();
  readonly #attempts: number[] = [];

  constructor(venue: EmulatedVenue, faults: Faults, violation: (name: string) => void) {
    this.#venue = venue;
    this.#faults = faults;
    this.#violation = violation;
  }

  admit(path: string, now: number): GateVerdict {
    if (!this.#venue.acceptsPath(path))
      return { status: '404 Not Found', body: { error: `${this.#venue.venue} WebSocket endpoint is ${this.#venue.wsPath}` } };
    const faults = this.#faults;
    if (now < faults.refuseUntil) {
      faults.record({ kind: 'refuse', ts: now });
      return 'destroy';
    }
    const lim = faults.config.upgradeLimit;
    const wait = lim === null ? 0 : this.#upgradeLimiter.hit(lim, now);
    if (wait > 0) {
      faults.record({ kind: 'upgrade_429', ts: now });
      return { status: '429 Too Many Requests', body: { error: 'too many connection attempts' }, retryAfterS: Math.ceil(wait / 1000) };
    }
    const venueLimit = this.#venue.connectLimit;
    if (venueLimit !== null) {
      const a = this.#attempts;
      while (a.length > 0 && (a[0] as number) <= now - venueLimit.windowMs) a.shift();
      a.push(now);
      if (a.length > venueLimit.messages) {
        this.#violation('connection_attempts');
        return {
          status: '429 Too Many Requests',
          body: { error: 'too many connection attempts' },
          retryAfterS: Math.ceil(venueLimit.windowMs / 1000),
        };
      }
    }
    return 'accept';
  }
}
