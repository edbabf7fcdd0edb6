import type { VenueName } from '@tickline/wire';
import { collectEntries, type InstrumentListResult, indexed, isObject, symbolAndSteps } from './list-result.js';

export type BinanceVenue = Extract<VenueName, 'binance-spot' | 'binance-usdm' | 'binance-coinm'>;

/**
 * Binance exchangeInfo (spot `GET /api/v3/exchangeInfo`, USD-M `GET /fapi/v1/exchangeInfo`, COIN-M
 * `GET /dapi/v1/exchangeInfo`): `symbols[{symbol, filters[{filterType: "PRICE_FILTER", tickSize},
 * {filterType: "LOT_SIZE", stepSize}]}]`. Scales from tickSize / stepSize with trailing zeros
 * ignored (depth strings pad to 8 decimals on spot, to the symbol's precision on futures; padding
 * zeros parse exactly). COIN-M sizes are contracts (`stepSize` "1").
 */
export function parseBinanceExchangeInfo(venue: BinanceVenue, body: unknown): InstrumentListResult {
  if (!isObject(body) || !Array.isArray(body.symbols))
    throw new TypeError(`${venue} exchangeInfo must be an object with a "symbols" array (got ${describeDoc(body)})`);
  return collectEntries(venue, indexed(body.symbols, 'symbols'), (s, at) => {
    const filters = Array.isArray(s.filters) ? s.filters.filter(isObject) : [];
    return symbolAndSteps(
      at,
      { value: s.symbol, field: 'symbol' },
      { value: filters.find((f) => f.filterType === 'PRICE_FILTER')?.tickSize, field: 'PRICE_FILTER.tickSize' },
      { value: filters.find((f) => f.filterType === 'LOT_SIZE')?.stepSize, field: 'LOT_SIZE.stepSize' },
    );
  });
}

/** A short description of a document for error messages (never the whole body). */
export function describeDoc(body: unknown): string {
  if (Array.isArray(body)) return `an array of ${body.length}`;
  if (isObject(body)) return `an object with keys ${Object.keys(body).slice(0, 6).join(', ') || '(none)'}`;
  return JSON.stringify(body)?.slice(0, 60) ?? String(body);
}
