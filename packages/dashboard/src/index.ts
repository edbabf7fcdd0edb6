export { generateToken, tokenMatches } from './auth.js';
export { type Bar, BarStore } from './bars.js';
export { DASH_ERRORS, type DashErrorCode, DashboardError } from './errors.js';
export type { EventKind, LogEntry } from './event-log.js';
export type { HealthView } from './health.js';
export { type LatencySummary, latencySummaries } from './latency.js';
export {
  DASHBOARD_DEFAULTS,
  type DashboardHandle,
  type DashboardOptions,
  type EventSource,
  type PipelineLike,
  type WorkerEventLike,
} from './options.js';
export { ROW_FIELDS } from './overview.js';
export type { ClusterSource } from './options.js';
export { startDashboard } from './server.js';
export type { EdgeTiming, StageTiming, TimingView } from './timing-view.js';
export type { PositionView, TradeView, TradingView } from './trading.js';
