/**
 * `tickline sim`: the embedded exchange on its own, or with `--replay FILE --venue V` the venue
 * emulator serving a recording or a real capture in that venue's own protocol. Runs until
 * SIGINT/SIGTERM.
 */

import { EMULATED_VENUES, type EmulatedVenueName, type EmulatorHandle, type LogFn, startVenueEmulator } from '@tickline/emulator';
import { type ExchangeOptions, type FaultPatch, startExchange } from '@tickline/exchange';
import type { ReplayFormat } from '@tickline/ingest';
import { createLogger } from '@tickline/runtime';
import { isVenueName } from '@tickline/wire';
import { planReplay, type ReplayPlan, ReplayUsageError } from './replay-registry.js';

export async function sim(options: Partial<ExchangeOptions>, level: 'info' | 'warn' | 'error' | 'debug' = 'info'): Promise<number> {
  const log = createLogger(level);
  const ex = await startExchange(options);
  log.info({ http: ex.httpUrl, ws: ex.wsUrl, instruments: ex.instruments.length }, 'embedded exchange listening');
  process.stdout.write(`tickline sim: ${ex.wsUrl} (REST ${ex.httpUrl}/v1/instruments), ${ex.instruments.length} instruments\n`);
  const signal = await untilSignal();
  log.info({ signal }, 'stopping');
  await ex.close();
  return 0;
}

export interface SimReplayOptions {
  file: string;
  venue: string;
  speed: number | 'max';
  port: number;
  host: string;
  format?: ReplayFormat | 'auto';
  instrumentList?: string;
  faults?: FaultPatch;
  /** When the file starts: at the first subscription (default) or at once. */
  start?: 'subscribe' | 'listen';
  /** The venue's forced disconnect, ms (default: the venue's; Binance 24 h). */
  maxConnectionMs?: number;
  logLevel?: 'info' | 'warn' | 'error' | 'debug' | 'silent';
}

/**
 * `tickline sim --replay FILE --venue V`: prints one line `venue-url=<ws url> rest-url=<http url>`
 * at start (the flags `run --venue V --venue-url .. --rest-url ..` take), then serves until a signal.
 * Exit 2 on a usage error (unknown venue, unreadable file, a format it cannot tell).
 */
export async function simReplay(o: SimReplayOptions): Promise<number> {
  const log = createLogger(o.logLevel ?? 'info');
  if (!isVenueName(o.venue) || o.venue === 'sim') {
    process.stderr.write(
      `tickline: --venue must be one of ${EMULATED_VENUES.join(', ')} (sim without --replay is the embedded exchange), got ${JSON.stringify(o.venue)}\n`,
    );
    return 2;
  }
  let emulator: EmulatorHandle;
  try {
    const started = await startReplayVenue({ ...o, venue: o.venue as EmulatedVenueName }, (lvl, msg, data) => log[lvl](data ?? {}, msg));
    emulator = started.emulator;
    log.info(
      {
        venue: o.venue,
        file: started.plan.file,
        format: started.plan.format,
        instruments: started.plan.registry.size,
        instrumentsFrom: started.plan.instrumentsFrom,
        speed: o.speed,
      },
      'venue emulator listening',
    );
  } catch (err) {
    if (err instanceof ReplayUsageError || (err as { code?: string }).code?.startsWith('ERR_EMULATOR')) {
      process.stderr.write(`tickline: ${(err as Error).message}\n`);
      return 2;
    }
    throw err;
  }
  process.stdout.write(`venue-url=${emulator.wsUrl} rest-url=${emulator.restUrl}\n`);
  void emulator.done.then(() => {
    const s = emulator.stats();
    log.info({ frames: s.frames, error: s.error }, 'end of file: the venue stays up (heartbeats, REST) until stopped');
  });
  const signal = await untilSignal();
  const s = emulator.stats();
  log.info({ signal, frames: s.frames, done: s.done, limitViolations: s.limitViolations, faultsInjected: s.faultsInjected }, 'stopping');
  await emulator.close();
  return 0;
}

/**
 * Plans the file as `replay` does (its instruments, Kraken's checksum widths and depth) and starts
 * the emulator on it: what `sim --replay` runs, and what tests start in-process.
 */
export async function startReplayVenue(
  o: Omit<SimReplayOptions, 'venue' | 'logLevel'> & { venue: EmulatedVenueName },
  log?: LogFn,
): Promise<{ emulator: EmulatorHandle; plan: ReplayPlan }> {
  const plan = await planReplay(o.file, {
    venue: o.venue,
    ...(o.format !== undefined ? { format: o.format } : {}),
    ...(o.instrumentList !== undefined ? { instrumentList: o.instrumentList } : {}),
  });
  const emulator = await startVenueEmulator({
    venue: o.venue,
    file: plan.file,
    format: plan.format,
    instruments: plan.registry.list(),
    book: plan.book,
    speed: o.speed,
    host: o.host,
    port: o.port,
    ...(o.start !== undefined ? { start: o.start } : {}),
    ...(o.faults !== undefined ? { faults: o.faults } : {}),
    ...(o.maxConnectionMs !== undefined ? { maxConnectionMs: o.maxConnectionMs } : {}),
    ...(log !== undefined ? { log } : {}),
  });
  return { emulator, plan };
}

function untilSignal(): Promise<string> {
  return new Promise<string>((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
}
