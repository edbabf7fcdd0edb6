/** One client socket of the emulator: its subscriptions, counters and request windows. */

import WebSocket from 'ws';

export type SubChannel = 'book' | 'trades' | 'quotes';

export interface Subscription {
  /** `<channel>|<instrument id>`. */
  readonly key: string;
  readonly channel: SubChannel;
  readonly instrument: number;
  /** The venue's symbol as the registry spells it. */
  readonly symbol: string;
  /** The venue's name of the stream or channel as subscribed (`btcusdt@depth@100ms`, `books`, `book-25`). */
  readonly name: string;
  /** Book depth asked for (Kraken); 0 = the venue's. */
  readonly depth: number;
  /** Channel id the venue assigned (Kraken v1). */
  readonly chanId: number;
  /** A book subscription of a snapshot-on-subscribe venue still waiting for its snapshot. */
  awaitingSnapshot: boolean;
}

export interface RequestWindow {
  readonly messages: number;
  readonly windowMs: number;
}

/** Sliding windows of request times, by limit name. */
export class RequestWindows {
  readonly #windows = new Map<string, number[]>();

  /** Records a message; false when it is over the limit. */
  within(name: string, w: RequestWindow, now: number): boolean {
    let times = this.#windows.get(name);
    if (times === undefined) {
      times = [];
      this.#windows.set(name, times);
    }
    while (times.length > 0 && (times[0] as number) <= now - w.windowMs) times.shift();
    times.push(now);
    return times.length <= w.messages;
  }
}

export class EmulatorConnection {
  readonly id: number;
  readonly ws: WebSocket;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly openedAt = Date.now();
  readonly subs = new Map<string, Subscription>();
  /** Per-connection message counter (Coinbase Advanced Trade `sequence_num`). */
  seq = 0;
  sent = 0;
  bytesSent = 0;
  received = 0;
  awaitingPong = false;
  /** Venue-specific state of the connection (Kraken v1 channel ids, OKX connId...). */
  readonly state = new Map<string, unknown>();
  readonly #windows = new RequestWindows();

  constructor(id: number, ws: WebSocket, path: string, query: URLSearchParams) {
    this.id = id;
    this.ws = ws;
    this.path = path;
    this.query = query;
  }

  get open(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  send(data: string | Buffer): void {
    if (this.ws.readyState !== WebSocket.OPEN) return;
    this.sent++;
    this.bytesSent += typeof data === 'string' ? Buffer.byteLength(data) : data.length;
    this.ws.send(data);
  }

  /** Records a message against a sliding window; false when it is over the limit. */
  within(name: string, w: RequestWindow, now: number): boolean {
    return this.#windows.within(name, w, now);
  }
}
