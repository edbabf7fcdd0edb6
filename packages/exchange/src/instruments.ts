import { formatUnits, pow10 } from './decimal.js';
import { Prng } from './prng.js';

export type InstrumentKind = 'equity' | 'crypto';

/**
 * One tradable instrument. Prices are held internally as integer ticks and sizes as integer lots;
 * `tickUnits` / `lotUnits` convert them to wire units (10^-precision).
 */
export interface Instrument {
  readonly index: number;
  readonly symbol: string;
  readonly kind: InstrumentKind;
  readonly pricePrecision: number;
  readonly sizePrecision: number;
  /** Tick size in units of 10^-pricePrecision. */
  readonly tickUnits: number;
  /** Lot size in units of 10^-sizePrecision. */
  readonly lotUnits: number;
  readonly tickSize: string;
  readonly lotSize: string;
  /** Starting fair price, in ticks. */
  readonly initialPriceTicks: number;
  /** Typical resting size of one level, in lots. */
  readonly typicalLevelLots: number;
  /** Relative share of the universe's event rate. */
  readonly activity: number;
}

/** Public description, as served by GET /v1/instruments. */
export interface InstrumentInfo {
  symbol: string;
  kind: InstrumentKind;
  tickSize: string;
  lotSize: string;
  pricePrecision: number;
  sizePrecision: number;
  base: string;
  quote: string;
}

const KNOWN_EQUITIES = ['AAPL', 'MSFT', 'NVDA', 'AMZN', 'GOOG', 'META', 'TSLA', 'JPM', 'XOM', 'UNH', 'INTC', 'AMD'];
const KNOWN_CRYPTO = ['BTC-USD', 'ETH-USD', 'SOL-USD', 'XRP-USD', 'DOGE-USD', 'ADA-USD'];
const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';

/** Share of synthetic instruments that are crypto pairs. */
const CRYPTO_SHARE = 0.1;

function letters(prng: Prng, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += LETTERS[prng.int(26)];
  return s;
}

function logUniform(prng: Prng, lo: number, hi: number): number {
  return Math.exp(Math.log(lo) + prng.next() * (Math.log(hi) - Math.log(lo)));
}

interface Spec {
  pricePrecision: number;
  sizePrecision: number;
  tickUnits: number;
  lotUnits: number;
  price: number;
  levelSize: number;
}

function equitySpec(prng: Prng, symbol: string): Spec {
  const price = symbol === 'AAPL' ? 190 : logUniform(prng, 5, 500);
  return {
    pricePrecision: 2,
    sizePrecision: 0,
    tickUnits: prng.chance(0.1) ? 5 : 1,
    lotUnits: prng.chance(0.2) ? 10 : 1,
    price,
    levelSize: logUniform(prng, 100, 5000),
  };
}

function cryptoSpec(prng: Prng, symbol: string): Spec {
  const tier = symbol === 'BTC-USD' ? 0 : symbol === 'ETH-USD' ? 1 : prng.int(3);
  if (tier === 0) {
    const price = symbol === 'BTC-USD' ? 65000 : logUniform(prng, 5000, 70000);
    return {
      pricePrecision: 2,
      sizePrecision: 5,
      tickUnits: 1,
      lotUnits: 1,
      price,
      levelSize: logUniform(prng, 0.01, 2),
    };
  }
  if (tier === 1) {
    const price = symbol === 'ETH-USD' ? 3200 : logUniform(prng, 2, 2000);
    return {
      pricePrecision: 3,
      sizePrecision: 3,
      tickUnits: 10,
      lotUnits: 1,
      price,
      levelSize: logUniform(prng, 1, 500),
    };
  }
  const price = logUniform(prng, 0.01, 2);
  return {
    pricePrecision: 6,
    sizePrecision: 0,
    tickUnits: 1,
    lotUnits: 1,
    price,
    levelSize: logUniform(prng, 1000, 500_000),
  };
}

function build(index: number, symbol: string, kind: InstrumentKind, spec: Spec, activity: number): Instrument {
  const ticks = Math.max(200, Math.round((spec.price * pow10(spec.pricePrecision)) / spec.tickUnits));
  const lots = Math.max(1, Math.round((spec.levelSize * pow10(spec.sizePrecision)) / spec.lotUnits));
  return {
    index,
    symbol,
    kind,
    pricePrecision: spec.pricePrecision,
    sizePrecision: spec.sizePrecision,
    tickUnits: spec.tickUnits,
    lotUnits: spec.lotUnits,
    tickSize: formatUnits(spec.tickUnits, spec.pricePrecision),
    lotSize: formatUnits(spec.lotUnits, spec.sizePrecision),
    initialPriceTicks: ticks,
    typicalLevelLots: lots,
    activity,
  };
}

/**
 * Generates a deterministic universe of `count` instruments from `seed`: a few well-known names
 * first (so small universes still hold both kinds), then synthetic 4-letter equities and
 * `XXX-USD` / `XXXX-USDT` crypto pairs. Activity falls off with the index (a few hot names, a long
 * quiet tail).
 */
export function generateUniverse(count: number, seed: number): Instrument[] {
  if (!Number.isInteger(count) || count < 1) throw new RangeError('count must be a positive integer');
  const prng = new Prng(seed ^ 0x51ed270b);
  const used = new Set<string>();
  const out: Instrument[] = [];
  const fixed: Array<[string, InstrumentKind]> = [];
  for (let i = 0; i < Math.max(KNOWN_EQUITIES.length, KNOWN_CRYPTO.length); i++) {
    const e = KNOWN_EQUITIES[i];
    const c = KNOWN_CRYPTO[i];
    if (e !== undefined) fixed.push([e, 'equity']);
    if (c !== undefined) fixed.push([c, 'crypto']);
  }
  for (const [s] of fixed) used.add(s);
  for (let i = 0; i < count; i++) {
    let symbol: string;
    let kind: InstrumentKind;
    const f = fixed[i];
    if (f !== undefined) {
      [symbol, kind] = f;
    } else {
      kind = prng.chance(CRYPTO_SHARE) ? 'crypto' : 'equity';
      do {
        symbol = kind === 'equity' ? letters(prng, 4) : prng.chance(0.7) ? `${letters(prng, 3)}-USD` : `${letters(prng, 4)}-USDT`;
      } while (used.has(symbol));
      used.add(symbol);
    }
    const spec = kind === 'equity' ? equitySpec(prng, symbol) : cryptoSpec(prng, symbol);
    const activity = (0.75 + 0.5 * prng.next()) / (1 + i / 20) ** 0.7;
    out.push(build(i, symbol, kind, spec, activity));
  }
  return out;
}

export function instrumentInfo(inst: Instrument): InstrumentInfo {
  const dash = inst.symbol.indexOf('-');
  return {
    symbol: inst.symbol,
    kind: inst.kind,
    tickSize: inst.tickSize,
    lotSize: inst.lotSize,
    pricePrecision: inst.pricePrecision,
    sizePrecision: inst.sizePrecision,
    base: dash < 0 ? inst.symbol : inst.symbol.slice(0, dash),
    quote: dash < 0 ? 'USD' : inst.symbol.slice(dash + 1),
  };
}

/** Wire price string for a price in ticks. */
export function priceString(inst: Instrument, ticks: number): string {
  return formatUnits(ticks * inst.tickUnits, inst.pricePrecision);
}

/** Wire size string for a size in lots. */
export function sizeString(inst: Instrument, lots: number): string {
  return formatUnits(lots * inst.lotUnits, inst.sizePrecision);
}
