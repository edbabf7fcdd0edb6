/**
 * The instrument registry (and the book settings that depend on it) for replaying a file:
 *
 * - a tickline recording whose header carries the venue's instrument list: that list, ids kept;
 * - an instrument list given with `--instrument-list` (Kraken AssetPairs, Binance exchangeInfo,
 *   OKX instruments, Kraken v2 `instrument` message, sim `/v1/instruments`; JSON or a `.rest`
 *   capture line), or for kraken-v1 captures a Kraken AssetPairs `.rest` found beside the file;
 * - otherwise `inferInstruments` over the whole file (the replay-only fallback of docs/venues.md).
 *
 * Kraken v1 also needs the written widths of its checksummed strings (`inferScales`) and the
 * subscribed depth (`book-N` channel name): both are read from the frames.
 */

import { readdir, readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { BookConfigInput } from '@tickline/book';
import { readCapture } from '@tickline/ingest';
import {
  INSTRUMENT_LISTS,
  type InferredScales,
  inferScales,
  krakenV2Instruments,
  parseKrakenV2InstrumentMessage,
  registryOf,
} from '@tickline/normalize';
import { type InstrumentInput, InstrumentRegistry, type VenueName } from '@tickline/wire';
import { openReplayInput, type ReplayFormat, type RecordingHeader } from '@tickline/ingest';

export interface ReplayPlan {
  readonly file: string;
  readonly format: ReplayFormat;
  readonly venue: VenueName;
  readonly header: RecordingHeader | null;
  readonly registry: InstrumentRegistry;
  /** Where the instruments came from. */
  readonly instrumentsFrom: 'header' | 'instrument-list' | 'inferred';
  readonly instrumentList: string | null;
  /** Book settings the file implies (Kraken v1 checksum widths and depth); merge over the config's. */
  readonly book: BookConfigInput;
}

export interface PlanOptions {
  readonly venue?: VenueName;
  readonly format?: ReplayFormat | 'auto';
  readonly instrumentList?: string;
}

/** A problem with the command's input (exit code 2), not a crash. */
export class ReplayUsageError extends Error {
  readonly code = 'ERR_REPLAY_USAGE';
}

/**
 * Instruments from a venue's published list (its REST instrument list; for Kraken v2 also the
 * WebSocket `instrument` channel's snapshot). Malformed entries are skipped (counted by the parser).
 */
export function instrumentsFromList(venue: VenueName, body: unknown): InstrumentInput[] {
  const data = (body as { data?: { pairs?: unknown } } | null)?.data;
  if (venue === 'kraken' && data !== null && typeof data === 'object' && Array.isArray(data.pairs)) return krakenV2Instruments(body);
  return INSTRUMENT_LISTS[venue].parse([body]).instruments;
}

async function readListBody(path: string): Promise<unknown> {
  const text = await readFile(path, 'utf8');
  if (/^\s*[[{]/.test(text)) return JSON.parse(text);
  // a capture `.rest` line: `<url> -> <t>: <json>` (other lines ignored)
  for await (const f of readCapture(path)) return JSON.parse(Buffer.from(f.bytes).toString('utf8'));
  throw new ReplayUsageError(`${path}: neither JSON nor a REST capture line`);
}

/** A Kraken AssetPairs `.rest` capture in the same directory as `file`, if there is one. */
async function findAssetPairs(file: string): Promise<string | null> {
  const dir = dirname(file);
  const own = `${basename(file).replace(/\.cap$/, '')}.rest`;
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return null;
  }
  for (const name of names.sort()) {
    if (!name.endsWith('.rest') || name === own) continue;
    const head = (await readFile(join(dir, name), 'latin1')).slice(0, 256);
    if (head.includes('/0/public/AssetPairs')) return join(dir, name);
  }
  return null;
}

function merge(into: Map<string, InferredScales>, from: Map<string, InferredScales>): void {
  for (const [sym, d] of from) {
    const e = into.get(sym);
    if (e === undefined) into.set(sym, { ...d });
    else {
      e.priceScale = Math.max(e.priceScale, d.priceScale);
      e.sizeScale = Math.max(e.sizeScale, d.sizeScale);
      e.priceText = Math.max(e.priceText, d.priceText);
      e.sizeText = Math.max(e.sizeText, d.sizeText);
    }
  }
}

/** The subscribed Kraken book depth: v1 channel names `book-N`, v2 subscribe answers `"channel":"book","depth":N`. */
const KRAKEN_BOOK_DEPTH = /"book-(\d+)"|"result":\{"channel":"book","depth":(\d+)/;
const KRAKEN_V2_INSTRUMENTS = '{"channel":"instrument","type":"snapshot"';

interface Scan {
  scales: Map<string, InferredScales>;
  depth: number;
  /** Kraken v2: the `instrument` channel snapshot recorded in the file, if any. */
  list: InstrumentInput[] | null;
}

/** One pass over the file: scales per symbol, Kraken's subscribed book depth, a recorded v2 instrument list. */
async function scan(file: string, format: ReplayFormat, venue: VenueName): Promise<Scan> {
  const input = await openReplayInput(file, { format, venue });
  const out: Scan = { scales: new Map(), depth: 0, list: null };
  const kraken = venue === 'kraken' || venue === 'kraken-v1';
  for await (const batch of input.batches()) {
    const frames = batch.map((f) => ({ kind: f.kind, context: f.context, text: Buffer.from(f.bytes).toString('utf8') }));
    merge(out.scales, inferScales(venue, frames));
    if (!kraken) continue;
    for (const f of frames) {
      if (out.depth === 0) {
        const m = KRAKEN_BOOK_DEPTH.exec(f.text);
        if (m !== null) out.depth = Number(m[1] ?? m[2]);
      }
      if (venue === 'kraken' && out.list === null && f.text.startsWith(KRAKEN_V2_INSTRUMENTS)) {
        try {
          out.list = parseKrakenV2InstrumentMessage(JSON.parse(f.text)).instruments;
        } catch {}
      }
    }
  }
  return out;
}

export async function planReplay(file: string, opts: PlanOptions): Promise<ReplayPlan> {
  let input: Awaited<ReturnType<typeof openReplayInput>>;
  try {
    input = await openReplayInput(file, { format: opts.format ?? 'auto' });
  } catch (err) {
    throw new ReplayUsageError(`cannot replay ${file}: ${(err as Error).message}`);
  }
  const { format, header } = input;
  await input.close();
  const venue = opts.venue ?? header?.venue;
  if (venue === undefined)
    throw new ReplayUsageError(`--venue is required for ${format} files (only tickline recordings name their venue)`);
  if (header !== null && header.venue !== venue)
    throw new ReplayUsageError(`--venue ${venue} does not match the recording's venue ${header.venue}`);

  let list: InstrumentInput[] | null = null;
  let instrumentsFrom: ReplayPlan['instrumentsFrom'] = 'inferred';
  let listPath = opts.instrumentList ?? null;
  if (listPath === null && venue === 'kraken-v1' && format === 'capture') listPath = await findAssetPairs(file);
  if (listPath !== null) {
    try {
      list = instrumentsFromList(venue, await readListBody(listPath));
    } catch (err) {
      throw new ReplayUsageError(`instrument list ${listPath}: ${(err as Error).message}`);
    }
    instrumentsFrom = 'instrument-list';
  } else if (header?.instruments) {
    instrumentsFrom = 'header';
  }
  const needScan = venue === 'kraken-v1' || venue === 'kraken' || (list === null && !header?.instruments);
  const seen = needScan ? await scan(file, format, venue) : null;
  if (list === null && !header?.instruments && seen?.list) {
    list = seen.list;
    instrumentsFrom = 'instrument-list';
  }
  let registry: InstrumentRegistry;
  if (list !== null) registry = registryOf(list);
  else if (header?.instruments) registry = InstrumentRegistry.from(header.instruments);
  else {
    const inferred = [...(seen?.scales ?? [])].map(([symbol, d]) => ({
      venue,
      symbol,
      priceScale: d.priceScale,
      sizeScale: d.sizeScale,
      tickSize: 1,
      lotSize: 1,
    }));
    registry = registryOf(inferred);
  }
  const book: BookConfigInput = {};
  if (venue === 'kraken-v1' && seen !== null) {
    const text: Record<string, { price: number; size: number }> = {};
    for (const [sym, d] of seen.scales) text[`kraken-v1:${sym}`] = { price: d.priceText, size: d.sizeText };
    book.checksumText = text;
  }
  // Kraken's checksum is defined on the book truncated at the subscribed depth.
  if ((venue === 'kraken-v1' || venue === 'kraken') && seen !== null && seen.depth > 0) book.venues = { [venue]: { depth: seen.depth } };
  return { file, format, venue, header, registry, instrumentsFrom, instrumentList: listPath, book };
}

/** Config `book` section with the file's implied settings laid over it (venues merged per venue). */
export function bookConfigFor(base: unknown, plan: ReplayPlan): BookConfigInput {
  const b = (base ?? {}) as BookConfigInput;
  const out: BookConfigInput = { ...b };
  if (plan.book.checksumText) out.checksumText = { ...plan.book.checksumText, ...(b.checksumText ?? {}) };
  if (plan.book.venues) out.venues = { ...plan.book.venues, ...(b.venues ?? {}) } as NonNullable<BookConfigInput['venues']>;
  return out;
}
