/**
 * The server side of one venue's protocol: URL layout, requests and their answers, REST endpoints,
 * how recorded frames reach a subscriber, snapshots and liveness frames. The emulator server
 * (server.ts) does the rest: sockets, the file's timeline, routing, faults and limits.
 */

import type { L2Book } from '@tickline/book';
import type { RecordedFrame } from '@tickline/ingest';
import type { InstrumentRegistry, InstrumentSpec } from '@tickline/wire';
import type { EmulatorConnection, RequestWindow, SubChannel, Subscription } from '../connection.js';
import type { FrameInfo, MarketModel } from '../model.js';
import type { EmulatedVenueName, LogFn } from '../options.js';

export interface RestAnswer {
  readonly status: number;
  readonly body: string;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface NewSubscription {
  readonly channel: SubChannel;
  readonly spec: InstrumentSpec;
  readonly name: string;
  readonly depth?: number;
  readonly chanId?: number;
  /** Snapshot-on-subscribe venues: the book subscription waits for a snapshot (see VenueHost.seed). */
  readonly snapshot: boolean;
}

/** What the server offers a venue protocol. */
export interface VenueHost {
  readonly registry: InstrumentRegistry;
  readonly model: MarketModel;
  readonly log: LogFn;
  /** Exact, case-sensitive lookup of a venue symbol. */
  spec(symbol: string): InstrumentSpec | undefined;
  /** Adds a subscription (null when the connection already holds it). The file starts playing at the first one. */
  subscribe(conn: EmulatorConnection, s: NewSubscription): Subscription | null;
  /** Removes a subscription; false when it was not held. */
  unsubscribe(conn: EmulatorConnection, channel: SubChannel, instrument: number): boolean;
  /** Sends the book snapshot of a waiting subscription now if the file's book is in sync, else when it is. */
  seed(conn: EmulatorConnection, sub: Subscription): void;
  /**
   * A request against the venue's documented limit, per connection (or per IP: conn null): true
   * when within it; false when over it (counted in stats().limitViolations under `name`; the venue
   * answers as it documents).
   */
  within(conn: EmulatorConnection | null, name: string, w: RequestWindow): boolean;
  /** The embedded exchange's subscribeLimit fault: ms the client must wait, 0 = allowed. */
  subscribeFault(conn: EmulatorConnection): number;
  /** The ignorePings fault is on. */
  ignorePings(): boolean;
  /** Resolves true once the book of `instrument` is in sync with the file (false after timeoutMs). */
  whenLive(instrument: number, timeoutMs: number): Promise<boolean>;
  /** Counts a snapshot served over REST. */
  snapshotServed(): void;
  /** Starts the file (the first REST snapshot request also starts it). */
  startTimeline(): void;
}

export interface EmulatedVenue {
  readonly venue: EmulatedVenueName;
  /** The WebSocket path a client should connect to (printed as venue-url). */
  readonly wsPath: string;
  /** The venue's documented connection-attempt limit (per IP), or null. */
  readonly connectLimit: RequestWindow | null;
  /** Incoming messages per connection (text, ping and pong frames) the venue allows; over it the connection is closed. */
  readonly messageLimit: RequestWindow | null;
  /** Server-initiated WebSocket pings (Binance), ms; 0 = none. */
  readonly pingIntervalMs: number;
  acceptsPath(path: string): boolean;
  /** Frames sent on connect, subscriptions named in the URL. */
  open(conn: EmulatorConnection, host: VenueHost): void;
  /** A text frame from the client. */
  request(conn: EmulatorConnection, text: string, host: VenueHost): void;
  /** A GET on a REST path: the answer, or null for 404. */
  rest(path: string, query: URLSearchParams, host: VenueHost): RestAnswer | Promise<RestAnswer | null> | null;
  /** A recorded frame as a live subscriber receives it (null: not sent). */
  forward(conn: EmulatorConnection, sub: Subscription, frame: RecordedFrame, info: FrameInfo, host: VenueHost): string | Buffer | null;
  /**
   * Venues that serve a subscriber's own depth generate book updates from the model instead of
   * forwarding recorded book frames (Kraken): called once per book frame per subscriber.
   */
  bookUpdate?(conn: EmulatorConnection, sub: Subscription, info: FrameInfo, host: VenueHost): string | null;
  /** Called after every book frame has been routed (Kraken keeps its per-depth views). */
  afterBookFrame?(instrument: number, host: VenueHost): void;
  /** The snapshot message of a book subscription, from the model's book in sync with the file. */
  snapshot(conn: EmulatorConnection, sub: Subscription, book: L2Book, host: VenueHost): string | null;
  /** Liveness frames for a connection, every heartbeat interval. */
  heartbeat(conn: EmulatorConnection, host: VenueHost): string[];
}
