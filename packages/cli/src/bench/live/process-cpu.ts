/**
 * CPU time of the processes a live benchmark runs (the venue, the pipeline's processes, a NATS
 * server), so a window's figures say where the machine's cores went: on two cores shared by five
 * processes, latency is mostly a matter of who waits for a core.
 */
import { readFileSync } from 'node:fs';

/** Linux's USER_HZ: the unit of utime and stime in /proc/<pid>/stat (100 on every Linux ABI in use). */
const CLOCK_TICKS_PER_SECOND = 100;

/** CPU seconds (user + system, every thread) process `pid` has used; NaN where /proc cannot tell. */
export function processCpuSeconds(pid: number): number {
  if (!(pid > 0)) return Number.NaN;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    // the command name (field 2) may hold spaces and parentheses: count fields after its last ')'
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return Number.NaN;
  }
}

/**
 * Share of one core (%) each process role used between two samples (`cpuPct<Role>`, e.g.
 * cpuPctExchange), over `seconds`.
 */
export function cpuFigures(
  a: Record<string, number> | undefined,
  b: Record<string, number> | undefined,
  seconds: number,
): Record<string, number> {
  const out: Record<string, number> = {};
  if (a === undefined || b === undefined || !(seconds > 0)) return out;
  for (const [role, end] of Object.entries(b)) {
    const start = a[role];
    if (start === undefined) continue;
    out[`cpuPct${role[0]?.toUpperCase()}${role.slice(1)}`] = Math.round(((end - start) / seconds) * 1000) / 10;
  }
  return out;
}
