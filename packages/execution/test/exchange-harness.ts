/** Helpers for tests against the embedded exchange: registry, polled book views, REST queries. */

import type { InstrumentInfo } from '@tickline/exchange';
import type { ExecutionCore } from '../src/index.js';
import { type BookViewLike, InstrumentRegistry, parseDecimal } from '@tickline/wire';
import { levels } from '@tickline/runtime/testing';

export function registryFor(instruments: readonly InstrumentInfo[], symbols: readonly string[]): InstrumentRegistry {
  const reg = new InstrumentRegistry();
  for (const sym of symbols) {
    const i = instruments.find((x) => x.symbol === sym);
    if (!i) throw new Error(`no ${sym}`);
    reg.add({
      venue: 'sim',
      symbol: i.symbol,
      priceScale: i.pricePrecision,
      sizeScale: i.sizePrecision,
      tickSize: parseDecimal(i.tickSize, i.pricePrecision),
      lotSize: parseDecimal(i.lotSize, i.sizePrecision),
    });
  }
  return reg;
}

export async function getJson<T>(url: string): Promise<T> {
  const r = await fetch(url);
  if (!r.ok) throw new Error(`${url}: ${r.status} ${await r.text()}`);
  return (await r.json()) as T;
}

interface RestBook {
  instrument: string;
  bids: [string, string][];
  asks: [string, string][];
}

/** Current books as LIVE BookViewLike objects (REST snapshot, top 5 levels). */
export async function pollViews(httpUrl: string, reg: InstrumentRegistry): Promise<BookViewLike[]> {
  const specs = reg.list();
  const { books } = await getJson<{ books: RestBook[] }>(`${httpUrl}/v1/books?symbols=${specs.map((s) => s.symbol).join(',')}&depth=5`);
  const now = Date.now();
  const s = Math.floor(now / 1000);
  const out: BookViewLike[] = [];
  for (const b of books) {
    const spec = specs.find((x) => x.symbol === b.instrument);
    if (!spec || b.bids.length === 0 || b.asks.length === 0) continue;
    const bids = b.bids.map(([p, q]) => [parseDecimal(p, spec.priceScale), parseDecimal(q, spec.sizeScale)] as const);
    const asks = b.asks.map(([p, q]) => [parseDecimal(p, spec.priceScale), parseDecimal(q, spec.sizeScale)] as const);
    const [bp, bq] = bids[0] as readonly [number, number];
    const [ap, aq] = asks[0] as readonly [number, number];
    out.push({
      instrument: spec.id,
      venue: 1,
      priceScale: spec.priceScale,
      sizeScale: spec.sizeScale,
      recvS: s,
      recvNs: Math.round((now - s * 1000) * 1e6),
      state: 1,
      seq: 0,
      // derived figures are decimal values, as the book stage publishes them
      mid: (bp + ap) / 2 / 10 ** spec.priceScale,
      microprice: (bp * aq + ap * bq) / (aq + bq) / 10 ** spec.priceScale,
      imbalance: (bq - aq) / (bq + aq),
      spread: (ap - bp) / 10 ** spec.priceScale,
      bids: levels(bids),
      asks: levels(asks),
    });
  }
  return out;
}

export interface AccountView {
  seq: number;
  positions: { instrument: string; size: string }[];
  openOrders: number;
  fills: number;
}

/** The exchange's own positions of an account as mantissas by instrument id. */
export async function venuePositions(httpUrl: string, account: string, reg: InstrumentRegistry): Promise<Map<number, number>> {
  const a = await getJson<AccountView>(`${httpUrl}/v1/account?account=${account}`);
  const m = new Map<number, number>();
  for (const p of a.positions) {
    const spec = reg.lookup('sim', p.instrument);
    if (!spec) throw new Error(`position in unexpected instrument ${p.instrument}`);
    const q = parseDecimal(p.size, spec.sizeScale);
    if (q !== 0) m.set(spec.id, q);
  }
  return m;
}

export async function venueOpenOrders(httpUrl: string, account: string): Promise<string[]> {
  const r = await getJson<{ orders: { clientOrderId: string }[] }>(`${httpUrl}/v1/orders?account=${account}`);
  return r.orders.map((o) => o.clientOrderId).sort();
}

export async function venueFills(httpUrl: string, account: string): Promise<{ fillId: string; clientOrderId: string }[]> {
  const r = await getJson<{ fills: { fillId: string; clientOrderId: string }[] }>(`${httpUrl}/v1/fills?account=${account}&limit=10000`);
  return r.fills;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function until(cond: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

/**
 * Ends the core's unit of work at the end of the current event-loop turn, as the stage does for
 * venue messages: call it after handing the core a message.
 */
export function turnCommitter(core: () => ExecutionCore | null): () => void {
  let armed = false;
  return () => {
    if (armed) return;
    armed = true;
    queueMicrotask(() => {
      armed = false;
      core()?.unit.commit();
    });
  };
}
