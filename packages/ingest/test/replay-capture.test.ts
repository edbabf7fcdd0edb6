import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { type BadLine, pathAndQuery, type ReplayFrame, readCapture } from '../src/replay/index.js';

const CAPTURES = fileURLToPath(new URL('../../../test/fixtures/captures/', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'tickline-replay-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function all(path: string, bad: BadLine[] = []): Promise<ReplayFrame[]> {
  const out: ReplayFrame[] = [];
  for await (const f of readCapture(path, { onBadLine: (b) => bad.push(b) })) out.push(f);
  return out;
}

describe('readCapture (shared capture line format)', () => {
  it('yields every received frame of a .cap with the REST snapshots of its .rest merged by time', async () => {
    const frames = await all(`${CAPTURES}binance-spot-depth-2021-10-12.cap`);
    expect(frames.filter((f) => f.kind === 0)).toHaveLength(265);
    const rest = frames.filter((f) => f.kind === 2);
    expect(rest).toHaveLength(4);
    expect(rest[0]?.context).toBe('/api/v3/depth?symbol=NKNUSDT&limit=1000');
    // Merged by receive time, so the first REST snapshot (1633998512.320639) comes after the
    // frame received at 1633998512.0633569 and before the one at 1633998512.564785.
    const i = frames.indexOf(rest[0] as ReplayFrame);
    expect(frames[i - 1]).toMatchObject({ recvS: 1633998512, recvNs: 63_356_900 });
    expect(rest[0]).toMatchObject({ recvS: 1633998512, recvNs: 320_639_000 });
    expect(frames[i + 1]).toMatchObject({ recvS: 1633998512, recvNs: 564_785_000 });
    for (let k = 1; k < frames.length; k++) {
      const a = frames[k - 1] as ReplayFrame;
      const b = frames[k] as ReplayFrame;
      expect(a.recvS * 1e9 + a.recvNs <= b.recvS * 1e9 + b.recvNs).toBe(true);
    }
  });

  it('hands over the JSON bytes exactly as recorded', async () => {
    const frames = await all(`${CAPTURES}okx-v5-books-2022-05-13.cap`);
    const lines = readFileSync(`${CAPTURES}okx-v5-books-2022-05-13.cap`, 'utf8').split('\n');
    const received = lines.filter((l) => /^\d/.test(l)).map((l) => l.slice(l.indexOf(': ') + 2));
    expect(frames.map((f) => Buffer.from(f.bytes).toString('utf8'))).toEqual(received);
    expect(frames.every((f) => f.kind === 0 && f.context === null)).toBe(true);
  });

  it('reports unreadable lines with line number and byte offset, and goes on', async () => {
    const bad: BadLine[] = [];
    const frames = await all(`${CAPTURES}kraken-assetpairs-2021-04-17.rest`, bad);
    expect(frames).toHaveLength(1);
    expect(frames[0]?.context).toBe('/0/public/AssetPairs');
    expect(bad).toHaveLength(1);
    const text = readFileSync(`${CAPTURES}kraken-assetpairs-2021-04-17.rest`);
    expect(bad[0]?.line).toBe(2);
    expect(text.subarray(bad[0]?.offset, (bad[0]?.offset ?? 0) + 14).toString()).toBe('configuration:');
  });

  it('skips sent frames and open lines, survives garbage, CRLF and a missing final newline', async () => {
    const p = join(tmp, 'mixed.cap');
    writeFileSync(
      p,
      [
        'wss://x.example/ws <-> 1600000000.5',
        'wss://x.example/ws <- 1600000000.6: {"op":"subscribe"}',
        '1600000001.25: {"a":1}\r',
        '',
        '\u0000\u00ff garbage',
        '1600000x: {"bad":1}',
        '1600000002: {"b":2}',
        'https://h.example/api/v3/depth?symbol=X -> 1600000001.5: {"lastUpdateId":1}',
        '1600000003.123456789123: {"c":3}',
      ].join('\n'),
    );
    const bad: BadLine[] = [];
    const frames = await all(p, bad);
    expect(frames.map((f) => [f.kind, f.context, f.recvS, f.recvNs, Buffer.from(f.bytes).toString()])).toEqual([
      [0, null, 1600000001, 250_000_000, '{"a":1}'],
      [0, null, 1600000002, 0, '{"b":2}'], // one file is streamed in its own order
      [2, '/api/v3/depth?symbol=X', 1600000001, 500_000_000, '{"lastUpdateId":1}'],
      [0, null, 1600000003, 123_456_789, '{"c":3}'],
    ]);
    expect(bad.map((b) => b.line)).toEqual([5, 6]);
  });

  it('pathAndQuery drops scheme and host', () => {
    expect(pathAndQuery('https://fapi.binance.com/fapi/v1/depth?symbol=A&limit=5')).toBe('/fapi/v1/depth?symbol=A&limit=5');
    expect(pathAndQuery('https://h.example')).toBe('/');
    expect(pathAndQuery('/already/a/path')).toBe('/already/a/path');
  });
});
