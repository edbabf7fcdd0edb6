import type { EmulatedVenueName } from '../options.js';
import { BinanceVenue } from './binance.js';
import { CoinbaseVenue } from './coinbase.js';
import { CoinbaseLegacyVenue } from './coinbase-legacy.js';
import { KrakenVenue } from './kraken.js';
import { KrakenV1Venue } from './kraken-v1.js';
import { OkxVenue } from './okx.js';
import type { EmulatedVenue } from './types.js';

export type { EmulatedVenue, RestAnswer, VenueHost } from './types.js';

/** The server side of a venue's protocol (a fresh instance per emulator: some keep state). */
export function emulatedVenue(venue: EmulatedVenueName): EmulatedVenue {
  switch (venue) {
    case 'binance-spot':
    case 'binance-usdm':
    case 'binance-coinm':
      return new BinanceVenue(venue);
    case 'coinbase':
      return new CoinbaseVenue();
    case 'coinbase-legacy':
      return new CoinbaseLegacyVenue();
    case 'kraken':
      return new KrakenVenue();
    case 'kraken-v1':
      return new KrakenV1Venue();
    case 'okx':
      return new OkxVenue();
    default:
      throw new TypeError(`no emulated protocol for venue ${JSON.stringify(venue)}`);
  }
}
