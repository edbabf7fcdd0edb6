/**
 * A venue's instrument list at start-up: fetched from the venue's REST API with retries (network
 * errors, timeouts, 5xx, and 429/418 after Retry-After), parsed by the venue's parser, and cached
 * on disk with its date. When the venue cannot be reached, the last good list is used and the
 * result says so (source 'cache', the cached date, the venue's error), so a restart can go on
 * while the REST endpoint is down. Parsing is injected (the parsers live in @tickline/normalize).
 */

import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type InstrumentInput, isVenueName, type VenueName } from '@tickline/wire';
import { parseRetryAfter, type Random } from '../connection/backoff.js';
import type { LogFn } from '../connection/connection.js';
import { IngestError } from '../connection/errors.js';
import { redactSecrets, redactUrl, secretsOfUrl, withCredentials } from '../connection/redact.js';
import type { FetchLike } from '../connection/rest.js';

/** What a venue's list parser returns (InstrumentListResult of @tickline/normalize). */
export interface ParsedInstrumentList {
  readonly instruments: readonly InstrumentInput[];
  readonly skipped: Readonly<Record<string, number>>;
  readonly samples: readonly { readonly at: string; readonly symbol: string | null; readonly reason: string; readonly detail: string }[];
}

export interface InstrumentListOptions {
  readonly venue: VenueName;
  /** The venue's REST base URL (`https://api.binance.com`). */
  readonly baseUrl: string;
  /** Paths + queries to GET, relative to baseUrl (all are needed). */
  readonly requests: readonly string[];
  /** Reads the bodies (same order as requests); throws TypeError on a document of the wrong shape. */
  readonly parse: (bodies: readonly unknown[]) => ParsedInstrumentList;
  /** Directory of the on-disk cache; null = no cache. */
  readonly cacheDir: string | null;
  /** Attempts per request on retryable failures (default 4). */
  readonly maxAttempts?: number;
  /** First retry delay; doubles per attempt with full jitter, up to 5 s (default 250). */
  readonly retryBaseMs?: number;
  /** Per-request timeout (default 10,000). */
  readonly timeoutMs?: number;
  /** Extra request headers (an API key header where a venue takes one). Never logged. */
  readonly headers?: Readonly<Record<string, string>>;
  readonly fetch?: FetchLike;
  readonly log?: LogFn;
  readonly random?: Random;
  readonly sleep?: (ms: number) => Promise<void>;
}

export interface LoadedInstrumentList extends ParsedInstrumentList {
  readonly venue: VenueName;
  /** 'venue': fetched now; 'cache': the venue could not be used, this is the last good list. */
  readonly source: 'venue' | 'cache';
  /** When the list was fetched from the venue (ISO 8601). */
  readonly fetchedAt: string;
  readonly cacheFile: string | null;
  /** Why the venue's list was not used (source 'cache'), else null. */
  readonly venueError: string | null;
}

const CACHE_FORMAT = 'tickline-instrument-list';
const MAX_RETRY_MS = 5000;

/** Fetches (or falls back to the cached) instrument list. Throws ERR_INGEST_INSTRUMENT_LIST when neither works. */
export async function loadInstrumentList(o: InstrumentListOptions): Promise<LoadedInstrumentList> {
  if (!isVenueName(o.venue)) throw new TypeError(`options.venue must be a venue name, got ${JSON.stringify(o.venue)}`);
  if (typeof o.baseUrl !== 'string' || !/^https?:\/\//.test(o.baseUrl)) throw new TypeError('options.baseUrl must be an http(s) URL');
  if (!Array.isArray(o.requests) || o.requests.length === 0) throw new TypeError('options.requests must be a non-empty array of paths');
  if (typeof o.parse !== 'function') throw new TypeError('options.parse must be a function');
  const secrets = [
    ...Object.values(o.headers ?? {}),
    ...secretsOfUrl(o.baseUrl),
    ...o.requests.flatMap((r) => secretsOfUrl(o.baseUrl + r)),
  ];
  const cacheFile = o.cacheDir === null ? null : join(o.cacheDir, cacheName(o.venue, o.baseUrl));
  let venueError: string;
  try {
    const bodies: unknown[] = [];
    for (const path of o.requests) bodies.push(await fetchJson(o, path, secrets));
    const parsed = o.parse(bodies);
    const loaded: LoadedInstrumentList = {
      venue: o.venue,
      instruments: parsed.instruments,
      skipped: parsed.skipped,
      samples: parsed.samples,
      source: 'venue',
      fetchedAt: new Date().toISOString(),
      cacheFile,
      venueError: null,
    };
    if (cacheFile !== null) writeCache(cacheFile, o, loaded);
    return loaded;
  } catch (err) {
    venueError = redactSecrets(err instanceof Error ? err.message : String(err), secrets);
  }
  const cached = cacheFile === null ? null : readCache(cacheFile, o.venue);
  if (cached === null || typeof cached === 'string') {
    const why =
      typeof cached === 'string' ? `; the cache ${cacheFile} is unusable: ${cached}` : cacheFile ? `; no cached list at ${cacheFile}` : '';
    throw new IngestError('ERR_INGEST_INSTRUMENT_LIST', `${o.venue} instrument list: ${venueError}${why}`, { venue: o.venue });
  }
  o.log?.('warn', 'venue instrument list unavailable: using the cached list', {
    venue: o.venue,
    fetchedAt: cached.fetchedAt,
    cacheFile,
    error: venueError,
  });
  return { ...cached, source: 'cache', cacheFile, venueError };
}

/** One GET with retries; the parsed JSON body. Errors name the redacted URL and the last failure. */
async function fetchJson(o: InstrumentListOptions, path: string, secrets: readonly string[]): Promise<unknown> {
  const { url, headers } = withCredentials(o.baseUrl.replace(/\/+$/, '') + path, o.headers);
  const shown = redactUrl(url);
  const attempts = o.maxAttempts ?? 4;
  const base = o.retryBaseMs ?? 250;
  const random = o.random ?? Math.random;
  const sleep = o.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const doFetch = o.fetch ?? ((u, init) => fetch(u, init));
  let last = '';
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const ctl = new AbortController();
    const timer = setTimeout(() => ctl.abort(), o.timeoutMs ?? 10_000);
    let retryHint = 0;
    try {
      const res = await doFetch(url, { signal: ctl.signal, ...(headers ? { headers } : {}) });
      const text = await res.text();
      if (res.ok) {
        try {
          return JSON.parse(text) as unknown;
        } catch {
          throw new Permanent(
            redactSecrets(
              `GET ${shown} answered ${res.status} with a body that is not JSON (${text.slice(0, 80).replace(/\s+/g, ' ')})`,
              secrets,
            ),
          );
        }
      }
      last = redactSecrets(
        `GET ${shown} answered HTTP ${res.status}${text ? `: ${text.slice(0, 160).replace(/\s+/g, ' ')}` : ''}`,
        secrets,
      );
      if (res.status === 429 || res.status === 418) retryHint = parseRetryAfter(res.headers.get('retry-after'));
      else if (res.status < 500) throw new Permanent(last);
    } catch (err) {
      if (err instanceof Permanent) throw err;
      last = redactSecrets(
        `GET ${shown} failed: ${ctl.signal.aborted ? `no answer within ${o.timeoutMs ?? 10_000} ms` : describe(err)}`,
        secrets,
      );
    } finally {
      clearTimeout(timer);
    }
    if (attempt < attempts) {
      const delay = Math.max(retryHint, Math.round(random() * Math.min(MAX_RETRY_MS, base * 2 ** (attempt - 1))));
      o.log?.('warn', 'instrument list request failed, retrying', { venue: o.venue, attempt, delayMs: delay, error: last });
      await sleep(delay);
    }
  }
  throw new Error(`${last} (${attempts} attempts)`);
}

/** Not worth retrying (a 4xx other than 429/418, a body that is not JSON). */
class Permanent extends Error {}

function describe(err: unknown): string {
  const e = err as { message?: string; cause?: { code?: string; message?: string } };
  const cause = e.cause?.code ?? e.cause?.message;
  return `${e.message ?? String(err)}${cause ? ` (${cause})` : ''}`;
}

/** `<venue>-<host>.json`, safe as a file name; credentials never reach it. */
function cacheName(venue: VenueName, baseUrl: string): string {
  let host = 'venue';
  try {
    host = new URL(baseUrl).host;
  } catch {}
  return `${venue}-${host}.json`.replace(/[^A-Za-z0-9._-]/g, '_');
}

function writeCache(file: string, o: InstrumentListOptions, l: LoadedInstrumentList): void {
  const doc = {
    format: CACHE_FORMAT,
    version: 1,
    venue: l.venue,
    baseUrl: redactUrl(o.baseUrl),
    fetchedAt: l.fetchedAt,
    instruments: l.instruments,
    skipped: l.skipped,
    samples: l.samples,
  };
  try {
    mkdirSync(o.cacheDir as string, { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(doc)}\n`);
    renameSync(tmp, file);
  } catch (err) {
    o.log?.('warn', 'instrument list cache not written', { file, error: (err as Error).message });
  }
}

type Cached = Omit<LoadedInstrumentList, 'source' | 'cacheFile' | 'venueError'>;

/** The cached list, null when there is none, or why it cannot be used. */
function readCache(file: string, venue: VenueName): Cached | string | null {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return null;
  }
  let d: Record<string, unknown>;
  try {
    d = JSON.parse(text) as Record<string, unknown>;
  } catch {
    return 'not JSON';
  }
  if (d?.format !== CACHE_FORMAT || d.version !== 1) return `not a ${CACHE_FORMAT} version 1 file`;
  if (d.venue !== venue) return `it holds ${String(d.venue)}, not ${venue}`;
  if (typeof d.fetchedAt !== 'string' || !Array.isArray(d.instruments)) return 'fetchedAt or instruments missing';
  const ok = d.instruments.every(
    (i: unknown) =>
      i !== null &&
      typeof i === 'object' &&
      (i as InstrumentInput).venue === venue &&
      typeof (i as InstrumentInput).symbol === 'string' &&
      Number.isInteger((i as InstrumentInput).priceScale) &&
      Number.isInteger((i as InstrumentInput).sizeScale),
  );
  if (!ok) return 'an instrument entry is malformed';
  return {
    venue,
    instruments: d.instruments as InstrumentInput[],
    skipped: (d.skipped ?? {}) as Record<string, number>,
    samples: (Array.isArray(d.samples) ? d.samples : []) as LoadedInstrumentList['samples'],
    fetchedAt: d.fetchedAt,
  };
}
