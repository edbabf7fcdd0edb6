/**
 * What `run` needs before it starts the pipeline on a live venue: the venue's URLs (flags or
 * config, else the venue's public ones), its instrument list (fetched with retries, or the cached
 * one while the venue's REST endpoint is down), and the symbols to subscribe, checked against it
 * (unknown ones get their close matches, and nothing is sent).
 */

import { join } from 'node:path';
import { CodeResolver, DIALECTS, IngestError, type LoadedInstrumentList, loadInstrumentList, redactUrl } from '@tickline/ingest';
import { INSTRUMENT_LISTS, registryOf } from '@tickline/normalize';
import type { Logger } from '@tickline/runtime';
import type { InstrumentRegistry, VenueName } from '@tickline/wire';
import type { TicklineConfig } from '../config.js';

/** A problem run reports and exits on: `exitCode` 2 for the user's input, 1 for the venue's. */
export class LiveVenueError extends Error {
  readonly code = 'ERR_LIVE_VENUE';
  constructor(
    message: string,
    readonly exitCode: 1 | 2,
  ) {
    super(message);
  }
}

export interface LiveVenue {
  readonly venue: VenueName;
  readonly url: string;
  readonly restUrl: string;
  readonly registry: InstrumentRegistry;
  readonly symbols: string[];
  readonly list: LoadedInstrumentList;
}

export async function prepareLiveVenue(config: TicklineConfig, log: Logger): Promise<LiveVenue> {
  const venue = config.venue.name;
  const dialect = DIALECTS[venue];
  const symbols = config.venue.symbols;
  if (symbols.length === 0)
    throw new LiveVenueError(
      `--symbols (venue.symbols) is required for ${venue}: name the instruments to subscribe, as the venue spells them (e.g. ${example(venue)})`,
      2,
    );
  const url = config.venue.url ?? dialect.url;
  const restUrl = config.venue.restUrl ?? dialect.restUrl;
  if (restUrl === null) throw new LiveVenueError(`--rest-url (venue.restUrl) is required for ${venue}`, 2);
  const source = INSTRUMENT_LISTS[venue];
  let list: LoadedInstrumentList;
  try {
    list = await loadInstrumentList({
      venue,
      baseUrl: restUrl,
      requests: source.requests(symbols),
      parse: (bodies) => source.parse(bodies),
      cacheDir: join(config.stateDir, 'instruments'),
      log: (level, msg, data) => log[level](data ?? {}, msg),
    });
  } catch (err) {
    if (err instanceof IngestError) throw new LiveVenueError(err.message, 1);
    throw err;
  }
  const skipped = Object.entries(list.skipped).filter(([, n]) => n > 0);
  log.info(
    { venue, restUrl: redactUrl(restUrl), source: list.source, fetchedAt: list.fetchedAt, instruments: list.instruments.length },
    'instrument list',
  );
  if (list.source === 'cache')
    process.stderr.write(
      `tickline: ${venue} REST endpoint unavailable (${list.venueError}); going on with the instrument list cached on ${list.fetchedAt}\n`,
    );
  if (skipped.length > 0)
    log.warn({ venue, skipped: Object.fromEntries(skipped), first: list.samples.slice(0, 5) }, 'instrument list entries skipped');
  const registry = registryOf(list.instruments);
  try {
    new CodeResolver(registry, venue).resolve(symbols);
  } catch (err) {
    if (err instanceof IngestError && err.code === 'ERR_INGEST_UNKNOWN_INSTRUMENT') throw new LiveVenueError(err.message, 2);
    throw err;
  }
  return { venue, url, restUrl, registry, symbols: [...symbols], list };
}

function example(venue: VenueName): string {
  if (venue.startsWith('binance')) return venue === 'binance-coinm' ? 'BTCUSD_PERP' : 'BTCUSDT,ETHUSDT';
  if (venue.startsWith('coinbase')) return 'BTC-USD,ETH-USD';
  if (venue === 'kraken') return 'BTC/USD,ETH/USD';
  if (venue === 'kraken-v1') return 'XBT/USD,ETH/USD';
  return 'BTC-USDT,ETH-USDT';
}
