/**
 * Venue codes -> registry specs, all or nothing: any unknown or mis-cased code throws
 * ERR_INGEST_UNKNOWN_INSTRUMENT naming every offender with its close matches among the venue's
 * codes (the right spelling when only the case or separators differ), so a bad call sends nothing.
 */

import type { InstrumentRegistry, InstrumentSpec, VenueName } from '@tickline/wire';
import { closeMatches } from './close-matches.js';
import { IngestError } from './errors.js';

export class CodeResolver {
  readonly #registry: InstrumentRegistry;
  readonly #venue: VenueName;
  #codes: string[] | null = null;

  constructor(registry: InstrumentRegistry, venue: VenueName) {
    this.#registry = registry;
    this.#venue = venue;
  }

  /** Distinct specs in call order; throws (sending nothing) if any code is unknown. */
  resolve(symbols: readonly string[]): InstrumentSpec[] {
    if (!Array.isArray(symbols)) throw new TypeError('symbols must be an array of venue codes');
    const out: InstrumentSpec[] = [];
    const seen = new Set<number>();
    const unknown: { symbol: unknown; matches: string[] }[] = [];
    for (const s of symbols) {
      const spec = typeof s === 'string' ? this.#registry.lookup(this.#venue, s) : undefined;
      if (!spec) {
        unknown.push({ symbol: s, matches: typeof s === 'string' ? this.matches(s) : [] });
      } else if (!seen.has(spec.id)) {
        seen.add(spec.id);
        out.push(spec);
      }
    }
    if (unknown.length > 0) {
      const list = unknown
        .slice(0, 20)
        .map((u) => `${JSON.stringify(u.symbol)}${describeMatches(u.symbol, u.matches)}`)
        .join(', ');
      const more = unknown.length > 20 ? ` and ${unknown.length - 20} more` : '';
      throw new IngestError(
        'ERR_INGEST_UNKNOWN_INSTRUMENT',
        `not in the ${this.#venue} instrument list: ${list}${more}; nothing was sent`,
        unknown,
      );
    }
    return out;
  }

  /** Close matches of `code` among this venue's codes (best first, at most 3). */
  matches(code: string): string[] {
    if (this.#codes === null) this.#codes = this.#registry.list().flatMap((spec) => (spec.venue === this.#venue ? [spec.symbol] : []));
    return closeMatches(code, this.#codes);
  }
}

function describeMatches(code: unknown, matches: readonly string[]): string {
  if (matches.length === 0) return ' (no close match)';
  const first = matches[0] as string;
  if (typeof code === 'string' && first.toLowerCase() === code.toLowerCase())
    return ` (codes are case-sensitive: did you mean "${first}"?)`;
  return ` (close matches: ${matches.map((m) => `"${m}"`).join(', ')})`;
}
