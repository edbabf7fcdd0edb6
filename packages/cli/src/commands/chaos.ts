/**
 * `tickline chaos [--seconds S] [--only NAME,...] [--fuse ...] [--json]`: injects each fault of the
 * matrix (docs/reliability.md) into the real pipeline while it trades against the embedded exchange
 * in its own process, and reports one result per fault. Exit code 1 when any result fails.
 */

import { FAULTS, type FaultName, runFault } from '../chaos/index.js';
import type { ChaosResult } from '../chaos/harness.js';

export interface ChaosOptions {
  /** Trading window of the time-based faults; counts scale with it (60 = the full matrix). */
  seconds: number;
  only?: readonly FaultName[];
  fuse?: readonly string[];
  json?: boolean;
}

export const CHAOS_SECONDS = { min: 1, max: 3600, default: 60 } as const;

function line(r: ChaosResult): string {
  const { name, pass, failures, ...figures } = r;
  const shown = Object.entries(figures)
    .filter(([, v]) => typeof v === 'number' || typeof v === 'boolean' || typeof v === 'string')
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  return `${pass ? 'PASS' : 'FAIL'} ${name.padEnd(12)} ${shown}${failures.length > 0 ? `\n     ${failures.join('\n     ')}` : ''}`;
}

export async function chaos(o: ChaosOptions): Promise<number> {
  const names = o.only ?? FAULTS;
  const results: ChaosResult[] = [];
  const t0 = performance.now();
  const log = (l: string) => {
    if (!o.json) process.stderr.write(`  [${((performance.now() - t0) / 1000).toFixed(1)}s] ${l}\n`);
  };
  for (const name of names) {
    log(`${name}: starting`);
    const r = await runFault(name, { seconds: o.seconds, fuse: o.fuse ?? [], log: (l) => log(`${name}: ${l}`) });
    results.push(r);
    if (!o.json) process.stdout.write(`${line(r)}\n`);
  }
  if (o.json) process.stdout.write(`${JSON.stringify({ seconds: o.seconds, fuse: o.fuse ?? [], results })}\n`);
  else process.stdout.write(`${results.filter((r) => r.pass).length} of ${results.length} faults passed\n`);
  return results.every((r) => r.pass) ? 0 : 1;
}
