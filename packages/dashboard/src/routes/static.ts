/**
 * The page: a fixed list of files from `public/` plus the lightweight-charts standalone build
 * from node_modules (no CDN: the page must work offline). Files are read once at start.
 */

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { packageDir } from '@tickline/runtime';
import type { Router } from '../router.js';

const PUBLIC = new URL('public/', packageDir(import.meta.url));
const FILES: Record<string, string> = {
  '/': 'index.html',
  '/app.css': 'app.css',
  '/js/app.js': 'js/app.js',
  '/js/util.js': 'js/util.js',
  '/js/overview.js': 'js/overview.js',
  '/js/instrument.js': 'js/instrument.js',
  '/js/health.js': 'js/health.js',
  '/js/trading.js': 'js/trading.js',
  '/js/events.js': 'js/events.js',
};
const TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  css: 'text/css; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
};
const CSP =
  "default-src 'self'; connect-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'";

function chartsFile(): string {
  const require = createRequire(import.meta.url);
  const pkg = require.resolve('lightweight-charts/package.json');
  return fileURLToPath(new URL('./dist/lightweight-charts.standalone.production.js', pathToFileURL(pkg)));
}

export function staticRoutes() {
  const loaded = Object.entries(FILES).map(([route, file]) => {
    const ext = file.slice(file.lastIndexOf('.') + 1);
    return { route, body: readFileSync(new URL(file, PUBLIC)), type: TYPES[ext] ?? 'application/octet-stream' };
  });
  loaded.push({ route: '/vendor/lightweight-charts.js', body: readFileSync(chartsFile()), type: TYPES.js as string });
  return (r: Router) => {
    r.add({ method: 'GET', path: '/favicon.ico', access: 'public', handler: () => ({ status: 204 }) });
    for (const f of loaded)
      r.add({
        method: 'GET',
        path: f.route,
        access: 'public',
        handler: () => ({ body: f.body, type: f.type, headers: { 'content-security-policy': CSP, 'x-frame-options': 'DENY' } }),
      });
  };
}
