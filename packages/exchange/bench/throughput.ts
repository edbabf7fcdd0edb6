/**
 * Market-data throughput of the embedded exchange to one client.
 *
 *   node --import tsx packages/exchange/bench/throughput.ts [--rate 300000] [--instruments 5500] [--runs 5] [--seconds 3]
 *
 * Starts the exchange in this process and a client in a child process (so the exchange's CPU,
 * measured with process.cpuUsage, is its own). The client subscribes to every book and trade channel
 * on one connection, parses every frame and counts events (level changes + trades). Each run is a
 * window of --seconds; prints JSON with median/min/max over the runs.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startExchange } from '../src/index.js';

interface Mark {
  t: number;
  events: number;
  frames: number;
  bytes: number;
  subscribeAckMs: number;
  channels: number;
}

function arg(name: string, def: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : def;
  if (!Number.isFinite(v) || v <= 0) throw new RangeError(`--${name} must be a positive number`);
  return v;
}

const rate = arg('rate', 300_000);
const instruments = arg('instruments', 5500);
const runs = arg('runs', 5);
const seconds = arg('seconds', 3);

const ex = await startExchange({ instruments, eventsPerSecond: rate, heartbeatMs: 1000 });
const child = fork(fileURLToPath(new URL('./client.ts', import.meta.url)), [ex.httpUrl, ex.wsUrl], {
  execArgv: ['--import', 'tsx'],
  stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
});
child.on('exit', (code) => {
  process.stderr.write(`benchmark client exited (code ${code}); exchange stats: ${JSON.stringify(ex.stats())}\n`);
  process.exit(1);
});
const pending: Array<(m: Mark) => void> = [];
child.on('message', (m) => pending.shift()?.(m as Mark));
const mark = (): Promise<Mark> =>
  new Promise((resolve) => {
    pending.push(resolve);
    child.send('mark');
  });
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

// Wait for the subscription to complete, then warm up.
let m = await mark();
while (m.subscribeAckMs < 0) {
  await sleep(100);
  m = await mark();
}
const subscribeAckMs = m.subscribeAckMs;
await sleep(1000);

const results: Array<{ eventsPerSec: number; framesPerSec: number; mbPerSec: number; simCpuPct: number; generatedPerSec: number }> = [];
for (let r = 0; r < runs; r++) {
  const s0 = ex.stats();
  const c0 = process.cpuUsage();
  const a = await mark();
  await sleep(seconds * 1000);
  const b = await mark();
  const c1 = process.cpuUsage(c0);
  const s1 = ex.stats();
  const dt = (b.t - a.t) / 1000;
  results.push({
    eventsPerSec: Math.round((b.events - a.events) / dt),
    framesPerSec: Math.round((b.frames - a.frames) / dt),
    mbPerSec: Math.round(((b.bytes - a.bytes) / dt / 1e6) * 10) / 10,
    simCpuPct: Math.round(((c1.user + c1.system) / 1e6 / dt) * 1000) / 10,
    generatedPerSec: Math.round((s1.eventsGenerated - s0.eventsGenerated) / dt),
  });
}
const stats = ex.stats();
child.removeAllListeners('exit');
child.send('stop');
await ex.close();

function summary(key: keyof (typeof results)[number]): { median: number; min: number; max: number } {
  const xs = results.map((x) => x[key]).sort((p, q) => p - q);
  return { median: xs[Math.floor(xs.length / 2)] as number, min: xs[0] as number, max: xs[xs.length - 1] as number };
}

process.stdout.write(
  `${JSON.stringify(
    {
      config: { rate, instruments, runs, seconds, channels: m.channels },
      subscribeAllAckMs: Math.round(subscribeAckMs),
      eventsPerSec: summary('eventsPerSec'),
      framesPerSec: summary('framesPerSec'),
      mbPerSec: summary('mbPerSec'),
      simCpuPct: summary('simCpuPct'),
      generatedPerSec: summary('generatedPerSec'),
      lagSteps: stats.lagSteps,
      slowConsumerDrops: stats.slowConsumerDrops,
      runs: results,
    },
    null,
    2,
  )}\n`,
);
