/**
 * Trading fees of the local venue: maker and taker rates in basis points of notional (negative =
 * rebate), per venue and instrument class, with per-class and per-instrument overrides. The
 * defaults are each venue's documented base-tier (lowest volume, no discounts) public fees; the
 * sources are listed in docs/backtest.md ("Fill model", "Fees"). `sim` (the embedded exchange)
 * keeps the embedded exchange's configured defaults.
 *
 * A fee is a mantissa at the instrument's money scale (max(priceScale + sizeScale, 8)), computed
 * exactly: notional x rate / 10,000, rounded half away from zero.
 */

import { DEFAULT_OPTIONS } from '@tickline/exchange';
import { bigPow10, type InstrumentSpec, moneyScale, type VenueName } from '@tickline/wire';

export const INSTRUMENT_CLASSES = ['spot', 'swap', 'futures'] as const;
export type InstrumentClass = (typeof INSTRUMENT_CLASSES)[number];

export interface FeeRates {
  readonly makerBps: number;
  readonly takerBps: number;
}

/** Rates are kept at 10^-4 bps (basis points with four decimals). */
export const FEE_RATE_DECIMALS = 4;
const RATE_UNITS = 10 ** FEE_RATE_DECIMALS;

/** Base-tier public fees per venue and class (docs/backtest.md lists the source pages). */
export const DEFAULT_FEES: Readonly<Record<VenueName, Readonly<Partial<Record<InstrumentClass, FeeRates>>>>> = Object.freeze({
  sim: { spot: { makerBps: DEFAULT_OPTIONS.makerFeeBps, takerBps: DEFAULT_OPTIONS.takerFeeBps } },
  'binance-spot': { spot: { makerBps: 10, takerBps: 10 } },
  'binance-usdm': { swap: { makerBps: 2, takerBps: 5 }, futures: { makerBps: 2, takerBps: 5 } },
  'binance-coinm': { swap: { makerBps: 2, takerBps: 5 }, futures: { makerBps: 2, takerBps: 5 } },
  coinbase: { spot: { makerBps: 60, takerBps: 120 } },
  'coinbase-legacy': { spot: { makerBps: 40, takerBps: 60 } },
  kraken: { spot: { makerBps: 25, takerBps: 40 } },
  'kraken-v1': { spot: { makerBps: 25, takerBps: 40 } },
  okx: { spot: { makerBps: 8, takerBps: 10 }, swap: { makerBps: 2, takerBps: 5 }, futures: { makerBps: 2, takerBps: 5 } },
});

/**
 * The class of an instrument from its venue and symbol: Binance's derivatives venues are swaps
 * (perpetuals) unless the symbol carries a delivery date (`BTCUSDT_240927`, `BTCUSD_PERP` is a
 * swap); OKX symbols end in `-SWAP` or a date (`BTC-USD-240927`); everything else is spot.
 */
export function instrumentClass(venue: VenueName, symbol: string): InstrumentClass {
  if (venue === 'binance-usdm' || venue === 'binance-coinm') return /_\d{6}$/.test(symbol) ? 'futures' : 'swap';
  if (venue === 'okx') {
    if (symbol.endsWith('-SWAP')) return 'swap';
    if (/-\d{6}$/.test(symbol)) return 'futures';
  }
  return 'spot';
}

/** Rates of an override; an absent rate keeps the one below it. */
export interface FeeRatesOverride {
  readonly makerBps?: number | undefined;
  readonly takerBps?: number | undefined;
}

export interface FeeOverrides {
  /** Per venue, per class. */
  readonly venues?: Readonly<Partial<Record<VenueName, Readonly<Partial<Record<InstrumentClass, FeeRatesOverride>>>>>>;
  /** Per instrument, keyed `<venue>:<symbol>`. */
  readonly instruments?: Readonly<Record<string, FeeRatesOverride>>;
}

/** The rates for an instrument: its venue and class default, then the class override, then its own. */
export function feeRatesFor(spec: Pick<InstrumentSpec, 'venue' | 'symbol'>, overrides: FeeOverrides = {}): FeeRates {
  const cls = instrumentClass(spec.venue, spec.symbol);
  const venueDefaults = DEFAULT_FEES[spec.venue];
  const base = venueDefaults[cls] ?? venueDefaults.spot ?? Object.values(venueDefaults)[0] ?? { makerBps: 0, takerBps: 0 };
  const byClass = overrides.venues?.[spec.venue]?.[cls] ?? {};
  const own = overrides.instruments?.[`${spec.venue}:${spec.symbol}`] ?? {};
  return {
    makerBps: own.makerBps ?? byClass.makerBps ?? base.makerBps,
    takerBps: own.takerBps ?? byClass.takerBps ?? base.takerBps,
  };
}

/** A rate in bps as an integer count of 10^-4 bps; RangeError if it carries more decimals. */
export function rateUnits(bps: number, what = 'fee rate'): number {
  const u = Math.round(bps * RATE_UNITS);
  if (!Number.isFinite(bps) || Math.abs(u - bps * RATE_UNITS) > 1e-6)
    throw new RangeError(`${what} must be a number of bps with at most ${FEE_RATE_DECIMALS} decimals, got ${bps}`);
  return u;
}

/** Largest exact integer of a double. */
const SAFE = Number.MAX_SAFE_INTEGER;
/** notional x units / DEN, DEN = 10,000 bps x 10^4 units per bps. */
const DEN = 10_000 * RATE_UNITS;

/**
 * Fee of a fill, a mantissa at moneyScale(spec): price x size x rate / 10,000, rounded half away
 * from zero. Exact: doubles while every intermediate is a safe integer, BigInt otherwise.
 */
export function fillFee(spec: Pick<InstrumentSpec, 'priceScale' | 'sizeScale'>, price: number, size: number, units: number): number {
  if (units === 0) return 0;
  const ms = moneyScale(spec);
  const up = ms - spec.priceScale - spec.sizeScale;
  const notional = price * size;
  if (notional <= SAFE && up <= 15) {
    const n = notional * 10 ** up;
    const num = n * units;
    if (n <= SAFE && Math.abs(num) <= SAFE) {
      const neg = num < 0;
      const a = neg ? -num : num;
      const q = Math.floor(a / DEN);
      const rem = a - q * DEN;
      const r = rem * 2 >= DEN ? q + 1 : q;
      return neg ? -r : r;
    }
  }
  const num = BigInt(price) * BigInt(size) * bigPow10(up) * BigInt(units);
  const neg = num < 0n;
  const a = neg ? -num : num;
  const den = BigInt(DEN);
  let q = a / den;
  if ((a % den) * 2n >= den) q += 1n;
  const out = Number(neg ? -q : q);
  if (!Number.isSafeInteger(out)) throw new RangeError(`fee of ${price} x ${size} does not fit an exact double at scale ${ms}`);
  return out;
}
