/**
 * The prepare pass of an event-time backtest: every frame of the file through the normalize
 * stage (the same factory and parsers the pipeline runs), its output encoded into a RecordStore.
 * Any format `replay` reads works: tickline recordings, `.cap`/`.rest` captures, hftbacktest
 * collector files.
 */

import { openReplayInput } from '@tickline/ingest';
import createNormalizeStage from '@tickline/normalize/worker';
import { rawFrameScratch, type StageCore } from '@tickline/runtime';
import { venueId } from '@tickline/wire';
import type { ReplayPlan } from '../../commands/replay-registry.js';
import { RecordStore, StoreEmitter } from './store.js';

export interface PreparedEvents {
  store: RecordStore;
  frames: number;
  /** Local receive time (epoch ms) of the first and last frame. */
  firstMs: number;
  lastMs: number;
  /** Frames whose receive time went backwards (they are replayed at the previous frame's time). */
  timeReversals: number;
  /** Normalize's counters (rejects by reason, sequence gaps). */
  normalize: Record<string, number>;
  corruptBlocks: number;
  badLines: number;
  /** Wall time of the pass (ms). */
  ms: number;
}

export async function prepareEvents(
  plan: ReplayPlan,
  normalizeConfig: unknown,
  onProgress?: (frames: number) => void,
  /** Checked once per batch of frames: true stops reading (SIGINT), keeping what was prepared. */
  stopped?: () => boolean,
): Promise<PreparedEvents> {
  const t0 = performance.now();
  const store = new RecordStore();
  const out = new StoreEmitter(store);
  const core = createNormalizeStage({
    stage: 'normalize',
    partition: 0,
    partitions: 1,
    registry: plan.registry,
    config: normalizeConfig ?? {},
    notify: () => {},
    marketView: null,
    maxDataAgeMs: 0,
  }) as StageCore;
  const onRaw = core.onRawFrame?.bind(core);
  if (onRaw === undefined) throw new Error('the normalize stage has no raw-frame handler');
  const input = await openReplayInput(plan.file, { format: plan.format, venue: plan.venue });
  const venue = venueId(plan.venue);
  const frame = rawFrameScratch(venue);
  let frames = 0;
  let firstMs = Number.NaN;
  let lastMs = Number.NaN;
  let reversals = 0;
  try {
    for await (const batch of input.batches()) {
      for (const f of batch) {
        let ms = f.recvS * 1000 + f.recvNs / 1e6;
        if (frames === 0) firstMs = ms;
        else if (ms < lastMs) {
          reversals++;
          ms = lastMs;
        }
        lastMs = ms;
        out.at = ms;
        frame.connId = f.connId;
        frame.recvS = f.recvS;
        frame.recvNs = f.recvNs;
        frame.frameSeq = f.frameSeq;
        frame.kind = f.kind;
        frame.context = f.context;
        frame.bytes = f.bytes;
        onRaw(frame, out);
        frames++;
      }
      onProgress?.(frames);
      if (stopped?.()) break;
    }
  } finally {
    await input.close();
  }
  return {
    store,
    frames,
    firstMs: frames === 0 ? 0 : firstMs,
    lastMs: frames === 0 ? 0 : lastMs,
    timeReversals: reversals,
    normalize: core.stats?.() ?? {},
    corruptBlocks: input.report.corruptBlocks.length,
    badLines: input.report.badLines,
    ms: performance.now() - t0,
  };
}
