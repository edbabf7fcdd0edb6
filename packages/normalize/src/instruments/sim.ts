import { parseDecimal } from '@tickline/wire';
import { describeDoc } from './binance.js';
import { collectEntries, type InstrumentListResult, indexed, isObject, precisionOf, SkipReason, skipEntry } from './list-result.js';

/**
 * Embedded exchange `GET /v1/instruments` (`instruments[{symbol, tickSize, lotSize, pricePrecision,
 * sizePrecision}]`): the server prints exactly these precisions.
 */
export function parseSimInstruments(body: unknown): InstrumentListResult {
  if (!isObject(body) || !Array.isArray(body.instruments))
    throw new TypeError(`sim instruments must be an object with an "instruments" array (got ${describeDoc(body)})`);
  return collectEntries('sim', indexed(body.instruments, 'instruments'), (d, at) => {
    if (typeof d.symbol !== 'string' || d.symbol === '')
      return skipEntry(null, SkipReason.MissingSymbol, `${at}.symbol must be a non-empty string`);
    const ps = precisionOf(d.pricePrecision);
    const ss = precisionOf(d.sizePrecision);
    if (ps === null || ss === null)
      return skipEntry(d.symbol, SkipReason.MissingIncrement, `${at}.pricePrecision and sizePrecision must be integers from 0 to 18`);
    const tick = typeof d.tickSize === 'string' ? parseDecimal(d.tickSize, ps) : 1;
    const lot = typeof d.lotSize === 'string' ? parseDecimal(d.lotSize, ss) : 1;
    if (!(tick > 0) || !(lot > 0))
      return skipEntry(d.symbol, SkipReason.InvalidIncrement, `${at}.tickSize/lotSize must be positive decimals within the precisions`);
    return { ok: true, input: { symbol: d.symbol, priceScale: ps, sizeScale: ss, tickSize: tick, lotSize: lot } };
  });
}
