/**
 * Plain shapes of the trading records (signal, intent, order event, fill, position). These are
 * low-rate records, so they travel as plain objects between a core and the codec. Prices and
 * sizes are mantissas at the given scales; money (fees, P&L) is a mantissa at its own scale.
 */

export interface SignalInputValue {
  readonly name: string;
  readonly value: number;
}

export interface SignalRecord {
  instrument: number;
  strategy: string;
  side: number;
  strength: number;
  reason: string;
  inputs: readonly SignalInputValue[];
  recvS: number;
  recvNs: number;
}

export interface OrderIntentRecord {
  intentId: number;
  instrument: number;
  venue: number;
  strategy: string;
  side: number;
  type: number;
  tif: number;
  price: number;
  size: number;
  priceScale: number;
  sizeScale: number;
  reduceOnly: boolean;
  reason: string;
  inputs: readonly SignalInputValue[];
  createdS: number;
  createdNs: number;
  recvS: number;
  recvNs: number;
}

export interface OrderEventRecord {
  clientOrderId: string;
  venueOrderId: string;
  instrument: number;
  status: number;
  side: number;
  price: number;
  size: number;
  filled: number;
  priceScale: number;
  sizeScale: number;
  reason: string;
  venueSeq: number;
  tsS: number;
  tsNs: number;
}

export interface FillRecord {
  clientOrderId: string;
  venueOrderId: string;
  fillId: string;
  instrument: number;
  side: number;
  price: number;
  size: number;
  priceScale: number;
  sizeScale: number;
  /** mantissa at feeScale, quote currency (negative = rebate) */
  fee: number;
  feeScale: number;
  liquidityMaker: boolean;
  venueSeq: number;
  tsS: number;
  tsNs: number;
}

export interface PositionRecord {
  instrument: number;
  sizeScale: number;
  priceScale: number;
  /** signed mantissa at sizeScale */
  quantity: number;
  /** mantissa at priceScale, fractional: cost basis / |quantity| (a derived figure) */
  avgPrice: number;
  /** realizedPnl, unrealizedPnl, fees: mantissas at moneyScale (exact below 2^53) */
  realizedPnl: number;
  unrealizedPnl: number;
  fees: number;
  /** wire moneyScale(): max(priceScale + sizeScale, FEE_SCALE) */
  moneyScale: number;
  tsS: number;
  tsNs: number;
}
