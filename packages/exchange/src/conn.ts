import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';
import { WindowCounter } from './faults.js';

/** One client WebSocket connection and what it is subscribed to. */
export class Conn {
  /** Instrument indices of subscribed book channels. */
  readonly book = new Set<number>();
  /** Instrument indices of subscribed trade channels. */
  readonly trades = new Set<number>();
  /** Receives the account's execution reports. */
  orders = false;
  readonly subscribeLimiter = new WindowCounter();
  awaitingPong = false;
  closed = false;
  framesSent = 0;

  constructor(
    readonly id: number,
    readonly ws: WebSocket,
    readonly socket: Duplex,
    readonly account: string,
  ) {}

  get subscriptionCount(): number {
    return this.book.size + this.trades.size + (this.orders ? 1 : 0);
  }

  send(frame: string): void {
    if (this.closed) return;
    this.framesSent++;
    this.ws.send(frame);
  }
}
