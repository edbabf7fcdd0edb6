/**
 * A real nats-server for tests and benchmarks: spawned on a free loopback port with JetStream
 * (`-js`) and a store directory (a fresh temporary one unless given), awaited until it accepts
 * client connections, and restartable on the same port and store so tests can restart the server
 * under a live pipeline. Debian's `nats-server` (v2.9.10) is the reference; nothing here needs a
 * later version.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { NATS_SERVER_INSTALL_HINT, NatsEdgeError } from './errors.js';

export interface NatsServerOptions {
  /** JetStream store directory; default a fresh temporary directory removed by `stop()`. */
  readonly storeDir?: string;
  /** Client port on 127.0.0.1; default a free port. */
  readonly port?: number;
  /** Milliseconds to wait for the server to accept connections; default 15000. */
  readonly startTimeoutMs?: number;
}

export interface NatsServer {
  /** `nats://127.0.0.1:<port>`. */
  readonly url: string;
  readonly port: number;
  readonly storeDir: string;
  /** Whether a server process is running now. */
  readonly running: boolean;
  /** The server process's id, or -1 while none runs. */
  readonly pid: number;
  /** Stops the server (SIGTERM, then waits) and removes the store directory if it made it. */
  stop(): Promise<void>;
  /** Sends `signal` (default SIGKILL) and waits for the process to exit; the store stays. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Stops the server if it runs, then starts it again on the same port and store. */
  restart(): Promise<void>;
  /**
   * Freezes the server process (SIGSTOP): connections stay open but nothing is read or answered,
   * as with a server stalled on its host; `resume()` (SIGCONT) lets it go on.
   */
  pause(): void;
  resume(): void;
}

/** Resolves the nats-server binary: NATS_SERVER_BIN, then PATH, then /usr/sbin and /usr/bin. */
export function findNatsServer(): string {
  const fromEnv = process.env.NATS_SERVER_BIN;
  const dirs = (process.env.PATH ?? '').split(delimiter).filter(Boolean);
  const candidates = fromEnv ? [fromEnv] : [...dirs.map((d) => join(d, 'nats-server')), '/usr/sbin/nats-server', '/usr/bin/nats-server'];
  for (const path of candidates) {
    try {
      accessSync(path, constants.X_OK);
      return path;
    } catch {
      // not here
    }
  }
  throw new NatsEdgeError(
    'ERR_NATS_SERVER_MISSING',
    `${fromEnv ? `NATS_SERVER_BIN=${fromEnv} is not executable` : 'no nats-server on PATH, /usr/sbin or /usr/bin'}; ${NATS_SERVER_INSTALL_HINT}`,
  );
}

/** A port free on 127.0.0.1 right now (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

function checkOptions(options: NatsServerOptions): void {
  if (options.port !== undefined && (!Number.isInteger(options.port) || options.port < 1 || options.port > 65535)) {
    throw new RangeError(`options.port must be an integer in 1..65535, got ${String(options.port)}`);
  }
  if (options.storeDir !== undefined && (typeof options.storeDir !== 'string' || options.storeDir === '')) {
    throw new TypeError('options.storeDir must be a non-empty string');
  }
  const t = options.startTimeoutMs;
  if (t !== undefined && (!Number.isInteger(t) || t <= 0)) {
    throw new RangeError(`options.startTimeoutMs must be a positive integer, got ${String(t)}`);
  }
}

/** Resolves once a TCP client gets the server's INFO line on `port`. */
function probeInfo(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = createConnection({ host: '127.0.0.1', port });
    let buf = '';
    const done = (ok: boolean) => {
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(1000, () => done(false));
    sock.on('error', () => done(false));
    sock.on('data', (d) => {
      buf += d.toString('latin1');
      if (buf.includes('\r\n')) done(buf.startsWith('INFO '));
    });
  });
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function waitExit(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => proc.once('exit', () => resolve()));
}

/** Spawns one nats-server process and waits until it logs "Server is ready" and answers INFO. */
async function launch(bin: string, port: number, storeDir: string, timeoutMs: number): Promise<ChildProcess> {
  const args = ['-js', '-sd', storeDir, '-a', '127.0.0.1', '-p', String(port), '--server_name', `tickline-${port}`];
  const proc = spawn(bin, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  const log: string[] = [];
  let ready = false;
  let failed: Error | undefined;
  proc.stderr?.setEncoding('utf8');
  proc.stderr?.on('data', (chunk: string) => {
    for (const line of chunk.split('\n')) {
      if (line === '') continue;
      if (log.length < 200) log.push(line);
      if (line.includes('Server is ready')) ready = true;
    }
  });
  proc.once('error', (err) => {
    failed = err;
  });
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (failed) break;
    if (proc.exitCode !== null || proc.signalCode !== null) break;
    if (ready && (await probeInfo(port))) {
      proc.stderr?.removeAllListeners('data');
      proc.stderr?.resume(); // keep draining so the pipe never fills
      return proc;
    }
    await sleep(20);
  }
  proc.kill('SIGKILL');
  await waitExit(proc);
  const why = failed ? failed.message : proc.exitCode !== null ? `exited with code ${proc.exitCode}` : `not ready within ${timeoutMs} ms`;
  throw new NatsEdgeError('ERR_NATS_SERVER_START', `${bin} ${args.join(' ')}: ${why}; log:\n${log.slice(-15).join('\n')}`);
}

/**
 * Starts a real nats-server with JetStream on 127.0.0.1. Throws ERR_NATS_SERVER_MISSING (with
 * the `apt-get install nats-server` hint) when the binary is absent.
 */
export async function startNatsServer(options: NatsServerOptions = {}): Promise<NatsServer> {
  checkOptions(options);
  const bin = findNatsServer();
  const timeoutMs = options.startTimeoutMs ?? 15_000;
  const ownStore = options.storeDir === undefined;
  const storeDir = options.storeDir ?? mkdtempSync(join(tmpdir(), 'tickline-nats-'));
  let port = options.port ?? (await freePort());
  let proc: ChildProcess | undefined;
  for (let attempt = 0; ; attempt++) {
    try {
      proc = await launch(bin, port, storeDir, timeoutMs);
      break;
    } catch (err) {
      // A free port can be taken between the probe and the spawn; try another unless fixed.
      if (options.port !== undefined || attempt >= 2) {
        if (ownStore) rmSync(storeDir, { recursive: true, force: true });
        throw err;
      }
      port = await freePort();
    }
  }
  const kill = async (signal: NodeJS.Signals = 'SIGKILL') => {
    const p = proc;
    proc = undefined;
    if (!p || p.exitCode !== null || p.signalCode !== null) return;
    p.kill('SIGCONT'); // a paused server would not act on the signal
    p.kill(signal);
    await waitExit(p);
  };
  return {
    url: `nats://127.0.0.1:${port}`,
    port,
    storeDir,
    get running() {
      return proc !== undefined && proc.exitCode === null && proc.signalCode === null;
    },
    get pid() {
      return proc?.pid ?? -1;
    },
    kill,
    async stop() {
      await kill('SIGTERM');
      if (ownStore) rmSync(storeDir, { recursive: true, force: true });
    },
    async restart() {
      await kill('SIGTERM');
      proc = await launch(bin, port, storeDir, timeoutMs);
    },
    pause() {
      proc?.kill('SIGSTOP');
    },
    resume() {
      proc?.kill('SIGCONT');
    },
  };
}
