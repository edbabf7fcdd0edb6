/**
 * The built command (`pnpm build`, then packages/cli/bin/tickline.js) run like an installed tool:
 * from a directory outside the repository, with a guard that fails any TypeScript load, so every
 * module of the main thread and of each worker comes from the build.
 */

import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { TicklineProcess } from './tickline-process.js';

const ROOT = new URL('..', import.meta.url).pathname;
const BIN = join(ROOT, 'packages/cli/bin/tickline.js');
const GUARD = join(ROOT, 'test/fixtures/no-typescript.mjs');

async function bin(args: string[], cwd: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const p = new TicklineProcess(args, 150_000, { node: ['--import', GUARD], entry: BIN, cwd });
  const code = await p.exited;
  return { code, stdout: p.stdout, stderr: p.stderr };
}

describe('the built tickline command', () => {
  let outside = '';
  beforeAll(() => {
    // incremental: near-instant when `pnpm test` has just built
    execFileSync(process.execPath, [join(ROOT, 'scripts/build.mjs')], { cwd: ROOT, stdio: 'ignore' });
    outside = mkdtempSync(join(tmpdir(), 'tickline-bin-'));
  }, 180_000);

  it('prints its version and help from any directory', async () => {
    const version = JSON.parse(readFileSync(join(ROOT, 'packages/cli/package.json'), 'utf8')).version;
    const v = await bin(['--version'], outside);
    expect(v.code, v.stderr).toBe(0);
    expect(v.stdout.trim()).toBe(version);
    const h = await bin(['run', '--help'], outside);
    expect(h.code, h.stderr).toBe(0);
    expect(h.stdout).toContain('--duration');
  });

  it('installs as a command with npm (a link to this checkout) and runs from the PATH', () => {
    const prefix = mkdtempSync(join(tmpdir(), 'tickline-prefix-'));
    execFileSync('npm', ['install', '--global', '--prefix', prefix, join(ROOT, 'packages/cli')], { cwd: outside, stdio: 'ignore' });
    const out = execFileSync(join(prefix, 'bin/tickline'), ['--version'], { cwd: outside, encoding: 'utf8' });
    expect(out.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  }, 120_000);

  it('runs the pipeline on the embedded exchange from the build, outside the repository', async () => {
    const r = await bin(
      ['run', '--duration', '3', '--summary', 'json', '--instruments', '200', '--log-level', 'warn', '--http-port', '0'],
      outside,
    );
    expect(r.stderr).not.toContain('loaded TypeScript');
    expect(r.code, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout.trim().split('\n').pop() as string);
    expect(summary.restarts).toBe(0);
    for (const stage of ['normalize', 'book', 'signals', 'risk']) expect(summary.stages[stage].processed, stage).toBeGreaterThan(0);
    // state (journals, snapshots) goes under the working directory, as documented
    expect(existsSync(join(outside, '.tickline'))).toBe(true);
  }, 240_000);
});
