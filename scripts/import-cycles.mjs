#!/usr/bin/env node
/**
 * Import cycles among the repo's TypeScript modules: relative imports and workspace package
 * imports (`@tickline/<pkg>` and its subpaths, resolved through each package's "exports"),
 * type-only imports included (a cycle of types still ties the modules together). Prints each
 * cycle (a strongly connected component) with its edges; exits 1 when there is any.
 *
 *   node scripts/import-cycles.mjs [--runtime-only] [dir ...]   (default: packages)
 *
 * --runtime-only leaves out `import type` / `export type` edges.
 */

import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const root = resolve(dirname(new URL(import.meta.url).pathname), '..');
const args = process.argv.slice(2);
const runtimeOnly = args.includes('--runtime-only');
const dirs = args.filter((a) => !a.startsWith('--'));
const roots = (dirs.length > 0 ? dirs : ['packages']).map((d) => resolve(root, d));

function walk(dir, out) {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist' || name.startsWith('.')) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (/\.(ts|mts)$/.test(name) && !name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

// Workspace packages: name -> { dir, exports }.
const packages = new Map();
for (const name of readdirSync(join(root, 'packages'))) {
  const pj = join(root, 'packages', name, 'package.json');
  if (!existsSync(pj)) continue;
  const j = JSON.parse(readFileSync(pj, 'utf8'));
  packages.set(j.name, { dir: join(root, 'packages', name), exports: j.exports ?? {} });
}

function resolveSpecifier(from, spec) {
  if (spec.startsWith('.')) {
    const base = resolve(dirname(from), spec);
    for (const c of [base.replace(/\.js$/, '.ts'), base.replace(/\.mjs$/, '.mts'), base, `${base}.ts`, join(base, 'index.ts')])
      if (existsSync(c) && statSync(c).isFile()) return c;
    return null;
  }
  const m = /^(@tickline\/[^/]+)(\/.*)?$/.exec(spec);
  const pkg = m && packages.get(m[1]);
  if (!pkg) return null;
  const target = pkg.exports[`.${m[2] ?? ''}`];
  const file = typeof target === 'string' ? target : (target?.import ?? target?.default);
  return file ? resolve(pkg.dir, file) : null;
}

const IMPORT = /^\s*(import|export)\s+(type\s+)?([^'"]*?\bfrom\s+)?['"]([^'"]+)['"]/gm;
const files = roots.flatMap((r) => walk(r, []));
const graph = new Map();
for (const f of files) {
  const text = readFileSync(f, 'utf8');
  const edges = new Map();
  for (const m of text.matchAll(IMPORT)) {
    if (m[1] === 'export' && !m[3]) continue;
    // `import { type A, type B }` is type-only too.
    const typeOnly =
      Boolean(m[2]) || (/^\{[^}]*\}\s*from\s+$/.test(m[3] ?? '') && /^\{\s*(type\s+\w+(\s+as\s+\w+)?\s*,?\s*)+\}/.test(m[3]));
    if (runtimeOnly && typeOnly) continue;
    const to = resolveSpecifier(f, m[4]);
    if (to) edges.set(to, (edges.get(to) ?? true) && typeOnly);
  }
  graph.set(f, edges);
}

// Tarjan's strongly connected components.
let index = 0;
const stack = [];
const meta = new Map();
const sccs = [];
function strong(v) {
  meta.set(v, { index, low: index, on: true });
  index++;
  stack.push(v);
  for (const w of graph.get(v)?.keys() ?? []) {
    if (!graph.has(w)) continue;
    if (!meta.has(w)) {
      strong(w);
      meta.get(v).low = Math.min(meta.get(v).low, meta.get(w).low);
    } else if (meta.get(w).on) meta.get(v).low = Math.min(meta.get(v).low, meta.get(w).index);
  }
  if (meta.get(v).low === meta.get(v).index) {
    const c = [];
    let w;
    do {
      w = stack.pop();
      meta.get(w).on = false;
      c.push(w);
    } while (w !== v);
    if (c.length > 1) sccs.push(c);
  }
}
for (const v of graph.keys()) if (!meta.has(v)) strong(v);

const rel = (p) => relative(root, p);
for (const c of sccs) {
  const set = new Set(c);
  console.log(`cycle of ${c.length} modules:`);
  for (const v of c.sort())
    for (const [w, typeOnly] of graph.get(v)) if (set.has(w)) console.log(`  ${rel(v)} -> ${rel(w)}${typeOnly ? ' (type only)' : ''}`);
}
console.log(`${files.length} modules, ${sccs.length} import cycle(s)${runtimeOnly ? ' (runtime imports only)' : ''}`);
process.exit(sccs.length > 0 ? 1 : 0);
