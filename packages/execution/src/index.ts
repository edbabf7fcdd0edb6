export {
  EXECUTION_DEFAULTS,
  type ExecutionConfig,
  ExecutionConfigError,
  resolveExecutionConfig,
  validateExecutionConfig,
  type VenueConfig,
} from './config.js';
export { ExecutionCore, type ExecutionLogSink } from './core/execution-core.js';
export { evaluateExit, type ExitReason, type ExitRules } from './core/exits.js';
export { GroupCommit } from './core/group-commit.js';
export {
  type JournalFill,
  type JournalOrder,
  type JournalPort,
  type JournalState,
  MemoryJournal,
  type OrderPurpose,
} from './core/journal.js';
export { canTransition, fillStatus, isTerminal, OrderStatus, STATUS_NAMES } from './core/order-state.js';
export { intentClientOrderId, type LiveOrder } from './core/orders.js';
export { type ClosedTrade, Position, PositionBook, type TradeStats } from './core/positions.js';
export { FILLS_PAGE, Reconciler } from './core/reconcile.js';
export type { NewOrderRequest, VenueFill, VenueMessage, VenueOrderState, VenueOrderStatus, VenuePort } from './core/venue.js';
export { type WsGatewayOptions, WsVenueGateway } from './gateway/ws-gateway.js';
export { JournalError, SqliteJournal } from './journal/sqlite-journal.js';
export { executionReport } from './report.js';
