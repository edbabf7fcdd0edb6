// How modules load in this thread. From the sources (packages/*/src), TypeScript runs through tsx,
// which Node 20 worker threads do not inherit, so each worker registers it again. From the build
// (packages/*/dist, `pnpm build`), modules are JavaScript and each package's `tickline-dist`
// export condition points at its build, which a resolve hook adds here (hooks registered with
// module.register are not inherited by worker threads either).
import { existsSync } from 'node:fs';
import { register } from 'node:module';

/** Whether this copy of the runtime is the build (dist/src), next to its compiled index.js. */
export const COMPILED = existsSync(new URL('./index.js', import.meta.url));

let registered = false;

/** Registers the loader this copy needs (once per thread): the build's resolve hook, or tsx. */
export async function registerLoader() {
  if (registered) return;
  registered = true;
  if (COMPILED) registerBuild();
  else (await import('tsx/esm/api')).register();
}

/** Registers the resolve hook that selects every @tickline package's build (dist). */
export function registerBuild() {
  register('./dist-hooks.mjs', import.meta.url);
}
