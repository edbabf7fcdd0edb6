/**
 * What risk knows per instrument: top of book, position (from execution's position records),
 * open orders and approved-but-unreported intents (pending exposure), and resolved limits.
 */

import { type InstrumentSpec, pow10 } from '@tickline/wire';
import type { InstrumentLimits, RiskConfig } from '../config.js';
import { SessionClock } from './sessions.js';

export class InstrumentRisk {
  readonly pxUnit: number;
  readonly szUnit: number;
  // book (mantissas)
  bid = 0;
  ask = 0;
  mid = 0;
  live = false;
  stale = false;
  venue = 0;
  bookMs = Number.NEGATIVE_INFINITY;
  // position (mantissa, signed) and P&L (quote currency)
  position = 0;
  avgPrice = 0;
  realized = 0;
  fees = 0;
  /** realized - fees exactly: the position record's mantissas at its money scale. */
  realizedNet = 0n;
  moneyScale = 0;
  // exposure not yet in the position (mantissas, >= 0)
  openBuy = 0;
  openSell = 0;
  pendingBuy = 0;
  pendingSell = 0;
  /** Notional (quote) of open orders and pending intents, both sides. */
  openNotional = 0;
  /** Has had a position, an order or a reservation (counted in the portfolio sums). */
  engaged = false;
  /** What this instrument last added to the portfolio's gross exposure and equity sums. */
  countedGross = 0;
  countedEquity = 0;
  // limits in mantissas / quote currency
  readonly maxOrderQty: number;
  readonly maxPosition: number;
  readonly maxOrderNotional: number;
  readonly session: SessionClock;

  constructor(
    readonly spec: InstrumentSpec,
    cfg: RiskConfig,
    sessions: Map<string, SessionClock>,
  ) {
    this.pxUnit = 1 / pow10(spec.priceScale);
    this.szUnit = 1 / pow10(spec.sizeScale);
    const own: InstrumentLimits = cfg.instruments[`${spec.venue}:${spec.symbol}`] ?? {};
    this.maxOrderQty = Math.round((own.maxOrderQty ?? cfg.maxOrderQty) * pow10(spec.sizeScale));
    this.maxPosition = Math.round((own.maxPosition ?? cfg.maxPosition) * pow10(spec.sizeScale));
    this.maxOrderNotional = own.maxOrderNotional ?? cfg.maxOrderNotional;
    const cls = own.class ?? cfg.defaultClass;
    let clock = sessions.get(cls);
    if (!clock) {
      const c = cfg.sessionClasses[cls];
      if (!c) throw new RangeError(`unknown session class '${cls}'`);
      clock = new SessionClock(c);
      sessions.set(cls, clock);
    }
    this.session = clock;
  }

  /** Quote-currency value of `size` mantissa at `price` mantissa. */
  notional(price: number, size: number): number {
    return price * this.pxUnit * size * this.szUnit;
  }

  /** Unrealized P&L at mid (quote currency). */
  unrealized(): number {
    if (this.position === 0 || !(this.mid > 0)) return 0;
    return this.position * this.szUnit * (this.mid - this.avgPrice) * this.pxUnit;
  }

  /** |position| at mid, quote currency. */
  exposure(): number {
    const px = this.mid > 0 ? this.mid : this.avgPrice;
    return Math.abs(this.position) * this.szUnit * px * this.pxUnit;
  }

  /** True if a `side` order of `size` only shrinks |position| (counting other reducing orders). */
  reduces(side: number, size: number): boolean {
    if (side === 0) return this.position < 0 && this.position + this.openBuy + this.pendingBuy + size <= 0;
    return this.position > 0 && this.position - this.openSell - this.pendingSell - size >= 0;
  }
}
