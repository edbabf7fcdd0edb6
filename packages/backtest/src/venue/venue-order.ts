/**
 * An order at the local venue, and the per-instrument state the venue keeps: the market book
 * (always), the live flag, the resting orders per side in time priority (queue tracking is only
 * done where these are non-empty), the fee rates and the statistics.
 */

import type { VenueOrderState, VenueOrderStatus } from '@tickline/execution';
import type { InstrumentSpec } from '@tickline/wire';
import type { QueuePosition } from './queue-model.js';
import { InstrumentStats } from './stats.js';
import { VenueBook } from './venue-book.js';

export class VenueOrder implements QueuePosition {
  readonly clientOrderId: string;
  readonly venueOrderId: string;
  readonly instrument: number;
  readonly side: number;
  readonly type: number;
  readonly tif: number;
  readonly price: number;
  readonly size: number;
  filled = 0;
  status: VenueOrderStatus = 'open';
  front = 0;
  tradedSinceChange = 0;
  /** Venue time it started resting (NaN until it rests). */
  restedAt = Number.NaN;
  /** Venue time of its first maker fill (NaN until then). */
  firstMakerFillAt = Number.NaN;

  constructor(
    clientOrderId: string,
    venueOrderId: string,
    req: { instrument: number; side: number; type: number; tif: number; price: number; size: number },
  ) {
    this.clientOrderId = clientOrderId;
    this.venueOrderId = venueOrderId;
    this.instrument = req.instrument;
    this.side = req.side;
    this.type = req.type;
    this.tif = req.tif;
    this.price = req.price;
    this.size = req.size;
  }

  get remaining(): number {
    return this.size - this.filled;
  }

  get open(): boolean {
    return this.status === 'open' || this.status === 'partially_filled';
  }

  /** A frozen copy for a message (a report keeps the state of its moment). */
  state(): VenueOrderState {
    return Object.freeze({
      clientOrderId: this.clientOrderId,
      venueOrderId: this.venueOrderId,
      instrument: this.instrument,
      side: this.side,
      type: this.type,
      price: this.price,
      size: this.size,
      filled: this.filled,
      status: this.status,
    });
  }
}

export class VenueInstrument {
  readonly spec: InstrumentSpec;
  readonly book = new VenueBook();
  /** False until a snapshot (or bookUp) and after bookDown: nothing trades. */
  live = false;
  /** Resting buys and sells, each in time priority. */
  readonly buys: VenueOrder[] = [];
  readonly sells: VenueOrder[] = [];
  /** Highest resting buy price (-Infinity when none) and lowest resting sell (+Infinity). */
  maxBuy = Number.NEGATIVE_INFINITY;
  minSell = Number.POSITIVE_INFINITY;
  /** Fee rates in 10^-4 bps. */
  readonly makerUnits: number;
  readonly takerUnits: number;
  readonly stats = new InstrumentStats();

  constructor(spec: InstrumentSpec, makerUnits: number, takerUnits: number) {
    this.spec = spec;
    this.makerUnits = makerUnits;
    this.takerUnits = takerUnits;
  }

  get resting(): number {
    return this.buys.length + this.sells.length;
  }

  rest(o: VenueOrder): void {
    if (o.side === 0) {
      this.buys.push(o);
      if (o.price > this.maxBuy) this.maxBuy = o.price;
    } else {
      this.sells.push(o);
      if (o.price < this.minSell) this.minSell = o.price;
    }
  }

  unrest(o: VenueOrder): void {
    const list = o.side === 0 ? this.buys : this.sells;
    const i = list.indexOf(o);
    if (i >= 0) list.splice(i, 1);
    if (o.side === 0) {
      let m = Number.NEGATIVE_INFINITY;
      for (const x of list) if (x.price > m) m = x.price;
      this.maxBuy = m;
    } else {
      let m = Number.POSITIVE_INFINITY;
      for (const x of list) if (x.price < m) m = x.price;
      this.minSell = m;
    }
  }
}
