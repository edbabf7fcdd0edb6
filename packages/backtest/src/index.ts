export {
  FillModelConfigError,
  LatencyFileError,
  VENUE_CODES,
  VenueTimeError,
} from './venue/errors.js';
export {
  DEFAULT_FEES,
  FEE_RATE_DECIMALS,
  type FeeOverrides,
  type FeeRates,
  feeRatesFor,
  fillFee,
  INSTRUMENT_CLASSES,
  type InstrumentClass,
  instrumentClass,
  rateUnits,
} from './venue/fees.js';
export {
  createLatencyModel,
  type LatencyModel,
  type LatencySettings,
  type LatencySpec,
  loadLatencySamples,
  MAX_LATENCY_MS,
  parseLatencySamples,
} from './venue/latency.js';
export { type Deliver, LocalVenue, type LocalVenueOptions } from './venue/local-venue.js';
export {
  createQueueModel,
  QUEUE_MODELS,
  QUEUE_SAMPLING,
  type QueueSampling,
  type QueueModel,
  type QueueModelName,
  type QueuePosition,
  queueProbability,
} from './venue/queue-model.js';
export type { FillModelSettings, InstrumentFillStats } from './venue/stats.js';
export { VenueBook, VenueBookSide } from './venue/venue-book.js';
export {
  createLocalVenue,
  type FillModelConfig,
  latencySchema,
  resolveFillModelConfig,
  validateFillModelConfig,
} from './venue/config.js';
export { THROUGH_TRADE_RULES, type ThroughTradeRule } from './venue/queue-model.js';
export type { FeeRatesOverride } from './venue/fees.js';
