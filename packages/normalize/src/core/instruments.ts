import { type InstrumentInput, InstrumentRegistry, MAX_SCALE, parseDecimal } from '@tickline/wire';
import { isObj } from './fields.js';

/**
 * Instrument lists from what a venue publishes: Kraken AssetPairs, Binance exchangeInfo, OKX
 * public instruments, Kraken v2 `instrument` channel. Each returns InstrumentInput[] (no ids:
 * the registry assigns them) and throws TypeError when the document is not of the expected shape
 * (these run at startup, on configuration-time input, not per message).
 */

/** Builds a registry from instrument lists (first one wins on a repeated venue+symbol). */
export function registryOf(...lists: readonly (readonly InstrumentInput[])[]): InstrumentRegistry {
  const reg = new InstrumentRegistry();
  for (const list of lists) for (const input of list) reg.add(input);
  return reg;
}

/** Decimals of an increment with trailing zeros ignored ("0.01000000" -> 2, "1" -> 0). */
export function incrementDecimals(text: string): number {
  const dot = text.indexOf('.');
  if (dot < 0) return 0;
  let end = text.length;
  while (end > dot + 1 && text.charCodeAt(end - 1) === 48) end--;
  return end - dot - 1;
}

function step(text: unknown, field: string): { scale: number; mantissa: number } {
  if (typeof text !== 'string') throw new TypeError(`${field} must be a decimal string`);
  const scale = incrementDecimals(text);
  const mantissa = parseDecimal(text, scale);
  if (!(mantissa > 0) || scale > MAX_SCALE) throw new TypeError(`${field} "${text}" is not a positive decimal increment`);
  return { scale, mantissa };
}

/**
 * Kraken REST AssetPairs (`{"error":[],"result":{"XXMRZUSD":{"wsname":"XMR/USD","pair_decimals":2,
 * "lot_decimals":8,...}}}`) -> kraken-v1 instruments keyed by `wsname`, priceScale = pair_decimals,
 * sizeScale = lot_decimals. Note: v1 book strings pad prices past pair_decimals (XMR/USD "354.15000000",
 * 8 decimals for pair_decimals 2), always with zeros, and the v1 checksum is over those padded
 * strings: see docs/venues.md (the checksum needs the written decimals, not the scale).
 */
export function krakenV1Instruments(body: unknown): InstrumentInput[] {
  if (!isObj(body) || !isObj(body.result)) throw new TypeError('AssetPairs body must be an object with "result"');
  const out: InstrumentInput[] = [];
  for (const [key, pair] of Object.entries(body.result)) {
    if (!isObj(pair) || typeof pair.wsname !== 'string') continue; // dark-pool pairs (".d") have no wsname
    const pd = pair.pair_decimals;
    const ld = pair.lot_decimals;
    if (!Number.isInteger(pd) || !Number.isInteger(ld))
      throw new TypeError(`AssetPairs ${key}: pair_decimals and lot_decimals must be integers`);
    out.push({ venue: 'kraken-v1', symbol: pair.wsname, priceScale: pd as number, sizeScale: ld as number, tickSize: 1, lotSize: 1 });
  }
  return out;
}

/**
 * Kraken v2 `instrument` channel snapshot (`data.pairs[{symbol, price_precision, qty_precision,
 * price_increment, qty_increment}]`) -> kraken instruments. The v2 checksum formats prices and
 * quantities at exactly these precisions, which is why they are the scales.
 */
export function krakenV2Instruments(msg: unknown): InstrumentInput[] {
  const data = isObj(msg) ? msg.data : undefined;
  const pairs = isObj(data) ? data.pairs : undefined;
  if (!Array.isArray(pairs)) throw new TypeError('instrument message must have data.pairs');
  return pairs.map((p: unknown, i: number) => {
    if (!isObj(p) || typeof p.symbol !== 'string' || !Number.isInteger(p.price_precision) || !Number.isInteger(p.qty_precision)) {
      throw new TypeError(`data.pairs[${i}] needs symbol, price_precision and qty_precision`);
    }
    const ps = p.price_precision as number;
    const qs = p.qty_precision as number;
    const tick = typeof p.price_increment === 'number' ? Math.round(p.price_increment * 10 ** ps) : 1;
    const lot = typeof p.qty_increment === 'number' ? Math.round(p.qty_increment * 10 ** qs) : 1;
    return {
      venue: 'kraken' as const,
      symbol: p.symbol,
      priceScale: ps,
      sizeScale: qs,
      tickSize: Math.max(1, tick),
      lotSize: Math.max(1, lot),
    };
  });
}

/**
 * Binance exchangeInfo (spot `/api/v3/exchangeInfo`, futures `/fapi/v1/exchangeInfo`,
 * `/dapi/v1/exchangeInfo`) -> instruments with scales from PRICE_FILTER.tickSize and
 * LOT_SIZE.stepSize (trailing zeros ignored: depth strings pad to 8 decimals, which parse exactly).
 */
export function binanceInstruments(venue: 'binance-spot' | 'binance-usdm' | 'binance-coinm', body: unknown): InstrumentInput[] {
  if (!isObj(body) || !Array.isArray(body.symbols)) throw new TypeError('exchangeInfo body must have "symbols"');
  return body.symbols.map((s: unknown, i: number) => {
    if (!isObj(s) || typeof s.symbol !== 'string' || !Array.isArray(s.filters))
      throw new TypeError(`symbols[${i}] needs symbol and filters`);
    const filters = s.filters.filter(isObj);
    const pf = filters.find((f) => f.filterType === 'PRICE_FILTER');
    const lf = filters.find((f) => f.filterType === 'LOT_SIZE');
    const tick = step(pf?.tickSize, `symbols[${i}] PRICE_FILTER.tickSize`);
    const lot = step(lf?.stepSize, `symbols[${i}] LOT_SIZE.stepSize`);
    return { venue, symbol: s.symbol, priceScale: tick.scale, sizeScale: lot.scale, tickSize: tick.mantissa, lotSize: lot.mantissa };
  });
}

/** OKX `/api/v5/public/instruments` (`data[{instId, tickSz, lotSz}]`) -> okx instruments. */
export function okxInstruments(body: unknown): InstrumentInput[] {
  if (!isObj(body) || !Array.isArray(body.data)) throw new TypeError('instruments body must have "data"');
  return body.data.map((d: unknown, i: number) => {
    if (!isObj(d) || typeof d.instId !== 'string') throw new TypeError(`data[${i}] needs instId`);
    const tick = step(d.tickSz, `data[${i}].tickSz`);
    const lot = step(d.lotSz, `data[${i}].lotSz`);
    return {
      venue: 'okx' as const,
      symbol: d.instId,
      priceScale: tick.scale,
      sizeScale: lot.scale,
      tickSize: tick.mantissa,
      lotSize: lot.mantissa,
    };
  });
}

/**
 * Embedded exchange `GET /v1/instruments` (`instruments[{symbol, tickSize, lotSize,
 * pricePrecision, sizePrecision}]`) -> sim instruments; the server prints exactly these precisions.
 */
export function simInstruments(body: unknown): InstrumentInput[] {
  if (!isObj(body) || !Array.isArray(body.instruments)) throw new TypeError('instruments body must have "instruments"');
  return body.instruments.map((d: unknown, i: number) => {
    if (!isObj(d) || typeof d.symbol !== 'string' || !Number.isInteger(d.pricePrecision) || !Number.isInteger(d.sizePrecision)) {
      throw new TypeError(`instruments[${i}] needs symbol, pricePrecision and sizePrecision`);
    }
    const ps = d.pricePrecision as number;
    const ss = d.sizePrecision as number;
    const tick = typeof d.tickSize === 'string' ? parseDecimal(d.tickSize, ps) : 1;
    const lot = typeof d.lotSize === 'string' ? parseDecimal(d.lotSize, ss) : 1;
    if (!(tick > 0) || !(lot > 0))
      throw new TypeError(`instruments[${i}]: tickSize/lotSize must be positive decimals within the precisions`);
    return { venue: 'sim' as const, symbol: d.symbol, priceScale: ps, sizeScale: ss, tickSize: tick, lotSize: lot };
  });
}
