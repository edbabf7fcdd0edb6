import type { VenueName } from '@tickline/wire';
import { binanceCoinmDialect, binanceSpotDialect, binanceUsdmDialect } from './binance.js';
import { coinbaseDialect } from './coinbase.js';
import { coinbaseLegacyDialect } from './coinbase-legacy.js';
import { krakenDialect } from './kraken.js';
import { krakenV1Dialect } from './kraken-v1.js';
import { okxDialect } from './okx.js';
import { simDialect } from './sim.js';
import type { VenueDialect } from './types.js';

export * from './types.js';

export const DIALECTS: Readonly<Record<VenueName, VenueDialect>> = Object.freeze({
  sim: simDialect,
  'binance-spot': binanceSpotDialect,
  'binance-usdm': binanceUsdmDialect,
  'binance-coinm': binanceCoinmDialect,
  coinbase: coinbaseDialect,
  'coinbase-legacy': coinbaseLegacyDialect,
  kraken: krakenDialect,
  'kraken-v1': krakenV1Dialect,
  okx: okxDialect,
});

export function dialectFor(venue: VenueName): VenueDialect {
  return DIALECTS[venue];
}
