/**
 * The exchange's own L2 book for one instrument: price levels in ticks, sizes in lots, both sides
 * kept sorted best-first in plain arrays (10-50 levels a side, so insertion is cheap). Every change is
 * also recorded as pending until the server publishes it as one delta frame.
 */

export type Side = 'bid' | 'ask';

export interface PendingTrade {
  id: number;
  priceTicks: number;
  lots: number;
  /** Side of the aggressor: 'buy' lifted the ask, 'sell' hit the bid. */
  aggressor: 'buy' | 'sell';
}

class BookSide {
  readonly prices: number[] = [];
  readonly sizes: number[] = [];
  /** Price -> absolute size (0 = removed) changed since the last publish. */
  readonly pending = new Map<number, number>();

  constructor(private readonly descending: boolean) {}

  /** Index of `price`, or -(insertionPoint + 1) when absent. */
  find(price: number): number {
    const prices = this.prices;
    let lo = 0;
    let hi = prices.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const p = prices[mid] as number;
      if (p === price) return mid;
      const before = this.descending ? p > price : p < price;
      if (before) lo = mid + 1;
      else hi = mid - 1;
    }
    return -(lo + 1);
  }

  set(price: number, lots: number): void {
    const i = this.find(price);
    if (lots === 0) {
      if (i < 0) return;
      this.prices.splice(i, 1);
      this.sizes.splice(i, 1);
    } else if (i >= 0) {
      if (this.sizes[i] === lots) return;
      this.sizes[i] = lots;
    } else {
      const at = -i - 1;
      this.prices.splice(at, 0, price);
      this.sizes.splice(at, 0, lots);
    }
    this.pending.set(price, lots);
  }

  sizeAt(price: number): number {
    const i = this.find(price);
    return i >= 0 ? (this.sizes[i] as number) : 0;
  }
}

export class SimBook {
  readonly bids = new BookSide(true);
  readonly asks = new BookSide(false);
  readonly pendingTrades: PendingTrade[] = [];
  /** Sequence number of the last published delta frame. */
  seq = 0;
  private nextTradeId = 1;
  private dirty = false;

  constructor(
    readonly index: number,
    private readonly onDirty: (index: number) => void,
  ) {}

  side(side: Side): BookSide {
    return side === 'bid' ? this.bids : this.asks;
  }

  /** Sets the absolute size of a level (0 removes it) and records the change. */
  setLevel(side: Side, priceTicks: number, lots: number): void {
    if (!Number.isSafeInteger(priceTicks) || priceTicks <= 0) throw new RangeError(`bad level price ${priceTicks}`);
    if (!Number.isSafeInteger(lots) || lots < 0) throw new RangeError(`bad level size ${lots}`);
    this.side(side).set(priceTicks, lots);
    this.markDirty();
  }

  recordTrade(priceTicks: number, lots: number, aggressor: 'buy' | 'sell'): PendingTrade {
    const t = { id: this.nextTradeId++, priceTicks, lots, aggressor };
    this.pendingTrades.push(t);
    this.markDirty();
    return t;
  }

  bestBid(): number | undefined {
    return this.bids.prices[0];
  }

  bestAsk(): number | undefined {
    return this.asks.prices[0];
  }

  hasPending(): boolean {
    return this.bids.pending.size > 0 || this.asks.pending.size > 0;
  }

  /** Clears pending changes after they were published (or deliberately dropped). */
  clearPending(): void {
    this.bids.pending.clear();
    this.asks.pending.clear();
    this.pendingTrades.length = 0;
    this.dirty = false;
  }

  private markDirty(): void {
    if (!this.dirty) {
      this.dirty = true;
      this.onDirty(this.index);
    }
  }
}
