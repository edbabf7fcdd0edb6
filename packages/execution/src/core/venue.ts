/**
 * The port between the execution core and a venue gateway. The core calls `VenuePort` (each
 * call sends at most one request; false = not sent because the venue is down; a port that holds
 * keeps the request's bytes until `release()`, see core/group-commit.ts) and receives
 * `VenueMessage`s: execution reports, errors and query answers, already converted to
 * instrument ids and mantissas by the gateway.
 */

export type VenueOrderStatus = 'open' | 'partially_filled' | 'filled' | 'canceled' | 'rejected';

export interface VenueOrderState {
  readonly clientOrderId: string;
  readonly venueOrderId: string;
  readonly instrument: number;
  readonly side: number;
  readonly type: number;
  /** Mantissa; 0 for market orders. */
  readonly price: number;
  readonly size: number;
  readonly filled: number;
  readonly status: VenueOrderStatus;
}

export interface VenueFill {
  readonly fillId: string;
  /** The execution-report sequence number that carried the fill. */
  readonly seq: number;
  readonly clientOrderId: string;
  readonly venueOrderId: string;
  readonly instrument: number;
  readonly side: number;
  readonly price: number;
  readonly size: number;
  /** Quote currency, a mantissa at feeScale (the instrument's moneyScale); negative = rebate. */
  readonly fee: number;
  readonly feeScale: number;
  readonly maker: boolean;
  readonly tsMs: number;
}

export type VenueMessage =
  | { readonly kind: 'connected' }
  | { readonly kind: 'disconnected'; readonly reason: string }
  /** The venue acknowledged a cancel_all. */
  | { readonly kind: 'cancel-all-done' }
  | {
      readonly kind: 'report';
      readonly seq: number;
      readonly event: 'new' | 'trade' | 'canceled' | 'rejected';
      readonly order: VenueOrderState;
      readonly fill: VenueFill | null;
      readonly reason: string;
      readonly tsMs: number;
    }
  /** A new_order request refused without an order (e.g. duplicate client id, unknown instrument). */
  | { readonly kind: 'order-error'; readonly clientOrderId: string; readonly code: string; readonly message: string }
  | { readonly kind: 'cancel-error'; readonly clientOrderId: string; readonly code: string }
  | { readonly kind: 'open-orders'; readonly seq: number; readonly orders: readonly VenueOrderState[] }
  | { readonly kind: 'fills'; readonly seq: number; readonly fills: readonly VenueFill[] };

export interface NewOrderRequest {
  readonly clientOrderId: string;
  readonly instrument: number;
  readonly side: number;
  readonly type: number;
  readonly tif: number;
  readonly price: number;
  readonly size: number;
}

export interface VenuePort {
  readonly connected: boolean;
  newOrder(o: NewOrderRequest): boolean;
  cancel(clientOrderId: string): boolean;
  cancelAll(): boolean;
  openOrders(): boolean;
  fills(sinceSeq: number): boolean;
  /**
   * Ports that do I/O implement these three for group commit. `hold()`: from now on (one-way)
   * every request is answered at once exactly as if it had been sent (the same checks, the same
   * bookkeeping, the same true/false), but its bytes wait until `release()`, which sends all of
   * them in call order and returns how many. A request still held when the connection drops is
   * dropped with it, like one in flight (the core reconciles on reconnect).
   */
  hold?(): void;
  release?(): number;
  /** Requests waiting for `release()`. */
  readonly held?: number;
  /**
   * Takes back a held new order before release (its data went stale while its unit committed):
   * true if it was held and is now forgotten, as if never sent.
   */
  discardHeld?(clientOrderId: string): boolean;
  /** True while a new order with this id waits for release (false once sent, or lost with its connection). */
  isHeld?(clientOrderId: string): boolean;
}
