#!/usr/bin/env node
// The `tickline` command, run from the build: `pnpm build` compiles every package to its dist/.
// A resolve hook makes `@tickline/*` imports load those builds (their `tickline-dist` export
// condition); worker threads register the same hook (packages/runtime/src/loader.mjs). Inside
// the repository, `pnpm tickline` runs the TypeScript sources instead.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { registerBuild } from '@tickline/runtime/loader';

const MAIN = new URL('../dist/src/main.js', import.meta.url);
if (!existsSync(MAIN)) {
  const repo = fileURLToPath(new URL('../../..', import.meta.url));
  process.stderr.write(`tickline: not built (no ${fileURLToPath(MAIN)}); run \`npx -y pnpm@10 build\` in ${repo}\n`);
  process.exit(1);
}
registerBuild();
const { main } = await import(MAIN.href);
process.exitCode = await main(process.argv);
