/**
 * Venue codes -> registry specs, all or nothing: any unknown or mis-cased code throws
 * ERR_INGEST_UNKNOWN_INSTRUMENT naming every offender (with the right spelling when only the case
 * differs), so a bad call sends nothing.
 */

import type { InstrumentRegistry, InstrumentSpec, VenueName } from '@tickline/wire';
import { IngestError } from './errors.js';

export class CodeResolver {
  readonly #registry: InstrumentRegistry;
  readonly #venue: VenueName;
  #lower: Map<string, string> | null = null;

  constructor(registry: InstrumentRegistry, venue: VenueName) {
    this.#registry = registry;
    this.#venue = venue;
  }

  /** Distinct specs in call order; throws (sending nothing) if any code is unknown. */
  resolve(symbols: readonly string[]): InstrumentSpec[] {
    if (!Array.isArray(symbols)) throw new TypeError('symbols must be an array of venue codes');
    const out: InstrumentSpec[] = [];
    const seen = new Set<number>();
    const unknown: { symbol: unknown; suggestion: string | null }[] = [];
    for (const s of symbols) {
      const spec = typeof s === 'string' ? this.#registry.lookup(this.#venue, s) : undefined;
      if (!spec) {
        unknown.push({ symbol: s, suggestion: typeof s === 'string' ? this.#suggest(s) : null });
      } else if (!seen.has(spec.id)) {
        seen.add(spec.id);
        out.push(spec);
      }
    }
    if (unknown.length > 0) {
      const list = unknown
        .slice(0, 20)
        .map((u) => `${JSON.stringify(u.symbol)}${u.suggestion ? ` (codes are case-sensitive: did you mean "${u.suggestion}"?)` : ''}`)
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

  #suggest(code: string): string | null {
    if (!this.#lower) {
      this.#lower = new Map();
      for (const spec of this.#registry.list()) if (spec.venue === this.#venue) this.#lower.set(spec.symbol.toLowerCase(), spec.symbol);
    }
    return this.#lower.get(code.toLowerCase()) ?? null;
  }
}
