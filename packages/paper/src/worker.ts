/**
 * The execution stage in paper mode (`tickline run --paper`, the default on a live venue without
 * an API key): the same execution core, journal and group commit as the live stage, trading
 * through a PaperVenue: the local matching engine on the venue's live market data.
 *
 * No order can leave for a venue from this stage: the only venue link it builds is the
 * PaperVenue; `execution.venue.url` is ignored (the WebSocket gateway is never constructed).
 */

import { createExecutionStageWith } from '@tickline/execution/worker';
import type { StageContext, StageCore } from '@tickline/runtime';
import { partitionOf } from '@tickline/wire';
import { resolvePaperStageConfig } from './config.js';
import { PaperFeed } from './paper-feed.js';
import { PaperVenue } from './paper-venue.js';

export default function createPaperExecutionStage(ctx: StageContext): StageCore {
  const { paper: raw, ...execution } = (ctx.config ?? {}) as Record<string, unknown>;
  const paper = resolvePaperStageConfig(raw);
  // this partition's instruments: the ones the runtime routes to it
  const symbols = paper.symbols.filter((s) => {
    const spec = ctx.registry.lookup(paper.venue, s);
    return spec !== undefined && (ctx.partitions === 1 || partitionOf(spec.id, ctx.partitions) === ctx.partition);
  });
  const stage = createExecutionStageWith({ ...ctx, config: execution }, ({ onMessage, log }) => {
    let venue: PaperVenue | null = null;
    const feed =
      symbols.length === 0
        ? undefined
        : new PaperFeed({
            venue: paper.venue,
            url: paper.url,
            restUrl: paper.restUrl,
            registry: ctx.registry,
            symbols,
            ...(paper.ingest !== undefined ? { ingest: paper.ingest } : {}),
            ...(paper.book !== undefined ? { book: paper.book } : {}),
            market: {
              snapshot: (i, b, a) => venue?.snapshot(i, b, a),
              level: (i, s, p, z) => venue?.level(i, s, p, z),
              trade: (i, p, z, g) => venue?.trade(i, p, z, g),
              bookDown: (i) => venue?.bookDown(i),
            },
            log: (level, msg, data) => log[level](msg, data),
          });
    venue = new PaperVenue({
      registry: ctx.registry,
      fill: paper.fill,
      onMessage,
      ...(feed !== undefined ? { feed } : {}),
      log: (msg, data) => log.warn(msg, data),
    });
    log.info('paper trading: orders match locally, none is sent to the venue', {
      venue: paper.venue,
      instruments: symbols.length,
      fillModel: venue.venue.settings(),
    });
    return venue;
  });
  return stage;
}
