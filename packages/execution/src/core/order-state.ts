/**
 * The order state machine. Statuses are the wire's OrderStatus values. The venue is the truth,
 * so a report may skip states (pending-new straight to filled), but never leaves a terminal
 * state and never goes back from partially-filled to accepted.
 */

export const OrderStatus = {
  PendingNew: 0,
  Accepted: 1,
  PartiallyFilled: 2,
  Filled: 3,
  PendingCancel: 4,
  Cancelled: 5,
  Rejected: 6,
  Expired: 7,
} as const;
export type OrderStatusCode = (typeof OrderStatus)[keyof typeof OrderStatus];

export const STATUS_NAMES = [
  'pending-new',
  'accepted',
  'partially-filled',
  'filled',
  'pending-cancel',
  'cancelled',
  'rejected',
  'expired',
] as const;

const S = OrderStatus;
const ALLOWED: Readonly<Record<number, readonly number[]>> = {
  [S.PendingNew]: [S.Accepted, S.PartiallyFilled, S.Filled, S.PendingCancel, S.Cancelled, S.Rejected, S.Expired],
  [S.Accepted]: [S.PartiallyFilled, S.Filled, S.PendingCancel, S.Cancelled, S.Expired],
  [S.PartiallyFilled]: [S.PartiallyFilled, S.Filled, S.PendingCancel, S.Cancelled, S.Expired],
  [S.PendingCancel]: [S.PartiallyFilled, S.Filled, S.Cancelled, S.Expired, S.Accepted],
  [S.Filled]: [],
  [S.Cancelled]: [],
  [S.Rejected]: [],
  [S.Expired]: [],
};

export function isTerminal(status: number): boolean {
  return status === S.Filled || status === S.Cancelled || status === S.Rejected || status === S.Expired;
}

export function canTransition(from: number, to: number): boolean {
  return ALLOWED[from]?.includes(to) ?? false;
}

/** Status after the venue says `filled` of `size` is done (for a live order). */
export function fillStatus(filled: number, size: number): OrderStatusCode {
  return filled >= size ? S.Filled : S.PartiallyFilled;
}
