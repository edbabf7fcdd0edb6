/**
 * Record -> replay against the embedded exchange: `record` writes a few seconds of `sim`;
 * `replay --speed max` feeds the file through the whole pipeline and normalize processes exactly
 * the frames in the file (none lost on the drop-oldest rings: the replay gate holds the source);
 * `replay --verify` finds the recorded sequence unbroken. A recorder stopped by SIGINT leaves a
 * complete file.
 *
 * The verbs are called as functions (they are not registered in main.ts yet); the SIGINT case
 * runs `record()` in a child process so a real signal can be sent.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { record } from '@tickline/cli';
import { replay } from '@tickline/cli';
import { loadConfig } from '@tickline/cli';
import { openRecording, RecordingWriter } from '@tickline/ingest';
import { captured } from './capture-output.js';

const ROOT = new URL('..', import.meta.url).pathname;
const tmp = mkdtempSync(join(tmpdir(), 'tkl-roundtrip-'));

async function countFrames(path: string): Promise<{ frames: number; venue: string; instruments: number; tail: unknown }> {
  const r = await openRecording(path);
  let frames = 0;
  for await (const b of r.blocks()) frames += b.length;
  return { frames, venue: r.header.venue, instruments: r.header.instruments?.length ?? 0, tail: r.report.tail };
}

const quiet = (raw: object = {}) => loadConfig({ exchange: { instruments: 60 }, ...raw }, { 'log.level': 'silent' }, 'test');

describe('record -> replay on the embedded exchange', () => {
  const file = join(tmp, 'sim.tkr');

  it('records every raw frame, replays them all through the pipeline at --speed max, and verifies clean', async () => {
    const rec = await captured(() => record(quiet(), { out: file, durationS: 2, summary: 'json' }));
    expect(rec.code, rec.err).toBe(0);
    const recSummary = JSON.parse(rec.out);
    const inFile = await countFrames(file);
    expect(inFile.venue).toBe('sim');
    expect(inFile.instruments).toBe(60);
    expect(inFile.tail).toBeNull();
    expect(inFile.frames).toBe(recSummary.frames);
    expect(inFile.frames).toBeGreaterThan(1000);

    const rep = await captured(() => replay(quiet(), { file, speed: 'max', json: true }));
    expect(rep.code, rep.err).toBe(0);
    const s = JSON.parse(rep.out);
    expect(s.replay.complete).toBe(true);
    expect(s.replay.frames).toBe(inFile.frames);
    expect(s.replay.instrumentsFrom).toBe('header');
    expect(s.stages.ingest.emitted).toBe(inFile.frames);
    expect(s.stages.normalize.processed).toBe(inFile.frames);
    expect(s.stages.normalize.dropped).toEqual({});
    expect(s.stages.book.processed).toBe(s.stages.normalize.emitted);
    expect(s.stages.book.processed).toBeGreaterThan(0);
    expect(s.restarts).toBe(0);
    // the book saw the recorded sequence unbroken end to end (core counters, when the summary has them)
    expect(s.stages.book.core?.['venues.sim.gaps'] ?? 0).toBe(0);

    // Rings far smaller than the file: the source must wait for credit, and still nothing is lost.
    const small = { capacityBytes: 1 << 18 };
    const tight = quiet({ rings: { edges: { 'ingest->normalize': small, 'normalize->book': small } } });
    const rep2 = await captured(() => replay(tight, { file, speed: 'max', json: true }));
    expect(rep2.code, rep2.err).toBe(0);
    const s2 = JSON.parse(rep2.out);
    expect(s2.stages.normalize.processed).toBe(inFile.frames);
    expect(s2.stages.normalize.dropped).toEqual({});
    expect(s2.stages.book.dropped).toEqual({});
    expect(s2.stages.book.processed).toBe(s.stages.book.processed);
    expect(s2.replay.creditWaits).toBeGreaterThan(10);
    expect(s2.stages.book.core?.['venues.sim.gaps'] ?? 0).toBe(0);

    const v = await captured(() => replay(quiet(), { file, verify: true, json: true }));
    expect(v.code, v.out).toBe(0);
    const report = JSON.parse(v.out);
    expect(report.frames).toBe(inFile.frames);
    expect(report.sequence.checked).toBeGreaterThan(100);
    expect(report.sequence.gaps).toBe(0);
  }, 60_000);

  it('a Kraken v1 capture replays through the pipeline with every checksum matching in the book stage', async () => {
    const cap = new URL('fixtures/captures/kraken-v1-book-2021-04-17.cap', import.meta.url).pathname;
    const r = await captured(() => replay(quiet(), { file: cap, venue: 'kraken-v1', speed: 'max', json: true }));
    expect(r.code, r.err).toBe(0);
    const s = JSON.parse(r.out);
    expect(s.replay.instrumentsFrom).toBe('instrument-list'); // the AssetPairs .rest beside the capture
    expect(s.stages.normalize.processed).toBe(2637);
    expect(s.stages.book.dropped).toEqual({});
    const core = s.stages.book.core;
    if (core !== undefined) {
      expect(core['venues.kraken-v1.deltasApplied']).toBe(2595);
      expect(core['venues.kraken-v1.checksumFailures']).toBe(0);
      expect(core.live).toBe(5);
    }
  }, 60_000);

  it('an existing output file is refused (exit 2) and left untouched; so is an unknown instrument', async () => {
    const existing = join(tmp, 'existing.tkr');
    const w = await RecordingWriter.open(existing, { venue: 'okx', symbols: ['BTC-USDT'] });
    w.append({ recvS: 1, recvNs: 2, connId: 3, frameSeq: 4, kind: 0, context: null, bytes: Buffer.from('{}') });
    await w.close();
    const r = await captured(() => record(quiet(), { out: existing, durationS: 1 }));
    expect(r.code).toBe(2);
    expect(r.err).toContain(existing);
    expect(await countFrames(existing)).toEqual({ frames: 1, venue: 'okx', instruments: 0, tail: null });
    // an unknown code is refused before any file is created
    const none = join(tmp, 'none.tkr');
    const u = await captured(() => record(quiet(), { out: none, instruments: ['NOT-LISTED'], durationS: 1 }));
    expect(u.code).toBe(2);
    expect(u.err).toContain('NOT-LISTED');
    expect(existsSync(none)).toBe(false);
  });

  it('SIGINT closes the recording cleanly: exit 0, a complete file', async () => {
    const out = join(tmp, 'sigint.tkr');
    const script = `
      import { record } from ${JSON.stringify(join(ROOT, 'packages/cli/src/commands/record.ts'))};
      import { loadConfig } from ${JSON.stringify(join(ROOT, 'packages/cli/src/config.ts'))};
      process.exitCode = await record(loadConfig({ exchange: { instruments: 20 } }, { 'log.level': 'info' }, 'test'),
        { out: ${JSON.stringify(out)}, summary: 'json' });`;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let sent = false;
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => {
      stderr += d; // the logger writes to stderr
      if (!sent && stderr.includes('tickline recording')) {
        sent = true;
        setTimeout(() => child.kill('SIGINT'), 800);
      }
    });
    const guard = setTimeout(() => child.kill('SIGKILL'), 30_000);
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    clearTimeout(guard);
    expect(sent, stderr).toBe(true);
    expect(code, stderr).toBe(0);
    const summary = JSON.parse(stdout.trim().split('\n').pop() as string);
    expect(summary.stopReason).toBe('SIGINT');
    const inFile = await countFrames(out);
    expect(inFile.tail).toBeNull();
    expect(inFile.frames).toBe(summary.frames);
    expect(inFile.frames).toBeGreaterThan(0);
  }, 40_000);
});
