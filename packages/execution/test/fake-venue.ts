import type { ExecutionCore, NewOrderRequest, VenueFill, VenueMessage, VenuePort } from '../src/index.js';

/**
 * A venue port that records what the core asked for. Like the gateway it can hold: while
 * holding, each request is answered at once and arrives (is recorded, `onNewOrder`/`onCancel`
 * run) at `release()`.
 */
export class FakeVenue implements VenuePort {
  connected = true;
  readonly sent: NewOrderRequest[] = [];
  readonly cancels: string[] = [];
  cancelAlls = 0;
  queries: string[] = [];
  onNewOrder: ((o: NewOrderRequest) => void) | null = null;
  onCancel: ((clientOrderId: string) => void) | null = null;
  #held: { run: () => void; newOrder: string }[] | null = null;

  #arrive(request: () => void, newOrder = ''): void {
    if (this.#held) this.#held.push({ run: request, newOrder });
    else request();
  }
  newOrder(o: NewOrderRequest): boolean {
    if (!this.connected) return false;
    this.#arrive(() => {
      this.onNewOrder?.(o);
      this.sent.push(o);
    }, o.clientOrderId);
    return true;
  }
  isHeld(clientOrderId: string): boolean {
    return this.#held?.some((h) => h.newOrder === clientOrderId) ?? false;
  }
  discardHeld(clientOrderId: string): boolean {
    const i = this.#held?.findIndex((h) => h.newOrder === clientOrderId) ?? -1;
    if (i < 0) return false;
    this.#held?.splice(i, 1);
    return true;
  }
  cancel(cid: string): boolean {
    if (!this.connected) return false;
    this.#arrive(() => {
      this.onCancel?.(cid);
      this.cancels.push(cid);
    });
    return true;
  }
  cancelAll(): boolean {
    this.#arrive(() => this.cancelAlls++);
    return this.connected;
  }
  openOrders(): boolean {
    this.#arrive(() => this.queries.push('open_orders'));
    return this.connected;
  }
  fills(since: number): boolean {
    this.#arrive(() => this.queries.push(`fills:${since}`));
    return this.connected;
  }
  hold(): void {
    this.#held ??= [];
  }
  get held(): number {
    return this.#held?.length ?? 0;
  }
  release(): number {
    const held = this.#held?.splice(0) ?? [];
    for (const request of held) request.run();
    return held.length;
  }
}

export interface ReportExtra {
  filled?: number;
  fill?: Partial<VenueFill>;
  reason?: string;
}

/** An execution report for one of the core's orders, as the gateway would deliver it. */
export function venueReport(
  core: ExecutionCore,
  event: 'new' | 'trade' | 'canceled' | 'rejected',
  cid: string,
  seq: number,
  nowMs: number,
  extra: ReportExtra = {},
): VenueMessage {
  const o = core.orders.get(cid);
  const fill: VenueFill | null = extra.fill
    ? {
        fillId: `f${seq}`,
        seq,
        clientOrderId: cid,
        venueOrderId: 'v1',
        instrument: o?.instrument ?? 1,
        side: o?.side ?? 0,
        price: o?.price || 10_000,
        size: 1,
        fee: 1_000_000, // 0.01 at 10^-8
        feeScale: 8,
        maker: false,
        tsMs: nowMs,
        ...extra.fill,
      }
    : null;
  return {
    kind: 'report',
    seq,
    event,
    order: {
      clientOrderId: cid,
      venueOrderId: 'v1',
      instrument: o?.instrument ?? 1,
      side: o?.side ?? 0,
      type: 0,
      price: o?.price ?? 0,
      size: o?.size ?? 0,
      filled: extra.filled ?? 0,
      status: 'open',
    },
    fill,
    reason: extra.reason ?? '',
    tsMs: nowMs,
  };
}
