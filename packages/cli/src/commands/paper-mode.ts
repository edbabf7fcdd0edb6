/**
 * Paper trading in `tickline run`: when it applies, and what the paper execution stage gets.
 *
 * tickline has no live order entry. On a live venue the execution stage is always the paper one
 * (@tickline/paper/worker): its only venue is the local matching engine, so no order can leave for
 * the venue. Paper is the default without an API key; with a key configured, `run` asks for
 * --paper rather than let anyone believe the key is used. On the sim venue (the embedded exchange,
 * itself a local matching engine) --paper is refused.
 */

import type { TicklineConfig } from '../config.js';

export const PAPER_MODULE = import.meta.resolve('@tickline/paper/worker');

/** `run`'s trading mode: `paper` on live venues, `sim` on the embedded exchange; or a usage error. */
export function tradingMode(
  config: TicklineConfig,
  paperFlag: boolean,
  env: NodeJS.ProcessEnv = process.env,
): { mode: 'sim' | 'paper'; why: string } | { error: string } {
  const venue = config.venue.name;
  if (venue === 'sim') {
    if (paperFlag)
      return {
        error:
          '--paper applies to live venues: the sim venue is the embedded exchange, already a local matching engine (run --venue V --paper, V one of the live venues)',
      };
    return { mode: 'sim', why: 'embedded exchange' };
  }
  const key = config.venue.apiKey ?? env.TICKLINE_API_KEY;
  if (paperFlag) return { mode: 'paper', why: '--paper' };
  if (key === undefined || key === '') return { mode: 'paper', why: `no API key configured for ${venue} (venue.apiKey, TICKLINE_API_KEY)` };
  return {
    error: `venue.apiKey is set for ${venue}, but tickline has no live order entry: no order is ever sent to a venue. Run with --paper to trade ${venue}'s live data against the local matching engine`,
  };
}

/**
 * The venue symbols the configured strategies trade: every strategy's `instruments` of this
 * venue, or all the run's symbols when a strategy has none. No strategies: none (the paper venue
 * then opens no market-data connection).
 */
export function tradedSymbols(signals: unknown, venue: string, symbols: readonly string[]): string[] {
  const strategies = (signals as { strategies?: unknown } | null)?.strategies;
  if (!Array.isArray(strategies) || strategies.length === 0) return [];
  const out = new Set<string>();
  for (const s of strategies) {
    const list = (s as { instruments?: unknown } | null)?.instruments;
    if (!Array.isArray(list)) return [...symbols];
    for (const c of list) {
      if (typeof c !== 'string') continue;
      const i = c.indexOf(':');
      if (i < 0) out.add(c);
      else if (c.slice(0, i) === venue) out.add(c.slice(i + 1));
    }
  }
  return [...out].filter((s) => symbols.includes(s));
}

/** The paper execution stage's `paper` config: the market data it opens, the fill model it uses. */
export function paperStageConfig(
  config: TicklineConfig,
  urls: { url: string; restUrl: string },
  symbols: readonly string[],
  signals: unknown,
  book: Record<string, unknown>,
): Record<string, unknown> {
  return {
    venue: config.venue.name,
    url: urls.url,
    restUrl: urls.restUrl,
    symbols: tradedSymbols(signals, config.venue.name, symbols),
    ingest: (config.ingest ?? {}) as Record<string, unknown>,
    book,
    // the user's `paper` section, checked at load; the stage fills its defaults
    fill: config.paper ?? {},
  };
}
