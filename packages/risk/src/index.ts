export {
  type CostModel,
  type InstrumentLimits,
  RISK_DEFAULTS,
  type RiskConfig,
  RiskConfigError,
  resolveRiskConfig,
  SESSION_NAMES,
  type SessionClass,
  type SessionName,
  type SessionRules,
  validateRiskConfig,
} from './config.js';
export { InstrumentRisk } from './core/book-state.js';
export { checkInput, REJECT_REASONS, type RejectReason, roundTripCostBps } from './core/checks.js';
export { intentIdOf, RiskCore, type RiskLogSink, TRADING_STATE_NAMES, TradingState } from './core/risk-core.js';
export { parseWindow, SessionClock } from './core/sessions.js';
export { TokenBucket } from './core/token-bucket.js';
