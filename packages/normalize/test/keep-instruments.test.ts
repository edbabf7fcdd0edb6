import type { StageContext, StageCore } from '@tickline/runtime';
import { Recorder } from '@tickline/runtime/testing';
import { type BookDeltaLike, type BookSnapshotLike, type TradeBatchLike, venueId } from '@tickline/wire';
import { describe, expect, it } from 'vitest';
import { simStream } from '../bench/sim-frames.js';
import createNormalizeStage from '../src/worker.js';

/**
 * `keepInstruments` (a cluster replay node's shard): the stage passes on exactly the records of
 * the kept instruments, as it would without the filter, and counts the others.
 */

const stream = simStream({ frames: 3000, instruments: 24, seed: 3 });

/** Every record the stage emits, as `<kind>:<instrument>:<sequence or first price>`, in order. */
function tape(): Recorder & { out: string[] } {
  const out: string[] = [];
  return Object.assign(new Recorder(), {
    out,
    bookDelta: (d: BookDeltaLike) => out.push(`delta:${d.instrument}:${d.lastSeq}`),
    bookSnapshot: (s: BookSnapshotLike) => out.push(`snapshot:${s.instrument}:${s.seq}`),
    trades: (t: TradeBatchLike) => out.push(`trades:${t.instrument}:${t.price(0)}`),
  });
}

function stage(config: unknown): StageCore {
  const ctx: StageContext = {
    stage: 'normalize',
    partition: 0,
    partitions: 1,
    registry: stream.registry,
    config,
    notify: () => {},
    marketView: null,
    maxDataAgeMs: 0,
  };
  return createNormalizeStage(ctx) as StageCore;
}

function play(core: StageCore): ReturnType<typeof tape> {
  const into = tape();
  const f = { venue: venueId('sim'), connId: 1, recvS: 1, recvNs: 0, frameSeq: 0, kind: 0, context: null, bytes: new Uint8Array(0) };
  for (const text of [...stream.snapshots, ...stream.frames]) {
    f.bytes = Buffer.from(text);
    f.frameSeq++;
    core.onRawFrame?.(f, into);
  }
  return into;
}

describe('normalize keepInstruments', () => {
  it('passes on exactly the kept instruments records, in order, and counts the rest', () => {
    const all = play(stage({}));
    const ids = stream.registry.list().map((s) => s.id);
    const keep = ids.filter((id) => id % 3 === 0);
    const some = play(stage({ keepInstruments: keep }));
    const inKeep = (r: string) => keep.includes(Number(r.split(':')[1]));
    expect(all.out.length).toBeGreaterThan(1000);
    expect(some.out).toEqual(all.out.filter(inKeep));
    expect(some.out.length).toBeGreaterThan(0);
    const filtered = stage({ keepInstruments: keep });
    play(filtered);
    expect(filtered.stats?.().outsideShard).toBe(all.out.filter((r) => !inKeep(r)).length);
    expect(stage({}).stats?.().outsideShard).toBeUndefined();
  });

  it('refuses a keepInstruments that is not a list of instrument ids', () => {
    for (const bad of [5, [1, -1], ['a'], [1.5]])
      expect(() => stage({ keepInstruments: bad })).toThrow(
        'normalize stage config keepInstruments must be an array of instrument ids (non-negative integers)',
      );
  });
});
