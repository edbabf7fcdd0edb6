/** The ingest stage's replay section: shape, defaults and validation (every violation at once). */

import {
  bool,
  formatIssues,
  given,
  type Issue,
  int,
  isRecord,
  obj,
  oneOf,
  optional,
  required,
  type Schema,
  str,
  violation,
} from '@tickline/runtime/config-schema';
import { VENUE_NAMES, type VenueName } from '@tickline/wire';
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

const SPEED: Schema<ReplaySpeed> = {
  allowed: 'a number in (0, 1000000] or "max"',
  parse(v, path, issues) {
    if (v === undefined) return 1;
    if (v === 'max') return 'max';
    const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
    if (typeof n !== 'number' || !Number.isFinite(n) || n <= 0 || n > 1e6) return violation(issues, path, SPEED.allowed, v, 1);
    return n;
  },
};

const REPLAY = required(
  obj({
    file: required(str('', /\S/, 'a file path')),
    format: oneOf(['auto', ...REPLAY_FORMATS], 'auto'),
    speed: SPEED,
    batch: int(1, 65536, 256),
    collector: obj({ symbol: optional(str('')), restPath: optional(str('')) }),
    flowControl: bool(false),
  }),
);
const VENUE = required(oneOf(VENUE_NAMES, 'sim'));

/** Validates `{ venue, replay }` (other ingest keys are ignored). Throws listing every issue. */
export function resolveReplayConfig(stageConfig: unknown): ResolvedReplayConfig {
  const issues: Issue[] = [];
  const c = isRecord(stageConfig) ? stageConfig : {};
  const venue = VENUE.parse(c.venue, 'ingest.venue', issues);
  const r = REPLAY.parse(c.replay, 'ingest.replay', issues);
  if (issues.length > 0) throw new RecordingError('ERR_RECORDING_INVALID_ARGUMENT', `invalid replay config:\n${formatIssues(issues)}`);
  return { venue, ...r, collector: given(r.collector) };
}
