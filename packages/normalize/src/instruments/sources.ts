import type { VenueName } from '@tickline/wire';
import { parseBinanceExchangeInfo } from './binance.js';
import { parseCoinbaseExchangeProducts, parseCoinbaseProducts } from './coinbase.js';
import { parseKrakenAssetPairs } from './kraken.js';
import type { InstrumentListResult } from './list-result.js';
import { parseOkxInstruments } from './okx.js';
import { parseSimInstruments } from './sim.js';

/**
 * Where each venue publishes its instrument list and how to read it: the REST requests (path and
 * query, relative to the venue's REST base URL) and the parser of their bodies. Pure data and
 * parsing: fetching, retries and the on-disk cache live in @tickline/ingest.
 */
export interface InstrumentListSource {
  readonly venue: VenueName;
  /** The requests to make for a run that wants `symbols` (all of them are needed). */
  requests(symbols: readonly string[]): string[];
  /** Reads the bodies of `requests()` (same order). Throws TypeError on a document of the wrong shape. */
  parse(bodies: readonly unknown[]): InstrumentListResult;
  /** The venue's documentation of the endpoint. */
  readonly docs: string;
}

/** OKX instrument types a symbol list needs: `-SWAP` perpetuals, `-YYMMDD` futures, else SPOT. */
export function okxInstTypes(symbols: readonly string[]): string[] {
  const types = new Set<string>();
  for (const s of symbols) {
    if (s.endsWith('-SWAP')) types.add('SWAP');
    else if (/-\d{6}$/.test(s)) types.add('FUTURES');
    else types.add('SPOT');
  }
  if (types.size === 0) types.add('SPOT');
  return [...types].sort();
}

const one = (path: string) => () => [path];

export const INSTRUMENT_LISTS: Readonly<Record<VenueName, InstrumentListSource>> = Object.freeze({
  sim: { venue: 'sim', requests: one('/v1/instruments'), parse: (b) => parseSimInstruments(b[0]), docs: 'docs/exchange-protocol.md' },
  'binance-spot': {
    venue: 'binance-spot',
    requests: one('/api/v3/exchangeInfo'),
    parse: (b) => parseBinanceExchangeInfo('binance-spot', b[0]),
    docs: 'https://developers.binance.com/docs/binance-spot-api-docs/rest-api/general-endpoints#exchange-information',
  },
  'binance-usdm': {
    venue: 'binance-usdm',
    requests: one('/fapi/v1/exchangeInfo'),
    parse: (b) => parseBinanceExchangeInfo('binance-usdm', b[0]),
    docs: 'https://developers.binance.com/docs/derivatives/usds-margined-futures/market-data/rest-api/Exchange-Information',
  },
  'binance-coinm': {
    venue: 'binance-coinm',
    requests: one('/dapi/v1/exchangeInfo'),
    parse: (b) => parseBinanceExchangeInfo('binance-coinm', b[0]),
    docs: 'https://developers.binance.com/docs/derivatives/coin-margined-futures/market-data/rest-api/Exchange-Information',
  },
  coinbase: {
    venue: 'coinbase',
    requests: one('/api/v3/brokerage/market/products'),
    parse: (b) => parseCoinbaseProducts(b[0]),
    docs: 'https://docs.cdp.coinbase.com/coinbase-app/advanced-trade-apis/rest-api (List Public Products)',
  },
  'coinbase-legacy': {
    venue: 'coinbase-legacy',
    requests: one('/products'),
    parse: (b) => parseCoinbaseExchangeProducts(b[0]),
    docs: 'https://docs.cdp.coinbase.com/exchange/reference/exchangerestapi_getproducts',
  },
  kraken: {
    venue: 'kraken',
    requests: one('/0/public/AssetPairs'),
    parse: (b) => parseKrakenAssetPairs('kraken', b[0]),
    docs: 'https://docs.kraken.com/api/docs/rest-api/get-tradable-asset-pairs',
  },
  'kraken-v1': {
    venue: 'kraken-v1',
    requests: one('/0/public/AssetPairs'),
    parse: (b) => parseKrakenAssetPairs('kraken-v1', b[0]),
    docs: 'https://docs.kraken.com/api/docs/rest-api/get-tradable-asset-pairs',
  },
  okx: {
    venue: 'okx',
    requests: (symbols) => okxInstTypes(symbols).map((t) => `/api/v5/public/instruments?instType=${t}`),
    parse: (b) => parseOkxInstruments(...b),
    docs: 'https://www.okx.com/docs-v5/en/#public-data-rest-api-get-instruments',
  },
} satisfies Record<VenueName, InstrumentListSource>);

/** Parses one instrument-list document of `venue` (any of its request bodies). */
export function parseInstrumentList(venue: VenueName, body: unknown): InstrumentListResult {
  return INSTRUMENT_LISTS[venue].parse([body]);
}
