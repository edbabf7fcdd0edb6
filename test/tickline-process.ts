/** The `tickline` command as a child process, for tests that drive it like a user would. */

import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';

const ROOT = new URL('..', import.meta.url).pathname;
const MAIN = join(ROOT, 'packages/cli/src/main.ts');

export class TicklineProcess {
  readonly child: ChildProcess;
  stdout = '';
  stderr = '';
  readonly exited: Promise<number | null>;
  readonly #guard: NodeJS.Timeout;

  /**
   * `args` to the sources' main through tsx in the repository, unless `how` names another entry
   * (the built command), its node flags and working directory.
   */
  constructor(args: string[], killAfterMs = 180_000, how: { node?: string[]; entry?: string; cwd?: string } = {}) {
    const node = how.node ?? ['--import', 'tsx'];
    this.child = spawn(process.execPath, [...node, how.entry ?? MAIN, ...args], {
      cwd: how.cwd ?? ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stdout?.on('data', (d) => (this.stdout += d));
    this.child.stderr?.on('data', (d) => (this.stderr += d));
    this.#guard = setTimeout(() => this.child.kill('SIGKILL'), killAfterMs);
    this.exited = new Promise((resolve) =>
      this.child.on('exit', (code) => {
        clearTimeout(this.#guard);
        resolve(code);
      }),
    );
  }

  /** Resolves with the first match of `re` in stdout + stderr (rejects on exit or after timeoutMs). */
  waitFor(re: RegExp, timeoutMs = 90_000): Promise<RegExpMatchArray> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        const m = (this.stdout + this.stderr).match(re);
        if (m) {
          clearInterval(poll);
          clearTimeout(timer);
          resolve(m);
        }
        return m !== null;
      };
      const poll = setInterval(check, 50);
      const timer = setTimeout(() => {
        clearInterval(poll);
        reject(new Error(`timed out waiting for ${re}; stderr tail: ${this.stderr.slice(-2000)}`));
      }, timeoutMs);
      void this.exited.then((code) => {
        if (check()) return;
        clearInterval(poll);
        clearTimeout(timer);
        reject(new Error(`exited (${code}) before ${re}; stderr tail: ${this.stderr.slice(-2000)}`));
      });
    });
  }

  /** Sends SIGINT and waits for the exit code. */
  async stop(signal: NodeJS.Signals = 'SIGINT'): Promise<number | null> {
    this.child.kill(signal);
    return this.exited;
  }
}

/** Polls `fn` until it returns a value other than undefined (rejects after timeoutMs with `what`). */
export async function eventually<T>(fn: () => Promise<T | undefined>, what: string, timeoutMs = 60_000, everyMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out: ${what}${last ? ` (last error: ${String(last)})` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
