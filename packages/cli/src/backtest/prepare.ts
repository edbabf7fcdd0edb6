/**
 * Prepares a file for a backtest: a copy as an uncompressed tickline recording whose receive times
 * are shifted so the first frame is "now". Stages compare record times with the wall clock (risk's
 * `maxDataAgeMs`, intent ages), so an old recording replayed as recorded would be refused as stale;
 * shifted, the replay at full speed stays at or ahead of the wall clock. Intervals between frames
 * are kept exactly, so time bars and the equity sampling see the recorded pace.
 */

import { join } from 'node:path';
import { openReplayInput, RecordingWriter } from '@tickline/ingest';
import type { ReplayPlan } from '../commands/replay-registry.js';

export interface PreparedFile {
  path: string;
  frames: number;
  /** Shifted receive time of the first and last frame (epoch ms). */
  firstMs: number;
  lastMs: number;
  /** Added to every recorded receive time (ms). */
  shiftMs: number;
  corruptBlocks: number;
  badLines: number;
}

const NS_PER_MS = 1_000_000;

export async function prepareRetimed(plan: ReplayPlan, dir: string, startMs = Date.now()): Promise<PreparedFile> {
  const path = join(dir, 'retimed.tkr');
  const input = await openReplayInput(plan.file, { format: plan.format, venue: plan.venue });
  const writer = await RecordingWriter.open(path, {
    venue: plan.venue,
    instruments: plan.registry.list(),
    codec: 'none',
    overwrite: true,
    meta: { retimedFrom: plan.file },
  });
  let frames = 0;
  // shift in whole nanoseconds, computed from the first frame
  let shiftNs: bigint | null = null;
  let firstMs = 0;
  let lastMs = 0;
  try {
    for await (const batch of input.batches()) {
      for (const f of batch) {
        const recNs = BigInt(f.recvS) * 1_000_000_000n + BigInt(f.recvNs);
        if (shiftNs === null) shiftNs = BigInt(Math.round(startMs)) * BigInt(NS_PER_MS) - recNs;
        const t = recNs + shiftNs;
        const recvS = Number(t / 1_000_000_000n);
        const recvNs = Number(t % 1_000_000_000n);
        const ms = recvS * 1000 + recvNs / NS_PER_MS;
        if (frames === 0) firstMs = ms;
        if (ms > lastMs) lastMs = ms;
        writer.append({ recvS, recvNs, connId: f.connId, frameSeq: f.frameSeq, kind: f.kind, context: f.context, bytes: f.bytes });
        frames++;
      }
    }
  } finally {
    await writer.close();
    await input.close();
  }
  return {
    path,
    frames,
    firstMs,
    lastMs,
    shiftMs: shiftNs === null ? 0 : Number(shiftNs / BigInt(NS_PER_MS)),
    corruptBlocks: input.report.corruptBlocks.length,
    badLines: input.report.badLines,
  };
}
