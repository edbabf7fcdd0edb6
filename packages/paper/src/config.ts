/**
 * Paper trading settings. The user's part (config section `paper`): the fill model of the local
 * matching engine. The run's part (filled in by `tickline run`): which venue's live market data
 * feeds it, and for which instruments. Validated up front, every violation reported at once.
 */

import { QUEUE_MODELS, type QueueModelName } from '@tickline/backtest';
import { formatIssues, type Issue, isRecord, num, obj, oneOf, optional, parseConfig } from '@tickline/runtime/config-schema';
import { VENUE_NAMES, type VenueName } from '@tickline/wire';

/** The fill model of paper trading (config section `paper`). */
const FILL_SCHEMA = obj({
  /** Queue position model (docs/backtest.md, Fill model). */
  queue: oneOf(QUEUE_MODELS, 'risk-averse'),
  /** Exponent of the prob-power/prob-log queue models. */
  queueN: num(0.01, 100, 3),
  /** Order entry: from a send to its arrival at the local venue, ms. */
  entryLatencyMs: num(0, 60_000, 0),
  /** Venue answers (acks, fills, cancels): from the venue's action to its delivery, ms. */
  responseLatencyMs: num(0, 60_000, 0),
  /** Fee overrides, bps (default: the venue's published base rates per instrument class). */
  makerFeeBps: optional(num(-100, 1000, 0)),
  takerFeeBps: optional(num(-100, 1000, 0)),
});

export type PaperFillConfig = ReturnType<typeof FILL_SCHEMA.parse>;

export const PAPER_FILL_KEYS = ['queue', 'queueN', 'entryLatencyMs', 'responseLatencyMs', 'makerFeeBps', 'takerFeeBps'] as const;

/** Issues of a `paper` config section (unknown keys rejected). */
export function validatePaperConfig(raw: unknown, path = 'paper'): Issue[] {
  return parseConfig(FILL_SCHEMA, raw ?? {}, path).issues;
}

/** What the paper execution stage gets (stageConfigs.execution.paper). */
export interface PaperStageConfig {
  readonly venue: VenueName;
  /** The venue's market-data WebSocket and REST URLs (the ones ingest uses). */
  readonly url: string;
  readonly restUrl: string;
  /** Venue symbols the strategies trade: the local venue gets these instruments' market data. */
  readonly symbols: readonly string[];
  /** The run's ingest and book options (connection limits, sync rules). */
  readonly ingest?: Record<string, unknown>;
  readonly book?: Record<string, unknown>;
  readonly fill: PaperFillConfig;
}

export class PaperConfigError extends Error {
  readonly code = 'TKL_PAPER_ERR_CONFIG';
  constructor(readonly issues: readonly Issue[]) {
    super(`invalid paper config:\n${formatIssues(issues)}`);
  }
}

/** Checks the run's part and resolves the fill part (defaults filled in). */
export function resolvePaperStageConfig(raw: unknown): PaperStageConfig {
  const issues: Issue[] = [];
  const r = isRecord(raw) ? raw : {};
  if (!isRecord(raw)) issues.push({ path: 'execution.paper', message: 'must be an object' });
  if (!VENUE_NAMES.includes(r.venue as VenueName) || r.venue === 'sim')
    issues.push({ path: 'execution.paper.venue', message: `must be a live venue (${VENUE_NAMES.filter((v) => v !== 'sim').join(', ')})` });
  for (const k of ['url', 'restUrl'] as const)
    if (typeof r[k] !== 'string' || r[k] === '') issues.push({ path: `execution.paper.${k}`, message: 'must be a URL' });
  if (!Array.isArray(r.symbols) || r.symbols.some((s) => typeof s !== 'string'))
    issues.push({ path: 'execution.paper.symbols', message: 'must be a list of venue symbols' });
  const fill = parseConfig(FILL_SCHEMA, r.fill ?? {}, 'execution.paper.fill');
  issues.push(...fill.issues);
  if (issues.length > 0) throw new PaperConfigError(issues);
  return {
    venue: r.venue as VenueName,
    url: r.url as string,
    restUrl: r.restUrl as string,
    symbols: r.symbols as string[],
    ...(isRecord(r.ingest) ? { ingest: r.ingest } : {}),
    ...(isRecord(r.book) ? { book: r.book } : {}),
    fill: fill.value,
  };
}

export type { QueueModelName };
