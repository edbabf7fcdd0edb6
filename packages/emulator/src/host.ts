/**
 * What the REST routes (http-routes.ts) and the per-tick connection upkeep (liveness.ts) need of
 * the emulator's server. EmulatorServer (server.ts) implements it; those modules depend on this
 * one only, so the server imports them without an import cycle.
 */

import type { FaultPatch, Faults, InjectedFault } from '@tickline/exchange';
import type { ResolvedOptions } from './options.js';
import type { Timeline } from './timeline.js';
import type { EmulatedVenue, VenueHost } from './venues/types.js';

export interface EmulatorStats {
  venue: string;
  file: string;
  frames: number;
  done: boolean;
  paused: boolean;
  behindMs: number;
  clientWaits: number;
  connections: number;
  connectionsTotal: number;
  subscriptions: number;
  framesSent: number;
  bytesSent: number;
  restRequests: number;
  snapshotsServed: number;
  /** Requests over the venue's documented limits, by limit name: a client that respects them keeps this empty. */
  limitViolations: Record<string, number>;
  faultsInjected: number;
  /** Connections the venue closed at its connection age limit (Binance: 24 h). */
  forcedDisconnects: number;
  /** Frames of the file the venue's parser refused (damage in the file, not the client's). */
  fileRejects: number;
  error: string | null;
}

export interface EmulatorHost extends VenueHost {
  readonly options: ResolvedOptions;
  readonly venue: EmulatedVenue;
  readonly faults: Faults;
  readonly timeline: Timeline;
  /** Connections closed at the venue's connection age limit. */
  forcedDisconnects: number;
  restRequests: number;
  stats(): EmulatorStats;
  injectedFaults(): readonly InjectedFault[];
  applyFaults(p: FaultPatch): void;
  /** Counts a request over one of the venue's documented limits (stats().limitViolations). */
  violation(name: string): void;
}
