/**
 * The venue emulator: serves a recording or a real capture over WebSocket and REST in a live
 * venue's own protocol (docs/emulator.md), paced by the recorded receive times or as fast as the
 * clients take it, with the embedded exchange's fault injection.
 */

import { type FaultPatch, type InjectedFault, validateFaultPatch } from '@tickline/exchange';
import { openReplayInput } from '@tickline/ingest';
import { InstrumentRegistry } from '@tickline/wire';
import { EmulatorError } from './errors.js';
import { type EmulatorOptions, resolveOptions } from './options.js';
import type { EmulatorStats } from './host.js';
import { EmulatorServer } from './server.js';
import { emulatedVenue } from './venues/index.js';

export { EMULATOR_ERROR_CODES, EmulatorError, type EmulatorErrorCode } from './errors.js';
export { EMULATED_VENUES, type EmulatedVenueName, type EmulatorOptions, type LogFn } from './options.js';
export type { EmulatorStats } from './host.js';

export interface EmulatorHandle {
  readonly venue: string;
  readonly port: number;
  /** The venue's WebSocket URL on this emulator (`ws://127.0.0.1:PORT/stream` for Binance...). */
  readonly wsUrl: string;
  /** Its REST base URL (`http://127.0.0.1:PORT`). */
  readonly restUrl: string;
  stats(): EmulatorStats;
  /** Same shape and semantics as POST /v1/control/faults (and the embedded exchange's setFaults). */
  setFaults(patch: FaultPatch): void;
  injectedFaults(): readonly InjectedFault[];
  /** Holds the file where it is, or plays on (as POST /v1/control/market {"paused"}). */
  setPaused(paused: boolean): void;
  /** Resolves once the whole file has been played (it starts at the first subscription). */
  readonly done: Promise<void>;
  close(): Promise<void>;
}

export async function startVenueEmulator(options: EmulatorOptions): Promise<EmulatorHandle> {
  const o = resolveOptions(options);
  let input: Awaited<ReturnType<typeof openReplayInput>>;
  try {
    input = await openReplayInput(o.file, { format: o.format, venue: o.venue });
  } catch (err) {
    throw new EmulatorError('ERR_EMULATOR_FILE', `${o.file}: ${(err as Error).message}`);
  }
  if (input.header !== null && input.header.venue !== o.venue) {
    await input.close();
    throw new EmulatorError('ERR_EMULATOR_FILE', `${o.file} is a recording of ${input.header.venue}, not ${o.venue}`);
  }
  const registry = InstrumentRegistry.from(o.instruments.filter((s) => s.venue === o.venue));
  if (registry.size === 0) {
    await input.close();
    throw new EmulatorError('ERR_EMULATOR_FILE', `no ${o.venue} instruments given for ${o.file}`);
  }
  const server = new EmulatorServer(o, emulatedVenue(o.venue), registry, input);
  const addr = await server.listen();
  const host = o.host.includes(':') ? `[${o.host}]` : o.host;
  let finished: () => void = () => {};
  const done = new Promise<void>((r) => (finished = r));
  const poll = setInterval(() => {
    const s = server.stats();
    if (s.done || s.error !== null) {
      clearInterval(poll);
      finished();
    }
  }, 20);
  poll.unref();
  return {
    venue: o.venue,
    port: addr.port,
    wsUrl: `ws://${host}:${addr.port}${server.venue.wsPath}`,
    restUrl: `http://${host}:${addr.port}`,
    stats: () => server.stats(),
    setFaults: (patch) => {
      const p = validateFaultPatch(patch, 'faults', true);
      if (!p.ok) throw new RangeError(`invalid faults: ${p.errors.join('; ')}`);
      server.applyFaults(p.value);
    },
    injectedFaults: () => server.injectedFaults(),
    setPaused: (paused) => server.timeline.setPaused(paused),
    done,
    close: async () => {
      clearInterval(poll);
      await server.close();
      await input.close();
    },
  };
}
