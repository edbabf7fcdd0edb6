/**
 * `tickline run` and `tickline sim --replay` as a user meets them on a live venue: the emulator's
 * start line, files whose format cannot be told, unknown symbols (close matches, nothing sent), a
 * restart while the venue's REST endpoint is down (the cached list, said so), and credentials in
 * URLs never shown in logs, errors, the summary or the dashboard.
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, record, replay, startReplayVenue } from '@tickline/cli';
import { openRecording } from '@tickline/ingest';
import { captured } from './capture-output.js';
import { eventually, TicklineProcess } from './tickline-process.js';

const CAPTURES = new URL('fixtures/captures/', import.meta.url).pathname;
const OKX = `${CAPTURES}okx-v5-books-2022-05-13.cap`;
const TOKEN = 'live-venue-test-token-0123456789';

function config(dir: string): string {
  const file = join(dir, 'tickline.json');
  writeFileSync(file, JSON.stringify({ stateDir: join(dir, 'state'), http: { port: 0, token: TOKEN }, log: { level: 'info' } }));
  return file;
}

const runArgs = (dir: string, wsUrl: string, restUrl: string): string[] => [
  'run',
  '-c',
  config(dir),
  '--venue',
  'okx',
  '--venue-url',
  wsUrl,
  '--rest-url',
  restUrl,
];

describe('tickline sim --replay', () => {
  it("prints venue-url and rest-url at start, serving the venue's own URL layout", async () => {
    const sim = new TicklineProcess(['sim', '--replay', OKX, '--venue', 'okx', '--port', '0', '--speed', 'max']);
    try {
      const m = await sim.waitFor(/^venue-url=(ws:\/\/127\.0\.0\.1:(\d+)\/ws\/v5\/public) rest-url=(http:\/\/127\.0\.0\.1:(\d+))$/m);
      expect(m[2]).toBe(m[4]);
      const res = await fetch(`${m[3]}/api/v5/public/instruments?instType=SPOT`);
      expect(((await res.json()) as { data: { instId: string }[] }).data.map((d) => d.instId)).toEqual(['BTC-USDT']);
      expect(sim.stdout.trim().split('\n')).toHaveLength(1);
    } finally {
      expect(await sim.stop()).toBe(0);
    }
  });

  it('a file whose format it cannot tell, or a venue it does not emulate: exit 2 naming what is accepted', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tkl-sim-'));
    const junk = join(dir, 'notes.txt');
    writeFileSync(junk, 'hello, this is not market data\n');
    const bad = new TicklineProcess(['sim', '--replay', junk, '--venue', 'okx']);
    expect(await bad.exited).toBe(2);
    expect(bad.stderr).toMatch(/cannot tell its format; accepted formats: tickline .*, capture .*, collector .*; --format forces one/);
    const sim = new TicklineProcess(['sim', '--replay', OKX, '--venue', 'sim']);
    expect(await sim.exited).toBe(2);
    expect(sim.stderr).toContain(
      '--venue must be one of binance-spot, binance-usdm, binance-coinm, coinbase, coinbase-legacy, kraken, kraken-v1, okx',
    );
  });
});

describe('tickline run on a live venue', () => {
  it('an unknown symbol gets its close matches and nothing is sent to the venue', async () => {
    const { emulator } = await startReplayVenue({ venue: 'okx', file: OKX, speed: 1, host: '127.0.0.1', port: 0 });
    try {
      const dir = mkdtempSync(join(tmpdir(), 'tkl-run-'));
      const run = new TicklineProcess([...runArgs(dir, emulator.wsUrl, emulator.restUrl), '--symbols', 'BTC-USDT,btc-usdt,BTC-UST']);
      expect(await run.exited).toBe(2);
      expect(run.stderr).toContain(
        'not in the okx instrument list: "btc-usdt" (codes are case-sensitive: did you mean "BTC-USDT"?), "BTC-UST" (close matches: "BTC-USDT"); nothing was sent',
      );
      const s = emulator.stats();
      expect([s.connectionsTotal, s.subscriptions]).toEqual([0, 0]);
      expect(s.restRequests).toBe(1); // the instrument list, nothing else
      const none = new TicklineProcess(runArgs(dir, emulator.wsUrl, emulator.restUrl));
      expect(await none.exited).toBe(2);
      expect(none.stderr).toContain('--symbols (venue.symbols) is required for okx');
    } finally {
      await emulator.close();
    }
  }, 120_000);

  it('restarts while the REST endpoint is down on the cached list, says so; credentials in URLs never show', async () => {
    const { emulator } = await startReplayVenue({ venue: 'okx', file: OKX, speed: 1, host: '127.0.0.1', port: 0 });
    // The venue's REST side on its own port (so it can go down while the WebSocket side stays up).
    const rest = createServer(async (req, res) => {
      const r = await fetch(`${emulator.restUrl}${req.url}`);
      res.writeHead(r.status, { 'content-type': 'application/json' }).end(await r.text());
    });
    await new Promise<void>((r) => rest.listen(0, '127.0.0.1', r));
    const restUrl = `http://apikey:S3CRET-REST-KEY@127.0.0.1:${(rest.address() as AddressInfo).port}`;
    const wsUrl = emulator.wsUrl.replace('ws://', 'ws://apikey:S3CRET-WS-KEY@');
    const dir = mkdtempSync(join(tmpdir(), 'tkl-run-'));
    const args = [...runArgs(dir, wsUrl, restUrl), '--symbols', 'BTC-USDT', '--summary', 'json'];
    try {
      const first = new TicklineProcess(args);
      const base = (await first.waitFor(/tickline dashboard: (http:\/\/[^/\s]+)\//))[1] as string;
      const get = async (path: string) => (await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${TOKEN}` } })).text();
      const book = await eventually(async () => {
        const b = JSON.parse(await get('/api/book/BTC-USDT?depth=5')) as { state: number };
        return b.state === 1 ? b : undefined;
      }, 'BTC-USDT live');
      expect(book.state).toBe(1);
      const pages = await Promise.all(
        ['/api/stats', '/api/health', '/api/instruments', '/api/events?since=0', '/api/trading', '/metrics'].map(get),
      );
      expect(await first.stop()).toBe(0);
      const seen = `${first.stdout}\n${first.stderr}\n${pages.join('\n')}`;
      expect(seen).not.toContain('S3CRET');
      expect(seen).toContain('"source":"venue"');

      await new Promise<void>((r) => rest.close(() => r()));
      const second = new TicklineProcess([...args, '--duration', '8']);
      expect(await second.exited).toBe(0);
      const cached = JSON.parse(
        readFileSync(join(dir, 'state', 'instruments', readdirSync(join(dir, 'state', 'instruments'))[0] as string), 'utf8'),
      );
      expect(second.stderr).toMatch(
        /okx REST endpoint unavailable \(GET http:\/\/127\.0\.0\.1:\d+\/api\/v5\/public\/instruments\?instType=SPOT failed: .*ECONNREFUSED.*\(4 attempts\)\)/,
      );
      expect(second.stderr).toContain(`going on with the instrument list cached on ${cached.fetchedAt}`);
      expect(`${second.stdout}\n${second.stderr}`).not.toContain('S3CRET');
      const summary = JSON.parse(second.stdout.trim().split('\n').at(-1) as string);
      expect(summary.stages.normalize.processed).toBeGreaterThan(0);
    } finally {
      rest.close();
      await emulator.close();
    }
  }, 180_000);
});

describe('tickline record on a live venue', () => {
  it("writes the venue's instrument list into the header (no inference on replay), URLs without credentials; the recording verifies clean", async () => {
    const file = `${CAPTURES}binance-usdm-depth-2021-07-22.cap`;
    const { emulator } = await startReplayVenue({ venue: 'binance-usdm', file, speed: 4, host: '127.0.0.1', port: 0 });
    const dir = mkdtempSync(join(tmpdir(), 'tkl-rec-'));
    const out = join(dir, 'usdm.tkr');
    try {
      const loaded = loadConfig(
        { stateDir: join(dir, 'state'), log: { level: 'silent' } },
        {
          'venue.name': 'binance-usdm',
          'venue.url': emulator.wsUrl.replace('ws://', 'ws://u:S3CRET@'),
          'venue.restUrl': emulator.restUrl,
        },
        'test',
      );
      const r = await captured(() => record(loaded, { out, instruments: ['SUSHIUSDT', 'AKROUSDT'], durationS: 6, summary: 'json' }));
      expect(r.code, r.err).toBe(0);
      const rec = await openRecording(out);
      expect(rec.header.instruments?.map((i) => [i.symbol, i.priceScale, i.sizeScale])).toEqual([
        ['SUSHIUSDT', 3, 0],
        ['AKROUSDT', 5, 0],
      ]);
      expect(JSON.stringify(rec.header.meta)).not.toContain('S3CRET');
      await rec.close();
      const v = await captured(() =>
        replay(loadConfig({}, { 'log.level': 'silent' }, 'test'), { file: out, verify: true, json: true, speed: 1 }),
      );
      expect(v.code, v.err).toBe(0);
      const rep = JSON.parse(v.out);
      expect(rep.sequence.gaps).toBe(0);
      expect(rep.sequence.checked).toBeGreaterThan(10);
    } finally {
      await emulator.close();
    }
  }, 120_000);
});
