/**
 * What `startDashboard` takes, its defaults in one constant, and the checks that reject misuse
 * with the exact option named (TypeError / RangeError), piscina-style.
 */

import type { MarketViewTable } from '@tickline/runtime';
import type { InstrumentRegistry } from '@tickline/wire';
import type { Logger } from 'pino';

export interface WorkerEventLike {
  readonly event: string;
  readonly data: unknown;
  readonly stage: string;
  readonly partition: number;
}

/** The slice of the runtime's `Pipeline` the dashboard uses (a fake one in tests). */
export interface PipelineLike {
  stats(): Promise<unknown>;
  ringStats(): unknown[];
  command(stage: string, command: string, args: unknown, partition?: number): Promise<unknown[]>;
}

export interface EventSource {
  on(fn: (e: WorkerEventLike) => void): () => void;
}

export interface DashboardOptions {
  /** Interface to bind. Default '127.0.0.1' (loopback). */
  host?: string;
  /** TCP port; 0 = ephemeral. Default 8080. */
  port?: number;
  /** Bearer token for /api and the live socket; generated when absent. */
  token?: string;
  pipeline: PipelineLike;
  marketView: MarketViewTable;
  registry: InstrumentRegistry;
  events: EventSource;
  log: Logger;
  venue: string;
  /**
   * Paper trading: orders match in a local engine on the venue's live data, none is sent to the
   * venue. The page shows a PAPER badge in its header. Default false.
   */
  paper?: boolean;
  /** Live snapshot rate (Hz) of the market overview. Default 4. */
  liveHz?: number;
  /** Pipeline stats poll period (ms) for health and metrics. Default 1000. */
  statsMs?: number;
  /** Seconds per time bar sampled from the market view. Default 5. */
  barSeconds?: number;
  /** Bars kept per instrument. Default 120. */
  barsKept?: number;
  /** Events kept for the live log. Default 500. */
  eventsKept?: number;
  /** Print the URL (with the token in its fragment) once at start. Default true. */
  announce?: boolean;
  /** A cluster node: its name labels every /metrics series, and /api/cluster shows every node. */
  cluster?: ClusterSource | null;
}

/** What a cluster node shows of the cluster (@tickline/cluster's ClusterView). */
export interface ClusterSource {
  readonly node: string;
  snapshot(): {
    readonly nodes: readonly { readonly name: string; readonly up: boolean; readonly stats: { readonly lagMs: number | null } | null }[];
  };
}

export interface DashboardHandle {
  /** Base URL, e.g. http://127.0.0.1:8080/ (no token). */
  readonly url: string;
  readonly token: string;
  close(): Promise<void>;
}

export const DASHBOARD_DEFAULTS = {
  host: '127.0.0.1',
  port: 8080,
  liveHz: 4,
  statsMs: 1000,
  barSeconds: 5,
  barsKept: 120,
  eventsKept: 500,
  announce: true,
} as const;

export type ResolvedOptions = Required<Omit<DashboardOptions, 'token'>> & { token: string };

function intIn(name: string, v: unknown, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max)
    throw new RangeError(`options.${name} must be an integer from ${min} to ${max}, got ${String(v)}`);
  return v;
}

export function resolveOptions(opts: DashboardOptions, makeToken: () => string): ResolvedOptions {
  if (opts === null || typeof opts !== 'object') throw new TypeError('options must be an object');
  const p = opts.pipeline as Partial<PipelineLike> | undefined;
  if (!p || typeof p.stats !== 'function' || typeof p.ringStats !== 'function' || typeof p.command !== 'function')
    throw new TypeError('options.pipeline must have stats(), ringStats() and command()');
  if (!opts.marketView || typeof opts.marketView.read !== 'function') throw new TypeError('options.marketView must be a MarketViewTable');
  if (!opts.registry || typeof opts.registry.list !== 'function') throw new TypeError('options.registry must be an InstrumentRegistry');
  if (!opts.events || typeof opts.events.on !== 'function') throw new TypeError('options.events must have on(listener)');
  if (!opts.log || typeof opts.log.child !== 'function') throw new TypeError('options.log must be a pino logger');
  if (typeof opts.venue !== 'string' || opts.venue.length === 0) throw new TypeError('options.venue must be a non-empty string');
  if (opts.paper !== undefined && typeof opts.paper !== 'boolean') throw new TypeError('options.paper must be a boolean');
  const host = opts.host ?? DASHBOARD_DEFAULTS.host;
  if (typeof host !== 'string' || host.length === 0) throw new TypeError('options.host must be a non-empty string');
  if (opts.cluster != null && (typeof opts.cluster.node !== 'string' || typeof opts.cluster.snapshot !== 'function'))
    throw new TypeError('options.cluster must have node (a string) and snapshot()');
  if (opts.token !== undefined && (typeof opts.token !== 'string' || opts.token.length < 16 || !/^[\x21-\x7e]+$/.test(opts.token)))
    throw new TypeError('options.token must be at least 16 printable ASCII characters without spaces');
  return {
    host,
    port: intIn('port', opts.port ?? DASHBOARD_DEFAULTS.port, 0, 65535),
    token: opts.token ?? makeToken(),
    pipeline: opts.pipeline,
    marketView: opts.marketView,
    registry: opts.registry,
    events: opts.events,
    log: opts.log,
    venue: opts.venue,
    paper: opts.paper === true,
    liveHz: intIn('liveHz', opts.liveHz ?? DASHBOARD_DEFAULTS.liveHz, 1, 20),
    statsMs: intIn('statsMs', opts.statsMs ?? DASHBOARD_DEFAULTS.statsMs, 100, 60_000),
    barSeconds: intIn('barSeconds', opts.barSeconds ?? DASHBOARD_DEFAULTS.barSeconds, 1, 3600),
    barsKept: intIn('barsKept', opts.barsKept ?? DASHBOARD_DEFAULTS.barsKept, 10, 10_000),
    eventsKept: intIn('eventsKept', opts.eventsKept ?? DASHBOARD_DEFAULTS.eventsKept, 10, 100_000),
    announce: opts.announce ?? DASHBOARD_DEFAULTS.announce,
    cluster: opts.cluster ?? null,
  };
}
