/** A recording of the embedded exchange for tests that replay one (`tickline record`, in process). */

import { loadConfig, record } from '@tickline/cli';
import { expect } from 'vitest';
import { captured } from './capture-output.js';

/** Records `instruments` of the embedded exchange for `durationS` into `file` (fails the test if it cannot). */
export async function recordSim(file: string, instruments: number, durationS: number): Promise<void> {
  const rec = await captured(() =>
    record(loadConfig({ exchange: { instruments } }, { 'log.level': 'silent' }, 'test'), { out: file, durationS, summary: 'json' }),
  );
  expect(rec.code, rec.err).toBe(0);
}
