/**
 * The recording format: random frames survive a write/read round trip under every codec and
 * block size; a torn last block (cut at every byte) is detected and ignored with every earlier
 * frame intact; a damaged middle block is skipped and reported at its offset; blocks reach the
 * disk on the flush timer without any explicit flush.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type Codec, CODECS, openRecording, type RecordedFrame, RecordingError, RecordingWriter } from '../src/recording/index.js';

const dir = mkdtempSync(join(tmpdir(), 'tkl-rec-'));

function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomFrames(rand: () => number, n: number): RecordedFrame[] {
  const out: RecordedFrame[] = [];
  let s = 1_600_000_000 + Math.floor(rand() * 1e8);
  for (let i = 0; i < n; i++) {
    s += rand() < 0.1 ? 1 : 0;
    const len = rand() < 0.05 ? Math.floor(rand() * 40_000) : Math.floor(rand() * 600);
    const bytes = new Uint8Array(len);
    // mix of text-like and arbitrary bytes
    for (let j = 0; j < len; j++) bytes[j] = rand() < 0.7 ? 32 + Math.floor(rand() * 90) : Math.floor(rand() * 256);
    const kind = [0, 1, 2][Math.floor(rand() * 3)] as number;
    const context = kind === 2 ? `/api/v3/depth?symbol=S${i}&limit=${Math.floor(rand() * 5000)}&é=✓` : rand() < 0.05 ? '' : null;
    out.push({
      recvS: s,
      recvNs: Math.floor(rand() * 1e9),
      connId: Math.floor(rand() * 4096),
      frameSeq: Math.floor(rand() * 2 ** 32),
      kind,
      context,
      bytes,
    });
  }
  return out;
}

const plain = (f: RecordedFrame) => ({ ...f, bytes: Buffer.from(f.bytes).toString('base64') });

async function write(path: string, frames: readonly RecordedFrame[], codec: Codec = 'deflate', blockBytes = 4096, flushAt: number[] = []) {
  const w = await RecordingWriter.open(path, { venue: 'sim', codec, blockBytes, flushIntervalMs: 0, symbols: ['A'], overwrite: true });
  const offsets: number[] = [];
  for (const [i, f] of frames.entries()) {
    if (flushAt.includes(i)) {
      await w.flush();
      offsets.push(w.stats().fileBytes);
    }
    w.append(f);
  }
  const stats = await w.close();
  return { stats, offsets };
}

async function readAll(path: string) {
  const r = await openRecording(path);
  const frames: RecordedFrame[] = [];
  for await (const f of r.frames()) frames.push(f);
  return { frames, report: r.report, header: r.header };
}

/** Start offsets of every block, walking the headers (valid files only). */
function blockStarts(buf: Buffer): number[] {
  let pos = 20 + buf.readUInt32LE(12);
  const out: number[] = [];
  while (pos < buf.length) {
    out.push(pos);
    pos += 28 + buf.readUInt32LE(pos + 4);
  }
  return out;
}

describe('recording round trip', () => {
  it('random frames come back identical under every codec and block size (property, 24 cases)', async () => {
    for (let c = 0; c < 24; c++) {
      const rand = prng(1000 + c);
      const frames = randomFrames(rand, 50 + Math.floor(rand() * 400));
      const codec = CODECS[c % CODECS.length] as Codec;
      const blockBytes = [256, 1024, 65536, 1 << 20][Math.floor(rand() * 4)] as number;
      const path = join(dir, `rt-${c}.tkr`);
      const { stats } = await write(path, frames, codec, blockBytes);
      expect(stats.frames).toBe(frames.length);
      expect(stats.fileBytes).toBe(readFileSync(path).length);
      const got = await readAll(path);
      expect(got.header.venue).toBe('sim');
      expect(got.header.codec).toBe(codec);
      expect(got.report.corruptBlocks).toEqual([]);
      expect(got.report.tail).toBeNull();
      expect(got.report.blocks).toBe(stats.blocksWritten);
      expect(got.frames.map(plain), `case ${c} (${codec}, ${blockBytes})`).toEqual(frames.map(plain));
    }
  });

  it('a block reaches the disk on the flush timer, before close', async () => {
    const path = join(dir, 'timer.tkr');
    const w = await RecordingWriter.open(path, { venue: 'okx', flushIntervalMs: 20, blockBytes: 1 << 20 });
    const frames = randomFrames(prng(7), 30);
    for (const f of frames) w.append(f);
    const deadline = Date.now() + 5000;
    while (w.stats().blocksWritten === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    // read the file while the writer is still open: what a crash would leave behind
    const got = await readAll(path);
    expect(got.frames.map(plain)).toEqual(frames.map(plain));
    expect(got.report.tail).toBeNull();
    await w.close();
  });

  it('stores the header: venue, instruments, symbols, meta', async () => {
    const path = join(dir, 'header.tkr');
    const spec = { id: 7, venue: 'sim' as const, symbol: 'AAPL', priceScale: 2, sizeScale: 0, tickSize: 1, lotSize: 1 };
    const w = await RecordingWriter.open(path, { venue: 'sim', instruments: [spec], symbols: ['AAPL'], meta: { url: 'ws://x' } });
    await w.close();
    const got = await readAll(path);
    expect(got.header.instruments).toEqual([spec]);
    expect(got.header.symbols).toEqual(['AAPL']);
    expect(got.header.meta).toEqual({ url: 'ws://x' });
    expect(got.frames).toEqual([]);
  });
});

describe('recording damage', () => {
  const frames = randomFrames(prng(42), 120);
  // blocks: frames [0,40) [40,80) [80,115) [115,120): the last block is small
  const flushAt = [40, 80, 115];

  it('a tail cut at every byte of the last block is detected and ignored; earlier frames intact', async () => {
    const path = join(dir, 'tail.tkr');
    const { offsets } = await write(path, frames, 'deflate', 1 << 20, flushAt);
    const full = readFileSync(path);
    const lastStart = offsets[2] as number;
    expect(blockStarts(full).slice(1)).toEqual(offsets);
    const expected = frames.slice(0, 115).map(plain);
    const cut = join(dir, 'tail-cut.tkr');
    let checked = 0;
    for (let len = lastStart + 1; len < full.length; len++) {
      writeFileSync(cut, full.subarray(0, len));
      const got = await readAll(cut);
      expect(got.report.tail, `cut at ${len}`).toEqual({ offset: lastStart, bytes: len - lastStart, reason: expect.any(String) });
      expect(got.report.corruptBlocks).toEqual([]);
      expect(got.frames.length, `cut at ${len}`).toBe(115);
      if (len === lastStart + 1 || len === full.length - 1) expect(got.frames.map(plain)).toEqual(expected);
      checked++;
    }
    expect(checked).toBe(full.length - lastStart - 1);
    // cut exactly at the block boundary: nothing torn, the last block is simply absent
    writeFileSync(cut, full.subarray(0, lastStart));
    const clean = await readAll(cut);
    expect(clean.report.tail).toBeNull();
    expect(clean.frames.length).toBe(115);
  });

  it('a damaged middle block is skipped and its offset reported; every other block is read', async () => {
    const path = join(dir, 'middle.tkr');
    await write(path, frames, 'deflate', 1 << 20, flushAt);
    const full = readFileSync(path);
    const starts = blockStarts(full);
    expect(starts.length).toBe(4);
    const second = starts[1] as number;
    const third = starts[2] as number;
    const keep = [...frames.slice(0, 40), ...frames.slice(80)].map(plain);
    // damage: a payload byte, the length field, the magic, the header CRC
    for (const at of [second + 28 + 10, second + 5, second, second + 25, third - 1]) {
      const bad = Buffer.from(full);
      bad[at] = (bad[at] as number) ^ 0x5a;
      const p = join(dir, `middle-${at}.tkr`);
      writeFileSync(p, bad);
      const got = await readAll(p);
      expect(got.report.corruptBlocks, `byte ${at}`).toEqual([{ offset: second, bytes: third - second, reason: expect.any(String) }]);
      expect(got.report.tail).toBeNull();
      expect(got.frames.map(plain)).toEqual(keep);
    }
    // garbage spliced between two blocks is skipped the same way
    const spliced = Buffer.concat([full.subarray(0, third), Buffer.from('garbage TKB1 garbage'), full.subarray(third)]);
    writeFileSync(join(dir, 'spliced.tkr'), spliced);
    const got = await readAll(join(dir, 'spliced.tkr'));
    expect(got.report.corruptBlocks).toEqual([{ offset: third, bytes: 20, reason: 'bad block magic' }]);
    expect(got.frames.map(plain)).toEqual(frames.map(plain));
  });

  it('refuses what is not a recording, an existing file, and append after close, with stable codes', async () => {
    const p = join(dir, 'not.tkr');
    writeFileSync(p, 'hello world, not a recording');
    await expect(openRecording(p)).rejects.toMatchObject({ code: 'ERR_RECORDING_NOT_A_RECORDING' });
    await expect(RecordingWriter.open(p, { venue: 'sim' })).rejects.toMatchObject({ code: 'ERR_RECORDING_WRITE' });
    const w = await RecordingWriter.open(join(dir, 'closed.tkr'), { venue: 'sim' });
    await w.close();
    expect(() => w.append(frames[0] as RecordedFrame)).toThrow(RecordingError);
    await expect(RecordingWriter.open(join(dir, 'x.tkr'), { venue: 'nope' as never })).rejects.toThrow(TypeError);
    // a damaged header is refused, not misread
    const h = readFileSync(join(dir, 'closed.tkr'));
    h[25] = (h[25] as number) ^ 1;
    writeFileSync(join(dir, 'badhead.tkr'), h);
    await expect(openRecording(join(dir, 'badhead.tkr'))).rejects.toMatchObject({ code: 'ERR_RECORDING_BAD_HEADER' });
  });
});
