import type { NewOrderRequest, VenuePort } from '../src/index.js';

/** A venue port that records what the core asked for. */
export class FakeVenue implements VenuePort {
  connected = true;
  readonly sent: NewOrderRequest[] = [];
  readonly cancels: string[] = [];
  cancelAlls = 0;
  queries: string[] = [];
  onNewOrder: ((o: NewOrderRequest) => void) | null = null;
  newOrder(o: NewOrderRequest): boolean {
    if (!this.connected) return false;
    this.onNewOrder?.(o);
    this.sent.push(o);
    return true;
  }
  cancel(cid: string): boolean {
    if (!this.connected) return false;
    this.cancels.push(cid);
    return true;
  }
  cancelAll(): boolean {
    this.cancelAlls++;
    return this.connected;
  }
  openOrders(): boolean {
    this.queries.push('open_orders');
    return this.connected;
  }
  fills(since: number): boolean {
    this.queries.push(`fills:${since}`);
    return this.connected;
  }
}
