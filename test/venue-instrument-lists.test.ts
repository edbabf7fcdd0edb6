/**
 * The instrument list of every live venue as `run` loads it at start: fetched over HTTP from the
 * venue's documented endpoint (responses written from the venues' documentation, the real Kraken
 * AssetPairs capture), through a refused connection and a 503 first, parsed by the venue's parser,
 * cached with its date; a malformed entry skipped and counted by reason; and the list the venue
 * emulator serves for a file reads back as that file's instruments.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startReplayVenue } from '@tickline/cli';
import { EMULATED_VENUES, type EmulatedVenueName } from '@tickline/emulator';
import { loadInstrumentList } from '@tickline/ingest';
import { INSTRUMENT_LISTS } from '@tickline/normalize';

const LISTS = new URL('fixtures/instrument-lists/', import.meta.url).pathname;
const CAPTURES = new URL('fixtures/captures/', import.meta.url).pathname;
const VENUES = new URL('fixtures/venues/', import.meta.url).pathname;

const assetPairs = (): string => {
  const line = readFileSync(`${CAPTURES}kraken-assetpairs-2021-04-17.rest`, 'utf8').split('\n')[0] as string;
  return line.slice(line.indexOf(': ') + 2);
};

/** Per venue: the documented response of each request path, and an instrument it must list with its scales. */
const DOCS: Record<EmulatedVenueName, { bodies: Record<string, () => string>; symbols: string[]; expect: [string, number, number] }> = {
  'binance-spot': {
    bodies: { '/api/v3/exchangeInfo': () => readFileSync(`${LISTS}binance-spot-exchangeInfo.json`, 'utf8') },
    symbols: ['BTCUSDT'],
    expect: ['BTCUSDT', 2, 5],
  },
  'binance-usdm': {
    bodies: { '/fapi/v1/exchangeInfo': () => readFileSync(`${LISTS}binance-usdm-exchangeInfo.json`, 'utf8') },
    symbols: ['BTCUSDT'],
    expect: ['SUSHIUSDT', 3, 0],
  },
  'binance-coinm': {
    bodies: { '/dapi/v1/exchangeInfo': () => readFileSync(`${LISTS}binance-coinm-exchangeInfo.json`, 'utf8') },
    symbols: ['BTCUSD_PERP'],
    expect: ['BTCUSD_PERP', 1, 0],
  },
  coinbase: {
    bodies: { '/api/v3/brokerage/market/products': () => readFileSync(`${LISTS}coinbase-products.json`, 'utf8') },
    symbols: ['BTC-USD'],
    expect: ['DOGE-USD', 5, 1],
  },
  'coinbase-legacy': {
    bodies: { '/products': () => readFileSync(`${LISTS}coinbase-exchange-products.json`, 'utf8') },
    symbols: ['BTC-USD'],
    expect: ['BAND-GBP', 4, 2],
  },
  kraken: { bodies: { '/0/public/AssetPairs': assetPairs }, symbols: ['BTC/USD'], expect: ['BTC/USD', 1, 8] },
  'kraken-v1': { bodies: { '/0/public/AssetPairs': assetPairs }, symbols: ['XBT/USD'], expect: ['XMR/USD', 2, 8] },
  okx: {
    bodies: {
      '/api/v5/public/instruments?instType=SPOT': () => readFileSync(`${LISTS}okx-instruments-spot.json`, 'utf8'),
      '/api/v5/public/instruments?instType=SWAP': () => readFileSync(`${LISTS}okx-instruments-swap.json`, 'utf8'),
    },
    symbols: ['BTC-USDT', 'BTC-USDT-SWAP'],
    expect: ['BTC-USDT-SWAP', 1, 2],
  },
};

let server: Server | null = null;
afterEach(async () => {
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  server = null;
});

/** Serves `bodies` by path + query; the first request of each path gets a 503. */
async function venueRest(bodies: Record<string, () => string>, log: string[]): Promise<string> {
  const seen = new Set<string>();
  const srv = createServer((req, res) => {
    const url = req.url ?? '/';
    log.push(url);
    const body = bodies[url];
    if (body === undefined) return void res.writeHead(404).end('{"error":"not found"}');
    if (!seen.has(url)) {
      seen.add(url);
      return void res.writeHead(503, { 'content-type': 'application/json' }).end('{"code":-1001,"msg":"busy"}');
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(body());
  });
  server = srv;
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(srv.address() as AddressInfo).port}`;
}

describe("every live venue's instrument list, over HTTP as run loads it", () => {
  it('covers every emulated venue', () => {
    expect(Object.keys(DOCS).sort()).toEqual([...EMULATED_VENUES].sort());
  });

  for (const venue of EMULATED_VENUES) {
    it(`${venue}: the documented endpoint, retried through a 503, parsed, cached with its date`, async () => {
      const d = DOCS[venue];
      const log: string[] = [];
      const base = await venueRest(d.bodies, log);
      const source = INSTRUMENT_LISTS[venue];
      const requests = source.requests(d.symbols);
      expect(requests.sort()).toEqual(Object.keys(d.bodies).sort());
      const cacheDir = mkdtempSync(join(tmpdir(), 'tkl-lists-'));
      const l = await loadInstrumentList({ venue, baseUrl: base, requests, parse: (b) => source.parse(b), cacheDir, retryBaseMs: 1 });
      expect(log).toEqual(requests.flatMap((r) => [r, r]));
      expect(l.source).toBe('venue');
      const [symbol, ps, ss] = d.expect;
      expect(l.instruments.find((i) => i.symbol === symbol)).toMatchObject({ venue, symbol, priceScale: ps, sizeScale: ss });
      for (const s of d.symbols) expect(l.instruments.some((i) => i.symbol === s)).toBe(true);
      // the venue is down at the next start: the cached list, with its date
      await new Promise<void>((r) => server?.close(() => r()));
      server = null;
      const again = await loadInstrumentList({
        venue,
        baseUrl: base,
        requests,
        parse: (b) => source.parse(b),
        cacheDir,
        retryBaseMs: 1,
        maxAttempts: 2,
      });
      expect([again.source, again.fetchedAt, again.instruments.length]).toEqual(['cache', l.fetchedAt, l.instruments.length]);
    });
  }

  it("a malformed entry in the venue's answer is skipped and counted by reason; the rest load", async () => {
    const doc = JSON.parse(readFileSync(`${LISTS}binance-usdm-exchangeInfo.json`, 'utf8'));
    doc.symbols.push({ symbol: 'BROKEN', filters: [{ filterType: 'PRICE_FILTER', tickSize: '-1' }] }, 'junk');
    const base = await venueRest({ '/fapi/v1/exchangeInfo': () => JSON.stringify(doc) }, []);
    const source = INSTRUMENT_LISTS['binance-usdm'];
    const l = await loadInstrumentList({
      venue: 'binance-usdm',
      baseUrl: base,
      requests: source.requests([]),
      parse: (b) => source.parse(b),
      cacheDir: null,
      retryBaseMs: 1,
    });
    expect(l.instruments.map((i) => i.symbol)).toEqual(['BTCUSDT', 'SUSHIUSDT']);
    expect(l.skipped).toMatchObject({ invalid_increment: 1, not_an_object: 1 });
    expect(l.samples.map((s) => [s.symbol, s.reason])).toEqual([
      ['BROKEN', 'invalid_increment'],
      [null, 'not_an_object'],
    ]);
  });
});

describe("the venue emulator serves each file's instruments in the venue's own list format", () => {
  const FILES: Record<EmulatedVenueName, string> = {
    'binance-spot': `${CAPTURES}binance-spot-depth-2021-10-12.cap`,
    'binance-usdm': `${CAPTURES}binance-usdm-depth-2021-07-22.cap`,
    'binance-coinm': `${VENUES}btcusd_perp_20240809.gz`,
    coinbase: `${VENUES}coinbase-advanced-level2-2024-08-09.cap`,
    'coinbase-legacy': `${CAPTURES}coinbase-legacy-level2-2021-04-17.cap`,
    kraken: `${VENUES}kraken-v2-book-2024-08-09.cap`,
    'kraken-v1': `${CAPTURES}kraken-v1-book-2021-04-17.cap`,
    okx: `${CAPTURES}okx-v5-books-2022-05-13.cap`,
  };
  for (const venue of EMULATED_VENUES) {
    it(`${venue}: the list read back equals the file's instruments`, async () => {
      const { emulator, plan } = await startReplayVenue({ venue, file: FILES[venue], speed: 1, host: '127.0.0.1', port: 0 });
      try {
        const symbols = plan.registry.list().map((s) => s.symbol);
        const source = INSTRUMENT_LISTS[venue];
        const l = await loadInstrumentList({
          venue,
          baseUrl: emulator.restUrl,
          requests: source.requests(symbols),
          parse: (b) => source.parse(b),
          cacheDir: null,
        });
        const key = (i: { symbol: string; priceScale: number; sizeScale: number; tickSize: number; lotSize: number }) =>
          `${i.symbol} ${i.priceScale} ${i.sizeScale} ${i.tickSize} ${i.lotSize}`;
        expect(l.instruments.map(key).sort()).toEqual(plan.registry.list().map(key).sort());
      } finally {
        await emulator.close();
      }
    });
  }
});
