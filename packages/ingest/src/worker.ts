/**
 * The ingest stage as the runtime runs it: a source core. It owns the venue connections of its
 * partition (the instruments whose partition is this worker's) and emits raw frames; control
 * commands subscribe, unsubscribe and re-seed at run time.
 */

import { createLogger, type LogLevel, type StageContext, type StageCore } from '@tickline/runtime';
import { isVenueName, partitionOf } from '@tickline/wire';
import { createIngestSource } from './connection/index.js';
import { createReplayStage } from './recording/replay-source.js';
import type { Channel } from './venues/types.js';

export interface IngestStageConfig {
  venue: string;
  url?: string;
  restUrl?: string;
  /** Symbols to subscribe, as the venue spells them. */
  symbols: string[];
  channels?: Channel[];
  config?: unknown;
  logLevel?: LogLevel;
}

export default function createIngestStage(ctx: StageContext): StageCore {
  // A replay (tickline replay) feeds frames from a file instead of sockets.
  if ((ctx.config as { replay?: unknown }).replay !== undefined) return createReplayStage(ctx);
  const cfg = ctx.config as IngestStageConfig;
  if (!isVenueName(cfg.venue)) throw new TypeError(`ingest.venue must be a known venue, got ${String(cfg.venue)}`);
  const venue = cfg.venue;
  const log = createLogger(cfg.logLevel ?? 'info').child({ stage: 'ingest', partition: ctx.partition, venue });
  const mine = (symbol: string) => {
    const spec = ctx.registry.lookup(venue, symbol);
    return spec === undefined || partitionOf(spec.id, ctx.partitions) === ctx.partition;
  };
  const source = createIngestSource({
    venue,
    ...(cfg.url !== undefined ? { url: cfg.url } : {}),
    ...(cfg.restUrl !== undefined ? { restUrl: cfg.restUrl } : {}),
    registry: ctx.registry,
    instruments: cfg.symbols.filter(mine),
    ...(cfg.channels !== undefined ? { channels: cfg.channels } : {}),
    // connection ids must be unique across ingest workers: normalize routes raw frames by them
    config: { ...backlogBounds(cfg.config, ctx.maxDataAgeMs), connIdBase: ctx.partition * 1024 } as never,
    log: (level, msg, data) => log[level](data ?? {}, msg),
  });
  const symbolsOf = (args: unknown): string[] => {
    const list = (args as { symbols?: unknown } | null)?.symbols;
    if (!Array.isArray(list) || !list.every((s) => typeof s === 'string'))
      throw new TypeError('args.symbols must be an array of venue symbols');
    return list.filter(mine);
  };
  return {
    needsEventLoop: true,
    start: (emit) => source.start(emit),
    stop: () => source.stop(),
    stats: () => source.stats(),
    control(command, args) {
      switch (command) {
        case 'subscribe':
          return source.subscribe(symbolsOf(args));
        case 'unsubscribe':
          return source.unsubscribe(symbolsOf(args));
        case 'resync': {
          const id = (args as { instrument?: unknown } | null)?.instrument;
          if (typeof id !== 'number') throw new TypeError('args.instrument must be an instrument id');
          if (partitionOf(id, ctx.partitions) === ctx.partition) source.resync(id);
          return true;
        }
        case 'drop-connections':
          source.dropConnections('operator');
          return true;
        default:
          throw new TypeError(`ingest takes subscribe, unsubscribe, resync or drop-connections, got ${command}`);
      }
    },
  };
}

/**
 * The ingest section with its shedding bounds tied to the run's freshness bound where it sets
 * none: shed at half of `freshness.maxDataAgeMs` (a queue that holds more leaves every decision
 * behind it stale), seed below a fifth of it. Explicit settings win.
 */
function backlogBounds(config: unknown, maxDataAgeMs: number): object {
  const c = (config ?? {}) as Record<string, unknown>;
  if (maxDataAgeMs <= 0 || typeof c !== 'object') return c;
  const max = c.maxBacklogMs ?? Math.max(5, Math.round(maxDataAgeMs / 2));
  const seed = c.seedBacklogMs ?? Math.max(1, Math.min(20, Math.round(maxDataAgeMs / 5)));
  const capped = typeof max === 'number' && max > 0 && typeof seed === 'number' ? Math.min(seed, max) : seed;
  return { ...c, maxBacklogMs: max, seedBacklogMs: capped };
}
