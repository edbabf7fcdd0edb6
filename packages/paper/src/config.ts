/**
 * Paper trading settings. The user's part (config section `paper`): the fill model of the local
 * matching engine, the same settings a backtest's fill model takes. The run's part (filled in by `tickline run`): which venue's live market data
 * feeds it, and for which instruments. Validated up front, every violation reported at once.
 */

import { type FillModelConfig, resolveFillModelConfig, validateFillModelConfig } from '@tickline/backtest';
import { formatIssues, type Issue, isRecord } from '@tickline/runtime/config-schema';
import { VENUE_NAMES, type VenueName } from '@tickline/wire';

/**
 * Issues of a `paper` config section: the fill model's settings, as a backtest takes them
 * (docs/backtest.md, Fill model): queue model, through-trade rule, latencies, seed, fees.
 */
export function validatePaperConfig(raw: unknown, path = 'paper'): Issue[] {
  return validateFillModelConfig(raw ?? {}, path);
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
  /** The fill model (`latency.feed` is not applied: live data comes with its own delay). */
  readonly fill: FillModelConfig;
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
  issues.push(...validateFillModelConfig(r.fill ?? {}, 'execution.paper.fill'));
  if (issues.length > 0) throw new PaperConfigError(issues);
  return {
    venue: r.venue as VenueName,
    url: r.url as string,
    restUrl: r.restUrl as string,
    symbols: r.symbols as string[],
    ...(isRecord(r.ingest) ? { ingest: r.ingest } : {}),
    ...(isRecord(r.book) ? { book: r.book } : {}),
    fill: resolveFillModelConfig(r.fill ?? {}, 'execution.paper.fill'),
  };
}
