/**
 * Headless Chromium for the dashboard tests: Debian's `chromium` driven by playwright-core
 * (never a downloaded browser). `findChromium` installs the Debian package with apt-get when it
 * is missing and we are root; it returns null only when neither works, so tests can skip with
 * the reason.
 */

import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium } from 'playwright-core';

export const CHROMIUM_PATH = '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** The chromium binary, installing Debian's `chromium` package if needed; or a reason it is unavailable. */
export function findChromium(): { path: string } | { reason: string } {
  if (existsSync(CHROMIUM_PATH)) return { path: CHROMIUM_PATH };
  if (process.getuid?.() !== 0) return { reason: `${CHROMIUM_PATH} is missing and installing it needs root (apt-get install -y chromium)` };
  try {
    execFileSync('apt-get', ['install', '-y', '-qq', 'chromium'], {
      stdio: 'ignore',
      timeout: 300_000,
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
  } catch {
    try {
      execFileSync('apt-get', ['update', '-qq'], { stdio: 'ignore', timeout: 300_000 });
      execFileSync('apt-get', ['install', '-y', '-qq', 'chromium'], {
        stdio: 'ignore',
        timeout: 300_000,
        env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
      });
    } catch (err) {
      return { reason: `${CHROMIUM_PATH} is missing and apt-get install chromium failed: ${(err as Error).message}` };
    }
  }
  return existsSync(CHROMIUM_PATH)
    ? { path: CHROMIUM_PATH }
    : { reason: `apt-get installed chromium but ${CHROMIUM_PATH} is still missing` };
}

export interface LaunchedBrowser {
  readonly context: BrowserContext;
  close(): Promise<void>;
}

/** Launches chromium with a new empty user-data dir (removed on close). */
export async function launchChromium(executablePath = CHROMIUM_PATH): Promise<LaunchedBrowser> {
  const userDataDir = mkdtempSync(join(tmpdir(), 'tickline-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath,
    args: CHROMIUM_ARGS,
    headless: true,
    viewport: { width: 1400, height: 860 },
  });
  return {
    context,
    async close() {
      await context.close().catch(() => {});
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}
