import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
// Root integration test: the capture reader of @tickline/ingest feeding the normalize core, the way
// `tickline replay` wires them. (The workspace root has no package links, hence source paths.)
import { type BadLine, type ReplayFrame, readCapture } from '@tickline/ingest';
import { inferInstruments, krakenV1Instruments, Normalizer, registryOf } from '@tickline/normalize';
import { VENUES, type VenueName } from '@tickline/wire';

const DIR = fileURLToPath(new URL('./fixtures/captures/', import.meta.url));

async function read(file: string): Promise<{ frames: ReplayFrame[]; bad: BadLine[] }> {
  const frames: ReplayFrame[] = [];
  const bad: BadLine[] = [];
  for await (const f of readCapture(`${DIR}${file}`, { onBadLine: (b) => bad.push(b) })) frames.push(f);
  return { frames, bad };
}

const text = (f: ReplayFrame) => ({ kind: f.kind, context: f.context, text: Buffer.from(f.bytes).toString('utf8') });

const CASES: [VenueName, string, Record<string, number>][] = [
  ['binance-spot', 'binance-spot-depth-2021-10-12.cap', { deltas: 177, snapshots: 4, quoteBatches: 84, tradeBatches: 2, ignored: 2 }],
  ['binance-usdm', 'binance-usdm-depth-2021-07-22.cap', { deltas: 764, snapshots: 4, quoteBatches: 613, tradeBatches: 91, ignored: 67 }],
  [
    'coinbase-legacy',
    'coinbase-legacy-level2-2021-04-17.cap',
    { deltas: 9719, snapshots: 10, quoteBatches: 107, tradeBatches: 107, control: 3 },
  ],
  ['kraken-v1', 'kraken-v1-book-2021-04-17.cap', { deltas: 2595, snapshots: 5, control: 37 }],
  ['okx', 'okx-v5-books-2022-05-13.cap', { deltas: 97, snapshots: 1, quoteBatches: 25, tradeBatches: 69, control: 6 }],
];

describe('real captures: ingest capture reader -> normalize core', () => {
  it.each(CASES)('%s %s replays with no reject', async (venue, file, expected) => {
    const { frames, bad } = await read(file);
    expect(bad).toEqual([]);
    let registry = registryOf(inferInstruments(venue, frames.map(text)));
    if (venue === 'kraken-v1') {
      const pairs = (await read('kraken-assetpairs-2021-04-17.rest')).frames[0] as ReplayFrame;
      registry = registryOf(krakenV1Instruments(JSON.parse(Buffer.from(pairs.bytes).toString('utf8'))));
    }
    const n = new Normalizer({ registry });
    const rejects: string[] = [];
    const sink = {
      bookDelta() {},
      bookSnapshot() {},
      trades() {},
      quotes() {},
      reject: (r: string, d: string) => void rejects.push(`${r}: ${d}`),
    };
    for (const f of frames) n.handleFrame(VENUES[venue], f.kind, f.context, f.bytes, f.recvS, f.recvNs, sink);
    const stats = n.stats();
    expect(rejects).toEqual([]);
    expect(stats.frames).toBe(frames.length);
    expect(stats).toMatchObject(expected);
  });
});
