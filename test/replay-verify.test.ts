/**
 * `tickline replay FILE --venue V --verify --json` on every shared capture: the venue's own truth
 * (checksums, sequence continuity, top of book) holds with 0 mismatches and 0 gaps, exit code 0;
 * damaging a capture (one delta lost, one checksum altered) turns the exit code to 1. The same
 * frames converted to a tickline recording and to a collector gzip file verify identically.
 *
 * The verbs are called as functions (they are not registered in main.ts yet).
 */
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it, vi } from 'vitest';
import { replay } from '@tickline/cli';
import { loadConfig } from '@tickline/cli';
import { openReplayInput, RecordingWriter } from '@tickline/ingest';

const DIR = new URL('fixtures/captures/', import.meta.url).pathname;
const VENUES = new URL('fixtures/venues/', import.meta.url).pathname;
const tmp = mkdtempSync(join(tmpdir(), 'tkl-verify-'));

async function verify(file: string, venue?: string): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((c) => {
    out += String(c);
    return true;
  });
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((c) => {
    err += String(c);
    return true;
  });
  try {
    const code = await replay(loadConfig({}, { 'log.level': 'silent' }, 'test'), {
      file,
      ...(venue !== undefined ? { venue } : {}),
      verify: true,
      json: true,
    });
    return { code, out, err };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

const CASES = [
  { venue: 'kraken-v1', file: 'kraken-v1-book-2021-04-17.cap', checksums: 2595, seq: false, top: false },
  { venue: 'okx', file: 'okx-v5-books-2022-05-13.cap', checksums: 98, seq: false, top: false },
  { venue: 'binance-spot', file: 'binance-spot-depth-2021-10-12.cap', checksums: 0, seq: true, top: true },
  { venue: 'binance-usdm', file: 'binance-usdm-depth-2021-07-22.cap', checksums: 0, seq: true, top: true },
  { venue: 'coinbase-legacy', file: 'coinbase-legacy-level2-2021-04-17.cap', checksums: 0, seq: false, top: false },
  // written from the venues' documentation (test/fixtures/venues/README.md)
  { venue: 'binance-coinm', file: `${VENUES}btcusd_perp_20240809.gz`, checksums: 0, seq: true, top: true },
  { venue: 'coinbase', file: `${VENUES}coinbase-advanced-level2-2024-08-09.cap`, checksums: 0, seq: true, top: false },
  { venue: 'kraken', file: `${VENUES}kraken-v2-book-2024-08-09.cap`, checksums: 601, seq: false, top: false },
];

describe('replay --verify --json on the shared captures', () => {
  for (const c of CASES) {
    it(`${c.venue}: 0 mismatches, 0 gaps, exit 0`, async () => {
      const r = await verify(c.file.startsWith('/') ? c.file : DIR + c.file, c.venue);
      expect(r.code, r.err).toBe(0);
      const lines = r.out.trim().split('\n');
      expect(lines).toHaveLength(1);
      const rep = JSON.parse(lines[0] as string);
      expect(Object.keys(rep)).toEqual(['frames', 'checksums', 'sequence', 'topOfBook', 'resyncs']);
      expect(Object.keys(rep.checksums)).toEqual(['verified', 'mismatched']);
      expect(Object.keys(rep.sequence)).toEqual(['checked', 'gaps']);
      expect(Object.keys(rep.topOfBook)).toEqual(['compared', 'mismatched']);
      expect(rep.frames).toBeGreaterThan(100);
      expect(rep.checksums).toEqual({ verified: c.checksums, mismatched: 0 });
      expect(rep.sequence.gaps).toBe(0);
      expect(rep.topOfBook.mismatched).toBe(0);
      expect(rep.resyncs).toBe(0);
      if (c.seq) expect(rep.sequence.checked).toBeGreaterThan(100);
      if (c.top) expect(rep.topOfBook.compared).toBeGreaterThan(10);
    });
  }

  it('a lost Binance delta is a gap: exit code 1', async () => {
    const lines = readFileSync(`${DIR}binance-spot-depth-2021-10-12.cap`, 'utf8').split('\n');
    const deltas = lines.flatMap((l, i) => (l.includes('"depthUpdate"') ? [i] : []));
    expect(deltas.length).toBeGreaterThan(20);
    const drop = deltas[Math.floor(deltas.length / 2)] as number;
    const file = join(tmp, 'binance-spot-lossy.cap');
    writeFileSync(file, lines.filter((_, i) => i !== drop).join('\n'));
    copyFileSync(`${DIR}binance-spot-depth-2021-10-12.rest`, join(tmp, 'binance-spot-lossy.rest'));
    const r = await verify(file, 'binance-spot');
    expect(r.code).toBe(1);
    expect(JSON.parse(r.out).sequence.gaps).toBeGreaterThan(0);
  });

  it('an altered Kraken checksum is a mismatch: exit code 1', async () => {
    const text = readFileSync(`${DIR}kraken-v1-book-2021-04-17.cap`, 'utf8');
    const at = text.indexOf('"c":"', text.length / 2);
    expect(at).toBeGreaterThan(0);
    const digit = text[at + 5] === '1' ? '2' : '1';
    const file = join(tmp, 'kraken-v1-bad.cap');
    writeFileSync(file, text.slice(0, at + 5) + digit + text.slice(at + 6));
    copyFileSync(`${DIR}kraken-assetpairs-2021-04-17.rest`, join(tmp, 'kraken-assetpairs-2021-04-17.rest'));
    const r = await verify(file, 'kraken-v1');
    expect(r.code).toBe(1);
    expect(JSON.parse(r.out).checksums.mismatched).toBe(1);
  });

  it('the same frames as a tickline recording and as a collector gzip file verify identically', async () => {
    const cap = `${DIR}binance-usdm-depth-2021-07-22.cap`;
    const want = JSON.parse((await verify(cap, 'binance-usdm')).out);
    const input = await openReplayInput(cap);
    const rec = join(tmp, 'usdm.tkr');
    const sushi = join(tmp, 'sushi.tkr');
    const w = await RecordingWriter.open(rec, { venue: 'binance-usdm', blockBytes: 16 * 1024, overwrite: true });
    const ws = await RecordingWriter.open(sushi, { venue: 'binance-usdm', overwrite: true });
    const gz: string[] = [];
    for await (const batch of input.batches())
      for (const f of batch) {
        w.append(f);
        const text = Buffer.from(f.bytes).toString('utf8');
        // a collector file holds one symbol; its REST snapshot is inline (bare body)
        if (f.kind === 2 ? f.context?.includes('symbol=SUSHIUSDT') : text.includes('"s":"SUSHIUSDT"')) {
          ws.append(f);
          gz.push(`${f.recvS}${String(f.recvNs).padStart(9, '0')} ${text}`);
        }
      }
    await w.close();
    await ws.close();
    const fromRec = await verify(rec); // venue from the header
    expect(fromRec.code, fromRec.err).toBe(0);
    expect(JSON.parse(fromRec.out)).toEqual(want);
    const gzFile = join(tmp, 'sushiusdt_20210722.gz');
    writeFileSync(gzFile, gzipSync(`${gz.join('\n')}\n`));
    const fromGz = await verify(gzFile, 'binance-usdm');
    expect(fromGz.code, fromGz.err).toBe(0);
    const gzRep = JSON.parse(fromGz.out);
    expect(gzRep).toEqual(JSON.parse((await verify(sushi)).out));
    expect(gzRep.frames).toBe(gz.length);
    expect(gzRep.sequence.checked).toBeGreaterThan(100);
    expect(gzRep.topOfBook.compared).toBeGreaterThan(5);
  });

  it('the real spot collector file verifies whatever it is called: symbol from the messages, REST path from the venue', async () => {
    const want = {
      frames: 58326,
      checksums: { verified: 0, mismatched: 0 },
      sequence: { checked: 3044, gaps: 0 },
      topOfBook: { compared: 507, mismatched: 0 },
      resyncs: 0,
    };
    const original = `${DIR}binance-spot-btcusdt-20240809.ns.gz`;
    const r = await verify(original, 'binance-spot');
    expect(r.code, r.err).toBe(0);
    expect(JSON.parse(r.out)).toEqual(want);
    const copy = join(tmp, 'a new user named it.gz');
    copyFileSync(original, copy);
    expect(JSON.parse((await verify(copy, 'binance-spot')).out)).toEqual(want);
  }, 120_000);

  it('a COIN-M collector file verifies under any name: BTCUSD_PERP from the messages, the pu chain from /dapi/v1/depth', async () => {
    const original = `${VENUES}btcusd_perp_20240809.gz`;
    const want = JSON.parse((await verify(original, 'binance-coinm')).out);
    expect(want.sequence).toEqual({ checked: 443, gaps: 0 });
    expect(want.topOfBook).toEqual({ compared: 440, mismatched: 0 });
    const copy = join(tmp, 'coinm-day.gz');
    copyFileSync(original, copy);
    expect(JSON.parse((await verify(copy, 'binance-coinm')).out)).toEqual(want);
  });

  it('usage errors exit 2: capture without --venue, venue not matching the recording', async () => {
    expect((await verify(`${DIR}okx-v5-books-2022-05-13.cap`)).code).toBe(2);
    const rec = join(tmp, 'usage.tkr');
    await (await RecordingWriter.open(rec, { venue: 'binance-usdm', overwrite: true })).close();
    const r = await verify(rec, 'okx');
    expect(r.code).toBe(2);
    expect(r.err).toContain('does not match');
  });
});
