// `pnpm build`: compiles every package to its dist/ (`tsc -b`, TypeScript's native compiler) and
// copies the plain JavaScript modules of the sources (worker entries, loader hooks: *.mjs) next
// to the compiled ones, so `packages/cli/bin/tickline.js` runs from the build with no TypeScript
// loader. `pnpm test` runs this first (test/cli-bin.test.ts runs the built command).
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';

const root = join(dirname(new URL(import.meta.url).pathname), '..');
const require = createRequire(import.meta.url);
const tsc = join(dirname(require.resolve('typescript/package.json')), 'bin/tsc');
execFileSync(process.execPath, [tsc, '-b'], { cwd: root, stdio: 'inherit' });

function* mjsFiles(dir) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, e.name);
    if (e.isDirectory()) yield* mjsFiles(path);
    else if (e.name.endsWith('.mjs')) yield path;
  }
}

let copied = 0;
for (const pkg of readdirSync(join(root, 'packages'))) {
  const src = join(root, 'packages', pkg, 'src');
  let files;
  try {
    files = [...mjsFiles(src)];
  } catch {
    continue; // a package without src/
  }
  for (const file of files) {
    const to = join(root, 'packages', pkg, 'dist', 'src', relative(src, file));
    mkdirSync(dirname(to), { recursive: true });
    copyFileSync(file, to);
    copied++;
  }
}
process.stdout.write(`build: tsc -b done, ${copied} .mjs module(s) copied to dist\n`);
