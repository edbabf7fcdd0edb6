/**
 * `tickline run`'s closing summary and its logs, from a real process on the embedded exchange:
 * trader's figures first and consistent with the execution journal, books as they were before
 * shutdown, JSON log lines off a terminal and readable ones on a terminal.
 */

import { addDecimals, compareDecimals, decimalString, subDecimals, sumDecimals } from '@tickline/wire';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteJournal } from '@tickline/execution';
import { describe, expect, it } from 'vitest';
import { TicklineProcess } from './tickline-process.js';

const ROOT = new URL('..', import.meta.url).pathname;
const MAIN = join(ROOT, 'packages/cli/src/main.ts');

async function tickline(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const p = new TicklineProcess(args, 150_000);
  const code = await p.exited;
  return { code, stdout: p.stdout, stderr: p.stderr };
}

const hasScript = (() => {
  try {
    execFileSync('script', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

describe('run summary from a real run', () => {
  it('puts orders, fills, P&L, fees and halts first, agreeing with the journal, and the books as before shutdown', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tickline-summary-'));
    const config = join(dir, 'tickline.yaml');
    // a busier random trader than the default, so the short run has fills to check
    writeFileSync(
      config,
      [
        `stateDir: ${dir}`,
        // no freshness bound: on a loaded machine stale data would refuse every order (not what is tested here)
        'freshness: { maxDataAgeMs: 0 }',
        'signals:',
        '  strategies:',
        '    - { id: random, type: random, instruments: [sim:AAPL, sim:MSFT, sim:NVDA], params: { ratePerSecond: 4, seed: 3 } }',
        '',
      ].join('\n'),
    );
    const r = await tickline([
      'run',
      '--config',
      config,
      '--duration',
      '6',
      '--summary',
      'json',
      '--instruments',
      '300',
      '--http-port',
      '0',
    ]);
    expect(r.code, r.stderr).toBe(0);
    // off a terminal every log line is one JSON object (the dashboard's URL with its token is
    // printed once as plain text, outside the log, which redacts tokens)
    const lines = r.stderr
      .trim()
      .split('\n')
      .filter((l) => !l.startsWith('tickline dashboard: http'));
    for (const line of lines) expect(() => JSON.parse(line), line).not.toThrow();
    expect(lines.some((l) => JSON.parse(l).msg === 'tickline running; Ctrl-C to stop')).toBe(true);

    const summary = JSON.parse(r.stdout.trim().split('\n').pop() as string);
    expect(Object.keys(summary).slice(0, 2)).toEqual(['trading', 'books']);
    const t = summary.trading;
    expect(t.orders).toBeGreaterThan(0);
    expect(t.fills).toBeGreaterThan(0);
    expect(t.state).toBe('active');
    // stopping halts trading on purpose (feeds marked down): not a halt of the run
    expect(t.halts).toEqual([]);
    // exact decimals: net = realized + unrealized - fees to the last digit
    expect(t.netPnl).toBe(subDecimals(addDecimals(t.realizedPnl, t.unrealizedPnl), t.fees));
    // the execution counters and P&L are read after draining: every journaled fill is in them
    const sim = readdirSync(dir).find((d) => d.startsWith('sim-')) as string;
    const journals = readdirSync(join(dir, sim)).filter((f) => f.startsWith('journal-') && f.endsWith('.sqlite'));
    expect(journals.length).toBe(1);
    const journal = new SqliteJournal(join(dir, sim, journals[0] as string));
    const state = journal.load();
    journal.close();
    expect(state.fills.length).toBe(t.fills);
    expect(state.orders.length).toBe(t.orders);
    expect(t.fees).toBe(sumDecimals(state.fills.map((f) => decimalString(f.fee, f.feeScale))));
    expect(compareDecimals(t.fees, '0')).toBe(1);
    expect(summary.stages.execution.core.fills).toBe(t.fills);
    expect(summary.stages.execution.core.ordersSent).toBe(t.orders);

    // books before shutdown: live, not the re-seeding that stopping causes
    expect(summary.books.instruments).toBe(300);
    expect(summary.books.live).toBeGreaterThan(0);
    expect(summary.books.live + summary.books.syncing + summary.books.reseeding).toBe(300);
    expect(summary.stages.book.core.live).toBe(summary.books.live);
    expect(summary.stages.book.core.reseeding).toBe(summary.books.reseeding);
  }, 240_000);

  it.skipIf(!hasScript)(
    'logs readable lines on a terminal, and JSON there with --log-format json',
    async () => {
      const onTerminal = (extra: string) =>
        execFileSync(
          'script',
          ['-qec', `${process.execPath} --import tsx ${MAIN} run --duration 1 --instruments 50 --http-port 0 ${extra}`, '/dev/null'],
          { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, timeout: 120_000 },
        );
      const pretty = onTerminal('');
      expect(pretty).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: tickline running; Ctrl-C to stop/m);
      expect(pretty).not.toMatch(/^\{"level"/m);
      // the text summary: trader's lines first
      expect(pretty).toMatch(/tickline stopped after .*\r?\n {2}orders +\d+ sent, \d+ fills/);
      const json = onTerminal('--log-format json');
      expect(json).toMatch(/^\{"level":30,.*"msg":"tickline running; Ctrl-C to stop"\}/m);
    },
    240_000,
  );

  it('rejects an unknown format naming the allowed ones', async () => {
    const r = await tickline(['run', '--log-format', 'fancy']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--log-format <format>' argument 'fancy' is invalid\. Allowed choices are auto, pretty, json/);
    const dir = mkdtempSync(join(tmpdir(), 'tickline-logcfg-'));
    writeFileSync(join(dir, 'c.yaml'), 'log: { format: fancy }\n');
    const c = await tickline(['run', '--config', join(dir, 'c.yaml')]);
    expect(c.code).toBe(2);
    expect(c.stderr).toMatch(/log\.format: must be one of "auto", "pretty", "json"/);
  }, 60_000);
});
