import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { cpuFigures, processCpuSeconds } from '../src/bench/live/process-cpu.js';

describe('process CPU of live benchmarks', () => {
  it("reads a process's CPU seconds from /proc: a child that spins for 0.4 s of CPU used at least that", async () => {
    const spin =
      "const u = () => { const c = process.cpuUsage(); return (c.user + c.system) / 1e6; }; while (u() < 0.4); console.log('done'); setTimeout(() => {}, 10000)";
    const child = spawn(process.execPath, ['-e', spin]);
    try {
      await new Promise<void>((resolve, reject) => {
        const t = setTimeout(() => reject(new Error('the child never finished spinning')), 20_000);
        child.stdout.on('data', () => {
          clearTimeout(t);
          resolve();
        });
      });
      const used = processCpuSeconds(child.pid ?? -1);
      expect(used).toBeGreaterThanOrEqual(0.39); // 10 ms ticks
      expect(used).toBeLessThan(3);
    } finally {
      child.kill('SIGKILL');
    }
    expect(processCpuSeconds(-1)).toBeNaN();
    expect(processCpuSeconds(2 ** 22 + 7)).toBeNaN(); // no such process
  });

  it('turns two samples into a share of one core per role', () => {
    expect(cpuFigures({ exchange: 10, nodeA: 4, pipeline: 1 }, { exchange: 12, nodeA: 4.5, pipeline: 4 }, 2)).toEqual({
      cpuPctExchange: 100,
      cpuPctNodeA: 25,
      cpuPctPipeline: 150,
    });
    expect(cpuFigures(undefined, { exchange: 1 }, 2)).toEqual({});
  });
});
