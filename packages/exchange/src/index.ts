import { ERROR_CODES, type ErrorCode, ExchangeError } from './errors.js';
import type { FaultConfig, FaultPatch, InjectedFault } from './faults.js';
import { validateFaultPatch } from './faults.js';
import { type InstrumentInfo, instrumentInfo } from './instruments.js';
import { DEFAULT_OPTIONS, type ExchangeOptions, validateExchangeOptions } from './options.js';
import type { ExchangeStats } from './host.js';
import { ExchangeServer } from './server.js';

export { DEFAULT_OPTIONS, ERROR_CODES, ExchangeError, validateExchangeOptions, validateFaultPatch };
/** The fault machinery, for other servers that inject the same faults (the venue emulator). */
export { type DeltaFate, Faults, type RateLimitFault, WindowCounter } from './faults.js';
export type { ErrorCode, ExchangeOptions, ExchangeStats, FaultConfig, FaultPatch, InjectedFault, InstrumentInfo };
export { generateUniverse, type Instrument, instrumentInfo } from './instruments.js';
export { Market, type MarketConfig, type Profile } from './market.js';
export { MatchingEngine, type ExecutionReport, type NewOrder } from './matching.js';
export { SimBook } from './sim-book.js';
export { Prng } from './prng.js';
export { encodeDelta, encodeSnapshot, encodeTrades, parseRequest, type Request } from './protocol.js';
export { formatUnits, parseUnits } from './decimal.js';
export {
  type ReplayAccountSummary,
  type ReplayExchangeHandle,
  type ReplayFill,
  type ReplayInstrument,
  type ReplayMarketStats,
  type UnitLevel,
  startReplayExchange,
} from './replay-market.js';

export interface ExchangeHandle {
  readonly port: number;
  readonly host: string;
  /** e.g. http://127.0.0.1:4321 */
  readonly httpUrl: string;
  /** e.g. ws://127.0.0.1:4321/v1/stream */
  readonly wsUrl: string;
  readonly instruments: readonly InstrumentInfo[];
  close(): Promise<void>;
  stats(): ExchangeStats;
  /** Changes faults at run time; same shape and semantics as POST /v1/control/faults. */
  setFaults(patch: FaultPatch): void;
  /** The faults injected so far (most recent 10,000). */
  injectedFaults(): readonly InjectedFault[];
  /** Pauses or resumes market-data generation. */
  setPaused(paused: boolean): void;
}

/**
 * Starts the embedded exchange: HTTP + WebSocket on one port. Options are validated first; invalid
 * options reject with a RangeError listing every violation.
 */
export async function startExchange(options: Partial<ExchangeOptions> = {}): Promise<ExchangeHandle> {
  const v = validateExchangeOptions(options);
  if (!v.ok) throw new RangeError(`invalid exchange options: ${v.errors.join('; ')}`);
  const server = new ExchangeServer(v.value);
  const addr = await server.listen();
  const host = v.value.host;
  const hostPart = host.includes(':') ? `[${host}]` : host;
  const instruments = server.instruments.map(instrumentInfo);
  return {
    port: addr.port,
    host,
    httpUrl: `http://${hostPart}:${addr.port}`,
    wsUrl: `ws://${hostPart}:${addr.port}/v1/stream`,
    instruments,
    close: () => server.close(),
    stats: () => server.stats(),
    setFaults: (patch) => {
      const p = validateFaultPatch(patch, 'faults', true);
      if (!p.ok) throw new RangeError(`invalid faults: ${p.errors.join('; ')}`);
      server.applyFaults(p.value);
    },
    injectedFaults: () => server.faults.log.slice(),
    setPaused: (paused) => server.setPaused(paused),
  };
}
