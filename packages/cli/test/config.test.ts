import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';

function issuesOf(raw: unknown, overrides: Record<string, unknown> = {}): string[] {
  try {
    loadConfig(raw, overrides, 'test');
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).issues.map((i) => `${i.path}: ${i.message}`);
  }
  return [];
}

describe('the config file: one schema for every section', () => {
  it('accepts every stage section it documents', () => {
    const { config } = loadConfig(
      {
        ingest: { heartbeatIntervalMs: 5000, staleAfterMs: 60000, backoff: { baseMs: 200 } },
        book: { depth: 20 },
        signals: { strategies: [{ id: 'r', type: 'random', params: { ratePerSecond: 2 } }] },
        risk: { maxOpenOrders: 5, instruments: { 'sim:AAPL': { maxPosition: 10 } } },
        execution: { marketMove: { policy: 'cancel' } },
      },
      { 'threads.book': '2' },
      'test',
    );
    expect(config.threads.book).toBe(2);
    // Stage sections pass on as given: the stages fill their own defaults (some from freshness).
    expect(config.ingest).toEqual({ heartbeatIntervalMs: 5000, staleAfterMs: 60000, backoff: { baseMs: 200 } });
    expect(config.risk).toEqual({ maxOpenOrders: 5, instruments: { 'sim:AAPL': { maxPosition: 10 } } });
  });

  it('reports every violation of every section at once, each with its full path and what is allowed', () => {
    expect(
      issuesOf({
        threads: { book: 0 },
        ingest: { heartbeatIntervalMs: 5000, heartbeatTimeoutMs: 1000, colour: 'red' },
        book: { depth: 5, viewLevels: 10, venues: { okx: { checksum: 'md5' } } },
        signals: { strategies: [{ type: 'imbalance', params: { side: 'up' } }] },
        risk: { orderRate: { perSecond: 0 }, defaultClass: 'moon' },
        execution: { journal: { synchronous: 'sometimes' }, venue: { url: '' } },
      }),
    ).toEqual([
      'threads.book: must be an integer from 1 to 64, got 0',
      expect.stringMatching(/^ingest\.colour: is not a known setting \(allowed here: maxInstrumentsPerConnection, heartbeatIntervalMs, /),
      'ingest.heartbeatTimeoutMs: must be greater than heartbeatIntervalMs (5000), got 1000',
      'book.venues.okx.checksum: must be one of "none", "okx", "kraken", got "md5"',
      'book.viewLevels: must be at most depth (5), got 10',
      'signals.strategies[0].id: is required (1-64 characters of A-Z a-z 0-9 _ . -)',
      'signals.strategies[0].params.side: must be one of "both", "long", "short", got "up"',
      'risk.orderRate.perSecond: must be a number from 0.001 to 1000000, got 0',
      'risk.defaultClass: must be one of "always", "us-equity", got "moon"',
      'execution.venue.url: must be a ws:// or wss:// URL or null, got ""',
      'execution.journal.synchronous: must be one of "full", "normal", got "sometimes"',
    ]);
  });

  it('prints the issues one per line under the source', () => {
    expect(() => loadConfig({ log: { level: 'loud' } }, {}, 'cfg.yaml')).toThrow(
      'invalid configuration (cfg.yaml):\n  log.level: must be one of "fatal", "error", "warn", "info", "debug", "trace", "silent", got "loud"',
    );
  });
});
