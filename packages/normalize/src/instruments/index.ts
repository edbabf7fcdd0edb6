/**
 * Venue instrument lists: one parser per venue document, each returning the instruments it could
 * read and every entry it skipped with a named reason; plus where each venue publishes its list.
 */

import type { InstrumentInput } from '@tickline/wire';
import { type BinanceVenue, parseBinanceExchangeInfo } from './binance.js';
import { parseKrakenAssetPairs, parseKrakenV2InstrumentMessage } from './kraken.js';
import { parseOkxInstruments } from './okx.js';
import { parseSimInstruments } from './sim.js';

export { type BinanceVenue, parseBinanceExchangeInfo } from './binance.js';
export { parseCoinbaseExchangeProducts, parseCoinbaseProducts } from './coinbase.js';
export { krakenV2Symbol, parseKrakenAssetPairs, parseKrakenV2InstrumentMessage } from './kraken.js';
export {
  incrementDecimals,
  type InstrumentListResult,
  registryOf,
  SKIP_REASONS,
  SkipReason,
  type SkipReasonCode,
  type SkippedEntry,
  skippedTotal,
} from './list-result.js';
export { parseOkxInstruments } from './okx.js';
export { parseSimInstruments } from './sim.js';
export { INSTRUMENT_LISTS, type InstrumentListSource, okxInstTypes, parseInstrumentList } from './sources.js';

// The instruments alone (skips dropped), for callers that only want the list.
export const krakenV1Instruments = (body: unknown): InstrumentInput[] => parseKrakenAssetPairs('kraken-v1', body).instruments;
export const krakenV2Instruments = (msg: unknown): InstrumentInput[] => parseKrakenV2InstrumentMessage(msg).instruments;
export const binanceInstruments = (venue: BinanceVenue, body: unknown): InstrumentInput[] =>
  parseBinanceExchangeInfo(venue, body).instruments;
export const okxInstruments = (body: unknown): InstrumentInput[] => parseOkxInstruments(body).instruments;
export const simInstruments = (body: unknown): InstrumentInput[] => parseSimInstruments(body).instruments;
