export * from './canonical.js';
export * from './decimal.js';
export * from './decimal-text.js';
export { Encoder } from './encoder.js';
export {
  Bar,
  BarKind,
  Body,
  BookDeltaBatch,
  BookSnapshot,
  BookState,
  BookView,
  DropMark,
  DropReason as WireDropReason,
  Envelope,
  FeedState,
  Fill,
  FrameKind,
  HaltMark,
  Level,
  OrderEvent,
  OrderIntent,
  OrderStatus,
  OrderType,
  Position,
  QuoteBatch,
  RawFrame,
  ResyncRequest,
  Side,
  Signal,
  StaleMark,
  TimeInForce,
  TradeBatch,
  TradingState,
} from './generated/tickline_generated.js';
export * from './instruments.js';
export { RecordReader } from './reader.js';
export * from './time.js';
export type * from './trading.js';
export * from './venues.js';
export { verifyEnvelope } from './verify.js';
