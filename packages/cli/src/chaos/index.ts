/**
 * The fault matrix of `tickline chaos`: each fault by name, in the order a full run takes them,
 * with what it needs from the machine (a fault whose precondition is missing is refused, with why).
 */

import type { ChaosContext, ChaosResult } from './harness.js';

export type { ChaosContext, ChaosResult } from './harness.js';

export const FAULTS = [
  'disconnects',
  'gaps',
  'malformed',
  'stall',
  'heartbeat',
  'sigkill',
  'worker-crash',
  'overload',
  'disk',
  'api-fuzz',
] as const;
export type FaultName = (typeof FAULTS)[number];

type Runner = (ctx: ChaosContext) => Promise<ChaosResult>;

/** Each fault's module, loaded when it runs. */
const RUNNERS: Record<FaultName, () => Promise<Runner>> = {
  disconnects: async () => (await import('./disconnects.js')).disconnects,
  gaps: async () => (await import('./gaps.js')).gaps,
  malformed: async () => (await import('./malformed.js')).malformed,
  stall: async () => (await import('./stall.js')).stall,
  heartbeat: async () => (await import('./stall.js')).heartbeat,
  sigkill: async () => (await import('./sigkill.js')).sigkill,
  'worker-crash': async () => (await import('./worker-crash.js')).workerCrash,
  overload: async () => (await import('./overload.js')).overload,
  disk: async () => (await import('./disk.js')).disk,
  'api-fuzz': async () => (await import('./api-fuzz.js')).apiFuzz,
};

/** What a fault needs from the machine: the reason it cannot run here, or null when it can. */
const PRECONDITIONS: Partial<Record<FaultName, () => string | null>> = {
  sigkill: () => (process.platform === 'win32' ? 'kill -9 of the pipeline process needs a POSIX system' : null),
  disk: () => {
    if (process.platform !== 'linux') return 'the disk fault mounts a small tmpfs for the journal, on Linux only';
    if (process.getuid?.() !== 0) return 'the disk fault mounts a small tmpfs for the journal, which needs root (leave it out with --only)';
    return null;
  },
};

export function missingPrecondition(name: FaultName): string | null {
  return PRECONDITIONS[name]?.() ?? null;
}

/** Runs one fault; an exception becomes a failed result naming it. */
export async function runFault(name: FaultName, ctx: ChaosContext): Promise<ChaosResult> {
  const refused = missingPrecondition(name);
  if (refused !== null) return { name, pass: false, failures: [`refused: ${refused}`], refused };
  try {
    return await (await RUNNERS[name]())(ctx);
  } catch (err) {
    return { name, pass: false, failures: [`${name} failed to run: ${err instanceof Error ? err.message : String(err)}`] };
  }
}
