import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { type BadLine, type ReplayFrame, readCollectorGzip } from '../src/replay/index.js';

const tmp = mkdtempSync(join(tmpdir(), 'tickline-collector-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

// The hftbacktest collector's shape: `<local_timestamp_ns> <raw message>` per line, gzip, with the
// REST depth snapshot written inline as its bare body.
const LINES = [
  '1660228023037049123 {"stream":"btcusdt@depth@0ms","data":{"e":"depthUpdate","E":1660228023941,"T":1660228023931,"s":"BTCUSDT","U":10,"u":12,"pu":9,"b":[["24670.90","0.000"]],"a":[]}}',
  '1660228023100000000 {"lastUpdateId":11,"E":1660228023990,"T":1660228023980,"bids":[["24670.80","1.000"]],"asks":[["24671.00","2.000"]]}',
  'not a line',
  '1660228023138740001 {"stream":"btcusdt@trade","data":{"e":"trade","E":1660228024088,"T":1660228024081,"s":"BTCUSDT","t":2691833667,"p":"24671.00","q":"0.063","X":"MARKET","m":false}}',
  '1660228023149748 {"stream":"btcusdt@trade","data":{"e":"trade"}}',
];

async function all(path: string, opts: Parameters<typeof readCollectorGzip>[1] = {}) {
  const bad: BadLine[] = [];
  const out: ReplayFrame[] = [];
  for await (const f of readCollectorGzip(path, { ...opts, onBadLine: (b) => bad.push(b) })) out.push(f);
  return { out, bad };
}

describe('readCollectorGzip (hftbacktest collector files)', () => {
  it('yields frames with exact ns receive times and the inline REST snapshot as a RestResponse', async () => {
    const p = join(tmp, 'btcusdt_20220811.gz');
    writeFileSync(p, gzipSync(`${LINES.join('\n')}\n`));
    const { out, bad } = await all(p);
    expect(out.map((f) => [f.kind, f.context, f.recvS, f.recvNs])).toEqual([
      [0, null, 1660228023, 37_049_123],
      [2, '/fapi/v1/depth?symbol=BTCUSDT', 1660228023, 100_000_000],
      [0, null, 1660228023, 138_740_001],
      [0, null, 1660228023, 149_748_000],
    ]);
    expect(Buffer.from(out[1]?.bytes ?? []).toString()).toBe(LINES[1]?.slice(20));
    expect(bad).toEqual([
      { file: p, line: 3, offset: Buffer.byteLength(`${LINES[0]}\n${LINES[1]}\n`), reason: 'expected "<timestamp_ns> <json>"' },
    ]);
  });

  it("names the inline snapshot after the symbol in the messages, whatever the file is called, with the venue's REST path", async () => {
    const coinm = [
      '1723161600000000000 {"lastUpdateId":500,"E":1723161600001,"T":1723161600000,"bids":[["58000.1","10"]],"asks":[["58000.2","3"]]}',
      '1723161600100000000 {"stream":"btcusd_perp@depth@100ms","data":{"e":"depthUpdate","E":1723161600101,"T":1723161600100,"s":"BTCUSD_PERP","ps":"BTCUSD","U":499,"u":501,"pu":498,"b":[],"a":[["58000.2","4"]]}}',
      '1723161600200000000 {"lastUpdateId":900,"E":1723161600201,"T":1723161600200,"bids":[],"asks":[]}',
    ];
    for (const name of ['btcusd_perp_20240809.gz', 'my capture.gz', 'BTCUSDT_20240809.gz']) {
      const p = join(tmp, name);
      writeFileSync(p, gzipSync(`${coinm.join('\n')}\n`));
      const { out, bad } = await all(p, { venue: 'binance-coinm' });
      expect(out.map((f) => [f.kind, f.context])).toEqual([
        [2, '/dapi/v1/depth?symbol=BTCUSD_PERP&limit=1000'],
        [0, null],
        // the last snapshot has no message after it: it takes the last symbol seen
        [2, '/dapi/v1/depth?symbol=BTCUSD_PERP&limit=1000'],
      ]);
      expect(bad).toEqual([]);
    }
    const spot = join(tmp, 'anything.gz');
    writeFileSync(spot, gzipSync(`${coinm[0]}\n${LINES[3]}\n`));
    expect((await all(spot, { venue: 'binance-spot' })).out[0]?.context).toBe('/api/v3/depth?symbol=BTCUSDT&limit=1000');
    const alone = join(tmp, 'btcusdt_alone.gz');
    writeFileSync(alone, gzipSync(`${coinm[0]}\n`));
    const r = await all(alone, { venue: 'binance-spot' });
    expect(r.out).toEqual([]);
    expect(r.bad.map((b) => [b.line, b.reason])).toEqual([[1, 'inline depth snapshot: no message in the file names its symbol']]);
  });

  it('takes symbol and REST path from options', async () => {
    const p = join(tmp, 'whatever.gz');
    writeFileSync(p, gzipSync(LINES[1] as string));
    const { out } = await all(p, { symbol: 'ETHUSDT', restPath: '/api/v3/depth' });
    expect(out[0]?.context).toBe('/api/v3/depth?symbol=ETHUSDT');
  });

  it('reports a truncated gzip stream instead of throwing', async () => {
    const p = join(tmp, 'btcusdt_truncated.gz');
    const z = gzipSync(`${LINES.join('\n')}\n`.repeat(50));
    writeFileSync(p, z.subarray(0, Math.floor(z.length * 0.6)));
    const { out, bad } = await all(p);
    expect(out.length).toBeGreaterThan(0);
    expect(bad.at(-1)?.reason).toMatch(/gzip stream ended early/);
  });
});
