/**
 * Emulator options: validated up front, every violation reported at once with its field and the
 * allowed values.
 */

import type { BookConfigInput } from '@tickline/book';
import { type FaultPatch, validateFaultPatch } from '@tickline/exchange';
import type { ReplayFormat } from '@tickline/ingest';
import { type InstrumentSpec, isVenueName, VENUE_NAMES, type VenueName } from '@tickline/wire';
import { EmulatorError } from './errors.js';

export type EmulatedVenueName = Exclude<VenueName, 'sim'>;
export const EMULATED_VENUES: readonly EmulatedVenueName[] = VENUE_NAMES.filter((v): v is EmulatedVenueName => v !== 'sim');

export type LogFn = (level: 'debug' | 'info' | 'warn' | 'error', msg: string, data?: Record<string, unknown>) => void;

export interface EmulatorOptions {
  /** The venue whose protocol is spoken (any live venue; `sim` is the embedded exchange itself). */
  readonly venue: EmulatedVenueName;
  /** A tickline recording, a `.cap` capture (with its `.rest`), or an hftbacktest collector gzip file. */
  readonly file: string;
  readonly format?: ReplayFormat | 'auto';
  /** The file's instruments (the replay plan's registry): the emulator lists and serves these. */
  readonly instruments: readonly InstrumentSpec[];
  /** Book settings the file implies (Kraken checksum widths and depth). */
  readonly book?: BookConfigInput;
  /** 1 = recorded pace, 10 = ten times faster, 'max' = as fast as the clients take it. Default 1. */
  readonly speed?: number | 'max';
  /** When the file starts playing: at the first subscription (default) or as soon as it listens. */
  readonly start?: 'subscribe' | 'listen';
  readonly host?: string;
  /** 0 = any free port (default). */
  readonly port?: number;
  /** Faults to start with (same shape as the embedded exchange's `faults`). */
  readonly faults?: FaultPatch;
  /** Close connections older than this (the venue's 24 h limit where it has one); 0 = never. */
  readonly maxConnectionMs?: number;
  /** Liveness frames (Kraken and Coinbase heartbeats) every this many ms. Default 1000. */
  readonly heartbeatMs?: number;
  /** Server WebSocket pings every this many ms (Binance); 0 = the venue's documented interval. */
  readonly pingIntervalMs?: number;
  readonly log?: LogFn;
}

export interface ResolvedOptions extends Required<Omit<EmulatorOptions, 'log' | 'faults' | 'book' | 'format'>> {
  readonly format: ReplayFormat | 'auto';
  readonly book: BookConfigInput;
  readonly faults: FaultPatch | null;
  readonly log: LogFn;
}

const noLog: LogFn = () => {};

export function resolveOptions(o: EmulatorOptions): ResolvedOptions {
  const issues: string[] = [];
  if (o === null || typeof o !== 'object') throw new TypeError('options must be an object');
  if (!isVenueName(o.venue) || o.venue === ('sim' as VenueName))
    issues.push(
      `venue: must be one of ${EMULATED_VENUES.join(', ')} (sim is the embedded exchange: tickline sim), got ${JSON.stringify(o.venue)}`,
    );
  if (typeof o.file !== 'string' || o.file === '') issues.push('file: must be a non-empty path');
  if (!Array.isArray(o.instruments)) issues.push('instruments: must be the instrument list of the file (InstrumentSpec[])');
  const speed = o.speed ?? 1;
  if (speed !== 'max' && !(typeof speed === 'number' && Number.isFinite(speed) && speed > 0 && speed <= 1e6))
    issues.push(`speed: must be a number in (0, 1000000] or "max", got ${JSON.stringify(speed)}`);
  const start = o.start ?? 'subscribe';
  if (start !== 'subscribe' && start !== 'listen') issues.push(`start: must be "subscribe" or "listen", got ${JSON.stringify(start)}`);
  const port = o.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    issues.push(`port: must be an integer from 0 to 65535, got ${JSON.stringify(port)}`);
  const int = (name: string, v: unknown, dflt: number, max: number): number => {
    const x = v ?? dflt;
    if (!Number.isInteger(x) || (x as number) < 0 || (x as number) > max)
      issues.push(`${name}: must be an integer from 0 to ${max}, got ${JSON.stringify(x)}`);
    return x as number;
  };
  const maxConnectionMs = int('maxConnectionMs', o.maxConnectionMs, o.venue?.startsWith('binance') ? 24 * 3_600_000 : 0, 7 * 86_400_000);
  const heartbeatMs = int('heartbeatMs', o.heartbeatMs, 1000, 3_600_000);
  const pingIntervalMs = int('pingIntervalMs', o.pingIntervalMs, 0, 3_600_000);
  let faults: FaultPatch | null = null;
  if (o.faults !== undefined) {
    const f = validateFaultPatch(o.faults, 'faults', false);
    if (f.ok) faults = f.value;
    else issues.push(...f.errors);
  }
  if (issues.length > 0) throw new EmulatorError('ERR_EMULATOR_INVALID_OPTIONS', `\n  ${issues.join('\n  ')}`);
  return {
    venue: o.venue,
    file: o.file,
    format: o.format ?? 'auto',
    instruments: o.instruments,
    book: o.book ?? {},
    speed,
    start,
    host: o.host ?? '127.0.0.1',
    port,
    faults,
    maxConnectionMs,
    heartbeatMs,
    pingIntervalMs,
    log: o.log ?? noLog,
  };
}
