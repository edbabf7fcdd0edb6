/**
 * The journal port: every order state and fill is written here (durably, by the real
 * implementation) before the core acts on it downstream. `MemoryJournal` is the in-process
 * implementation for tests and journal-less runs.
 */

export type OrderPurpose = 'entry' | 'exit' | 'reprice' | 'external';

export interface JournalOrder {
  clientOrderId: string;
  venueOrderId: string;
  intentId: number;
  instrument: number;
  side: number;
  type: number;
  tif: number;
  price: number;
  size: number;
  filled: number;
  /** wire OrderStatus */
  status: number;
  purpose: OrderPurpose;
  strategy: string;
  reason: string;
  createdMs: number;
  updatedMs: number;
}

export interface JournalFill {
  readonly fillId: string;
  readonly clientOrderId: string;
  readonly venueOrderId: string;
  readonly instrument: number;
  readonly side: number;
  readonly price: number;
  readonly size: number;
  readonly fee: number;
  readonly maker: boolean;
  readonly venueSeq: number;
  readonly tsMs: number;
  /** Learned from a reconciliation query rather than a live report. */
  readonly synthesized: boolean;
}

export interface JournalState {
  readonly orders: JournalOrder[];
  /** In the order they were journaled. */
  readonly fills: JournalFill[];
  readonly lastSeq: number;
}

export interface JournalPort {
  load(): JournalState;
  /**
   * One atomic, durable write: order rows (upserted), at most one fill, and the last applied
   * venue sequence (null = unchanged). Returns false if the fill was already journaled (then
   * nothing of this call is written: the caller must not apply it again).
   */
  record(orders: readonly JournalOrder[], fill: JournalFill | null, lastSeq: number | null): boolean;
  close(): void;
}

export class MemoryJournal implements JournalPort {
  readonly orders = new Map<string, JournalOrder>();
  readonly fills: JournalFill[] = [];
  readonly #fillIds = new Set<string>();
  lastSeq = 0;
  writes = 0;

  load(): JournalState {
    return { orders: [...this.orders.values()].map((o) => ({ ...o })), fills: [...this.fills], lastSeq: this.lastSeq };
  }

  record(orders: readonly JournalOrder[], fill: JournalFill | null, lastSeq: number | null): boolean {
    if (fill && this.#fillIds.has(fill.fillId)) return false;
    this.writes++;
    for (const o of orders) this.orders.set(o.clientOrderId, { ...o });
    if (fill) {
      this.#fillIds.add(fill.fillId);
      this.fills.push(fill);
    }
    if (lastSeq !== null && lastSeq > this.lastSeq) this.lastSeq = lastSeq;
    return true;
  }

  close(): void {}
}
