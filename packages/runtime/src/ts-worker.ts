/**
 * Where modules are when the code runs from its sources (TypeScript through tsx) or from the build
 * (`pnpm build`, JavaScript in each package's dist/): worker and child-process entries that load
 * the same way as this process, and paths that hold in both layouts.
 */

import { existsSync } from 'node:fs';

/** URL of a worker entry that registers this process's loader, then loads the module given as `workerData.entry`. */
export const TS_WORKER_ENTRY: URL = new URL('./ts-worker.mjs', import.meta.url);

/** For a child process's `execArgv: ['--import', LOADER_IMPORT.href]`: the loader this process uses. */
export const LOADER_IMPORT: URL = new URL('./register.mjs', import.meta.url);

/**
 * URL of the module at `path`, written as in the sources (`./x.ts`), relative to the module
 * `base`: the compiled `./x.js` when `base` is itself compiled JavaScript.
 */
export function moduleUrl(path: string, base: string | URL): string {
  const href = new URL(path, base).href;
  return String(base).endsWith('.js') ? href.replace(/\.ts$/, '.js') : href;
}

/** The directory of the package holding the file at `fileUrl` (its nearest package.json), as a URL ending in '/'. */
export function packageDir(fileUrl: string | URL): URL {
  let dir = new URL('./', fileUrl);
  for (;;) {
    if (existsSync(new URL('package.json', dir))) return dir;
    const up = new URL('../', dir);
    if (up.href === dir.href) throw new Error(`no package.json above ${String(fileUrl)}`);
    dir = up;
  }
}
