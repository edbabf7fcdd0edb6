import type { VenueFill, VenueMessage } from '@tickline/execution';
import { InstrumentRegistry, type LevelsLike } from '@tickline/wire';
import { LocalVenue, type LocalVenueOptions } from '../src/index.js';

/** binance-spot BTCUSDT at price scale 2, size scale 3, tick 1, lot 1 (id 1); ETHUSDT lot 10 (id 2). */
export function registry(): InstrumentRegistry {
  const r = new InstrumentRegistry();
  r.add({ venue: 'binance-spot', symbol: 'BTCUSDT', priceScale: 2, sizeScale: 3, tickSize: 1, lotSize: 1 });
  r.add({ venue: 'binance-spot', symbol: 'ETHUSDT', priceScale: 2, sizeScale: 3, tickSize: 5, lotSize: 10 });
  return r;
}

export function levels(pairs: readonly (readonly [number, number])[]): LevelsLike {
  return {
    length: pairs.length,
    price: (i) => (pairs[i] as readonly [number, number])[0],
    size: (i) => (pairs[i] as readonly [number, number])[1],
  };
}

export interface Harness {
  venue: LocalVenue;
  /** Strategy-side clock the venue stamps sends with. */
  clock: { t: number };
  /** Delivered messages with their delivery times. */
  got: { m: VenueMessage; at: number }[];
  run(t: number): void;
  fills(): VenueFill[];
  reports(): Extract<VenueMessage, { kind: 'report' }>[];
}

export function harness(opts: Partial<LocalVenueOptions> = {}): Harness {
  const clock = { t: 0 };
  const venue = new LocalVenue({ registry: registry(), clock: () => clock.t, ...opts });
  const got: { m: VenueMessage; at: number }[] = [];
  return {
    venue,
    clock,
    got,
    run(t) {
      venue.runUntil(t, (m, at) => {
        clock.t = at;
        got.push({ m, at });
      });
      clock.t = Math.max(clock.t, t);
    },
    fills: () => got.flatMap((g) => (g.m.kind === 'report' && g.m.fill ? [g.m.fill] : [])),
    reports: () => got.flatMap((g) => (g.m.kind === 'report' ? [g.m] : [])),
  };
}

/** A limit order request on instrument 1 (BTCUSDT) unless given. */
export function order(
  cid: string,
  side: number,
  price: number,
  size: number,
  extra: { tif?: number; type?: number; instrument?: number } = {},
) {
  return { clientOrderId: cid, instrument: extra.instrument ?? 1, side, type: extra.type ?? 0, tif: extra.tif ?? 0, price, size };
}
