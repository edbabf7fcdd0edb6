/**
 * The replay source core without a pipeline: every frame of a recording comes out in order with
 * its recorded fields; byte credit holds it back exactly; partitions split frames by connection;
 * the stage config is validated with every issue reported at once.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Emitter, RawFrameLike } from '@tickline/runtime';
import { VENUE_NAMES } from '@tickline/wire';
import { describe, expect, it } from 'vitest';
import { type RecordedFrame, RecordingWriter, ReplaySource, resolveReplayConfig } from '../src/recording/index.js';
import { RECORD_OVERHEAD } from '../src/recording/replay-source.js';

const dir = mkdtempSync(join(tmpdir(), 'tkl-replay-src-'));

interface Seen {
  connId: number;
  frameSeq: number;
  recvS: number;
  recvNs: number;
  kind: number;
  context: string | null;
  text: string;
  venue: number;
}

function sink(): { emit: Emitter; seen: Seen[]; flushes: number } {
  const state = { seen: [] as Seen[], flushes: 0, emit: null as unknown as Emitter };
  const noop = () => {};
  state.emit = {
    rawFrame(f: RawFrameLike) {
      const { connId, frameSeq, recvS, recvNs, kind, context, venue } = f;
      state.seen.push({ connId, frameSeq, recvS, recvNs, kind, context, venue, text: Buffer.from(f.bytes).toString('utf8') });
    },
    flush() {
      state.flushes++;
    },
    bookDelta: noop,
    bookSnapshot: noop,
    trades: noop,
    quotes: noop,
    bookView: noop,
    bar: noop,
    signal: noop,
    orderIntent: noop,
    orderEvent: noop,
    fill: noop,
    position: noop,
    mark: noop,
  };
  return state;
}

function frames(n: number): RecordedFrame[] {
  return Array.from({ length: n }, (_, i) => ({
    recvS: 1_700_000_000 + Math.floor(i / 10),
    recvNs: (i % 10) * 1000,
    connId: i % 3,
    frameSeq: i,
    kind: i % 50 === 0 ? 2 : 0,
    context: i % 50 === 0 ? `/v1/book/S${i}?depth=10` : null,
    bytes: Buffer.from(`{"i":${i},"pad":"${'x'.repeat(i % 7)}"}`),
  }));
}

async function recording(name: string, list: RecordedFrame[]): Promise<string> {
  const path = join(dir, name);
  const w = await RecordingWriter.open(path, { venue: 'sim', blockBytes: 2048, overwrite: true });
  for (const f of list) w.append(f);
  await w.close();
  return path;
}

const until = async (cond: () => boolean, ms = 5000) => {
  const end = Date.now() + ms;
  while (!cond() && Date.now() < end) await new Promise((r) => setTimeout(r, 2));
};

const expected = (f: RecordedFrame) => ({
  connId: f.connId,
  frameSeq: f.frameSeq,
  recvS: f.recvS,
  recvNs: f.recvNs,
  kind: f.kind,
  context: f.context,
  venue: 1,
  text: Buffer.from(f.bytes).toString('utf8'),
});

describe('ReplaySource', () => {
  it('emits every frame in order with its recorded fields, then reports done', async () => {
    const list = frames(500);
    const file = await recording('all.tkr', list);
    const src = new ReplaySource(resolveReplayConfig({ venue: 'sim', replay: { file, speed: 'max', batch: 64 } }));
    const out = sink();
    await src.start(out.emit);
    await until(() => src.status().done);
    expect(out.seen).toEqual(list.map(expected));
    expect(out.flushes).toBeGreaterThanOrEqual(Math.floor(500 / 64));
    expect(src.stats()).toMatchObject({ replayFrames: 500, replayDone: 1, replayErrors: 0, replayCorruptBlocks: 0 });
    await src.stop();
  });

  it('with flow control emits nothing without credit and exactly what each grant covers', async () => {
    const list = frames(300);
    const file = await recording('credit.tkr', list);
    const src = new ReplaySource(resolveReplayConfig({ venue: 'sim', replay: { file, speed: 'max', flowControl: true } }));
    const out = sink();
    await src.start(out.emit);
    await new Promise((r) => setTimeout(r, 50));
    expect(out.seen).toHaveLength(0);
    const cost = (f: RecordedFrame) => f.bytes.length + (f.context?.length ?? 0) + RECORD_OVERHEAD;
    const budget = list.slice(0, 10).reduce((n, f) => n + cost(f), 0);
    src.grant(budget + cost(list[10] as RecordedFrame) - 1); // one byte short of frame 10
    await until(() => out.seen.length >= 10);
    await new Promise((r) => setTimeout(r, 30));
    expect(out.seen).toHaveLength(10);
    src.grant(0, true); // rings empty: one frame may go whatever its cost
    await until(() => out.seen.length >= 11);
    await new Promise((r) => setTimeout(r, 30));
    expect(out.seen).toHaveLength(11);
    src.grant(Number.POSITIVE_INFINITY);
    await until(() => src.status().done);
    expect(out.seen).toEqual(list.map(expected));
    expect(src.stats().replayCreditWaits).toBeGreaterThanOrEqual(3);
    await src.stop();
  });

  it('partition p of n replays the frames of connections with connId % n === p', async () => {
    const list = frames(90);
    const file = await recording('parts.tkr', list);
    const cfg = resolveReplayConfig({ venue: 'sim', replay: { file, speed: 'max' } });
    const got: Seen[][] = [];
    for (let p = 0; p < 2; p++) {
      const src = new ReplaySource(cfg, p, 2);
      const out = sink();
      await src.start(out.emit);
      await until(() => src.status().done);
      await src.stop();
      got.push(out.seen);
    }
    for (const [p, seen] of got.entries()) expect(seen).toEqual(list.filter((f) => f.connId % 2 === p).map(expected));
  });

  it('stop() ends a paced replay early without emitting the rest', async () => {
    const list = frames(100).map((f, i) => ({ ...f, recvS: 1_700_000_000 + i })); // one frame per second
    const file = await recording('paced.tkr', list);
    const src = new ReplaySource(resolveReplayConfig({ venue: 'sim', replay: { file, speed: 1 } }));
    const out = sink();
    await src.start(out.emit);
    await until(() => out.seen.length >= 1);
    await src.stop();
    expect(out.seen.length).toBeLessThan(5);
    expect(src.status().done).toBe(false);
  });

  it('rejects a bad config listing every issue', () => {
    let msg = '';
    try {
      resolveReplayConfig({ venue: 'nowhere', replay: { file: '', speed: 0, format: 'csv', batch: 0, extra: 1, flowControl: 'yes' } });
    } catch (err) {
      expect((err as { code?: string }).code).toBe('ERR_RECORDING_INVALID_ARGUMENT');
      msg = (err as Error).message;
    }
    expect(msg.split('\n')).toEqual([
      'invalid replay config:',
      `  ingest.venue: must be one of ${VENUE_NAMES.map((v) => JSON.stringify(v)).join(', ')}, got "nowhere"`,
      '  ingest.replay.extra: is not a known setting (allowed here: file, format, speed, batch, collector, flowControl)',
      '  ingest.replay.file: must be a file path, got ""',
      '  ingest.replay.format: must be one of "auto", "tickline", "capture", "collector", got "csv"',
      '  ingest.replay.speed: must be a number in (0, 1000000] or "max", got 0',
      '  ingest.replay.batch: must be an integer from 1 to 65536, got 0',
      '  ingest.replay.flowControl: must be true or false, got "yes"',
    ]);
    expect(() => resolveReplayConfig({ venue: 'sim' })).toThrow(
      'invalid replay config:\n  ingest.replay: is required (an object with keys file, format, speed, batch, collector, flowControl)\n  ingest.replay.file: is required (a file path)',
    );
    expect(resolveReplayConfig({ venue: 'sim', symbols: [], replay: { file: 'f', speed: 'max', collector: { symbol: 'X' } } })).toEqual({
      venue: 'sim',
      file: 'f',
      format: 'auto',
      speed: 'max',
      batch: 256,
      collector: { symbol: 'X' },
      flowControl: false,
    });
  });
});
