/**
 * Venue table: the numeric ids carried in wire records (`venue: ushort`). Ids are stable: they
 * are written into recordings, so a venue keeps its number forever and new venues append.
 */
export const VENUES = Object.freeze({
  sim: 1,
  'binance-spot': 2,
  'binance-usdm': 3,
  'binance-coinm': 4,
  coinbase: 5,
  'coinbase-legacy': 6,
  kraken: 7,
  'kraken-v1': 8,
  okx: 9,
} as const);

export type VenueName = keyof typeof VENUES;
export type VenueId = (typeof VENUES)[VenueName];

export const VENUE_NAMES: readonly VenueName[] = Object.freeze(Object.keys(VENUES) as VenueName[]);

const byId = new Map<number, VenueName>(VENUE_NAMES.map((name) => [VENUES[name], name]));

export function isVenueName(value: unknown): value is VenueName {
  return typeof value === 'string' && Object.hasOwn(VENUES, value);
}

export function venueId(name: VenueName): VenueId {
  return VENUES[name];
}

/** The venue name for a wire id, or undefined for an id this build does not know. */
export function venueName(id: number): VenueName | undefined {
  return byId.get(id);
}
