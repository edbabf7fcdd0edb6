export {
  PaperConfigError,
  type PaperStageConfig,
  resolvePaperStageConfig,
  validatePaperConfig,
} from './config.js';
export { PaperFeed, type PaperFeedOptions, type PaperMarket } from './paper-feed.js';
export { PaperVenue, type PaperVenueOptions } from './paper-venue.js';
