/**
 * `tickline backtest compare A B [--out DIR] [--json]`: the differences between two backtest reports
 * (each a report.json or the directory holding it) as a table on stdout (or the comparison JSON with
 * --json), and compare.json + compare.html in DIR. Bad input exits 2 naming A or B.
 */

import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CompareUsageError, compareReports, compareTable, loadReport } from '../backtest/compare.js';
import { compareHtml } from '../backtest/compare-html.js';

export interface CompareOptions {
  a: string;
  b: string;
  /** Output directory (default `./backtest-compare-<timestamp>/`). */
  out?: string;
  json?: boolean;
}

export async function backtestCompare(o: CompareOptions, now = new Date()): Promise<number> {
  let a: ReturnType<typeof loadReport>;
  let b: ReturnType<typeof loadReport>;
  try {
    a = loadReport('A', o.a);
    b = loadReport('B', o.b);
  } catch (err) {
    if (!(err instanceof CompareUsageError)) throw err;
    process.stderr.write(`tickline backtest compare: ${err.message}\n`);
    return 2;
  }
  const c = compareReports(a, b);
  const out = resolve(o.out ?? `backtest-compare-${now.toISOString().replace(/[:.]/g, '-')}`);
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'compare.json'), `${JSON.stringify(c, null, 2)}\n`);
  writeFileSync(join(out, 'compare.html'), compareHtml(c));
  if (o.json === true) process.stdout.write(`${JSON.stringify(c)}\n`);
  else process.stdout.write(`${compareTable(c)}comparison: ${join(out, 'compare.html')} and compare.json\n`);
  return 0;
}
