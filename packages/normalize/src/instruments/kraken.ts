import { parseDecimal } from '@tickline/wire';
import { describeDoc } from './binance.js';
import {
  collectEntries,
  type EntryOutcome,
  type InstrumentListResult,
  indexed,
  isObject,
  precisionOf,
  SkipReason,
  skipEntry,
} from './list-result.js';

/**
 * Kraken REST AssetPairs (`GET /0/public/AssetPairs`): `{"error":[],"result":{"XXMRZUSD":{"wsname":
 * "XMR/USD","pair_decimals":2,"lot_decimals":8,"tick_size":"0.01",...}}}`. Price scale =
 * pair_decimals, size scale = lot_decimals, tick = `tick_size` where the venue sends it.
 *
 * - kraken-v1 symbols are the `wsname` ("XBT/USD").
 * - kraken (WebSocket v2) symbols spell bitcoin and dogecoin BTC and DOGE where v1 and REST say XBT
 *   and XDG ("BTC/USD"); every other code is the same. The v2 `instrument` channel is the other
 *   source of v2 names (`parseKrakenV2InstrumentMessage`).
 *
 * Note: v1 book strings pad prices past pair_decimals (XMR/USD "354.15000000") and its checksum is
 * over those strings; the book learns the written width (docs/venues.md).
 */
export function parseKrakenAssetPairs(venue: 'kraken-v1' | 'kraken', body: unknown): InstrumentListResult {
  if (!isObject(body) || !isObject(body.result)) {
    const err = isObject(body) && Array.isArray(body.error) && body.error.length > 0 ? `: ${String(body.error[0]).slice(0, 120)}` : '';
    throw new TypeError(`kraken AssetPairs must be an object with a "result" object (got ${describeDoc(body)})${err}`);
  }
  const entries = Object.entries(body.result).map(([key, pair]): [string, unknown] => [`result.${key}`, pair]);
  return collectEntries(venue, entries, (pair, at): EntryOutcome => {
    // Dark-pool pairs (".d") have no wsname: they are not on the WebSocket feeds.
    if (typeof pair.wsname !== 'string' || pair.wsname === '')
      return skipEntry(null, SkipReason.MissingSymbol, `${at}.wsname must be a non-empty string (dark-pool pairs have none)`);
    const symbol = venue === 'kraken' ? krakenV2Symbol(pair.wsname) : pair.wsname;
    const ps = precisionOf(pair.pair_decimals);
    const ss = precisionOf(pair.lot_decimals);
    if (ps === null || ss === null) {
      const missing = pair.pair_decimals === undefined || pair.lot_decimals === undefined;
      return skipEntry(
        symbol,
        missing ? SkipReason.MissingIncrement : SkipReason.InvalidIncrement,
        `${at}.pair_decimals and lot_decimals must be integers from 0 to 18`,
      );
    }
    let tick = 1;
    if (pair.tick_size !== undefined) {
      tick = typeof pair.tick_size === 'string' ? parseDecimal(pair.tick_size, ps) : Number.NaN;
      if (!(tick > 0))
        return skipEntry(
          symbol,
          SkipReason.InvalidIncrement,
          `${at}.tick_size ${JSON.stringify(pair.tick_size)} is not a positive decimal at pair_decimals ${ps}`,
        );
    }
    return { ok: true, input: { symbol, priceScale: ps, sizeScale: ss, tickSize: tick, lotSize: 1 } };
  });
}

const V2_CODES: Readonly<Record<string, string>> = Object.freeze({ XBT: 'BTC', XDG: 'DOGE' });

/** A v1/REST wsname ("XBT/USD") as Kraken WebSocket v2 spells it ("BTC/USD"). */
export function krakenV2Symbol(wsname: string): string {
  return wsname
    .split('/')
    .map((c) => V2_CODES[c] ?? c)
    .join('/');
}

/**
 * Kraken WebSocket v2 `instrument` channel snapshot (`data.pairs[{symbol, price_precision,
 * qty_precision, price_increment, qty_increment}]`). The v2 checksum formats prices and quantities
 * at exactly these precisions, which is why they are the scales.
 */
export function parseKrakenV2InstrumentMessage(msg: unknown): InstrumentListResult {
  const data = isObject(msg) ? msg.data : undefined;
  const pairs = isObject(data) ? data.pairs : undefined;
  if (!Array.isArray(pairs)) throw new TypeError(`kraken instrument message must have data.pairs (got ${describeDoc(msg)})`);
  return collectEntries('kraken', indexed(pairs, 'data.pairs'), (p, at) => {
    if (typeof p.symbol !== 'string' || p.symbol === '')
      return skipEntry(null, SkipReason.MissingSymbol, `${at}.symbol must be a non-empty string`);
    const ps = precisionOf(p.price_precision);
    const qs = precisionOf(p.qty_precision);
    if (ps === null || qs === null)
      return skipEntry(p.symbol, SkipReason.MissingIncrement, `${at}.price_precision and qty_precision must be integers from 0 to 18`);
    const tick = typeof p.price_increment === 'number' ? Math.round(p.price_increment * 10 ** ps) : 1;
    const lot = typeof p.qty_increment === 'number' ? Math.round(p.qty_increment * 10 ** qs) : 1;
    return { ok: true, input: { symbol: p.symbol, priceScale: ps, sizeScale: qs, tickSize: Math.max(1, tick), lotSize: Math.max(1, lot) } };
  });
}
