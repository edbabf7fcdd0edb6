/** The ingest stage's replay section: shape, defaults and validation (every violation at once). */

import { isVenueName, VENUE_NAMES, type VenueName } from '@tickline/wire';
import { RecordingError } from './errors.js';
import { REPLAY_FORMATS, type ReplayFormat } from './input.js';

export type ReplaySpeed = number | 'max';

/** `ingest.replay` in the stage config: `{ venue, replay: { file, format?, speed?, batch?, collector?, flowControl? } }`. */
export interface ReplaySourceConfig {
  /** File to replay (tickline recording, `.cap` capture, collector `.gz`). */
  readonly file: string;
  /** Default 'auto' (by the file's first bytes). */
  readonly format?: ReplayFormat | 'auto';
  /** 1 = recorded pace, 10 = ten times faster, 'max' = as fast as the pipeline takes it. Default 1. */
  readonly speed?: ReplaySpeed;
  /** Frames per flush (and per event-loop yield). Default 256. */
  readonly batch?: number;
  /** Collector files: `{ symbol?, restPath? }` for their inline REST snapshots. */
  readonly collector?: { readonly symbol?: string; readonly restPath?: string };
  /** Emit only against `replay-credit` grants from the supervisor (see replay-source.ts). Default false. */
  readonly flowControl?: boolean;
}

export interface ResolvedReplayConfig {
  readonly venue: VenueName;
  readonly file: string;
  readonly format: ReplayFormat | 'auto';
  readonly speed: ReplaySpeed;
  readonly batch: number;
  readonly collector: { readonly symbol?: string; readonly restPath?: string };
  readonly flowControl: boolean;
}

const KEYS = ['file', 'format', 'speed', 'batch', 'collector', 'flowControl'];

/** Validates `{ venue, replay }` (other ingest keys are ignored). Throws listing every issue. */
export function resolveReplayConfig(stageConfig: unknown): ResolvedReplayConfig {
  const issues: string[] = [];
  const c = (stageConfig ?? {}) as { venue?: unknown; replay?: unknown };
  if (!isVenueName(c.venue)) issues.push(`ingest.venue: must be one of ${VENUE_NAMES.join(', ')}, got ${JSON.stringify(c.venue)}`);
  const r = c.replay;
  if (r === null || typeof r !== 'object' || Array.isArray(r)) {
    issues.push('ingest.replay: must be an object { file, format?, speed?, batch?, collector?, flowControl? }');
    throw new RecordingError('ERR_RECORDING_INVALID_ARGUMENT', `invalid replay config:\n  ${issues.join('\n  ')}`);
  }
  const o = r as Record<string, unknown>;
  for (const k of Object.keys(o)) if (!KEYS.includes(k)) issues.push(`ingest.replay.${k}: unknown key (allowed: ${KEYS.join(', ')})`);
  if (typeof o.file !== 'string' || o.file.length === 0) issues.push('ingest.replay.file: must be a non-empty path');
  const format = o.format ?? 'auto';
  if (format !== 'auto' && !REPLAY_FORMATS.includes(format as ReplayFormat))
    issues.push(
      `ingest.replay.format: must be one of "auto", ${REPLAY_FORMATS.map((f) => `"${f}"`).join(', ')}, got ${JSON.stringify(format)}`,
    );
  const speed = o.speed ?? 1;
  if (speed !== 'max' && !(typeof speed === 'number' && Number.isFinite(speed) && speed > 0 && speed <= 1e6))
    issues.push(`ingest.replay.speed: must be a number in (0, 1000000] or "max", got ${JSON.stringify(speed)}`);
  const batch = o.batch ?? 256;
  if (!Number.isInteger(batch) || (batch as number) < 1 || (batch as number) > 65536)
    issues.push(`ingest.replay.batch: must be an integer from 1 to 65536, got ${JSON.stringify(batch)}`);
  const col = o.collector ?? {};
  if (col === null || typeof col !== 'object') issues.push('ingest.replay.collector: must be an object { symbol?, restPath? }');
  else
    for (const [k, v] of Object.entries(col)) {
      if (k !== 'symbol' && k !== 'restPath') issues.push(`ingest.replay.collector.${k}: unknown key (allowed: symbol, restPath)`);
      else if (typeof v !== 'string') issues.push(`ingest.replay.collector.${k}: must be a string`);
    }
  const flowControl = o.flowControl ?? false;
  if (typeof flowControl !== 'boolean') issues.push(`ingest.replay.flowControl: must be true or false, got ${JSON.stringify(flowControl)}`);
  if (issues.length > 0) throw new RecordingError('ERR_RECORDING_INVALID_ARGUMENT', `invalid replay config:\n  ${issues.join('\n  ')}`);
  return {
    venue: c.venue as VenueName,
    file: o.file as string,
    format: format as ReplayFormat | 'auto',
    speed: speed as ReplaySpeed,
    batch: batch as number,
    collector: col as ResolvedReplayConfig['collector'],
    flowControl: flowControl as boolean,
  };
}
