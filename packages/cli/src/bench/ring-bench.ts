/**
 * `tickline bench ring`: tickline's SPSC ring against a MessagePort, ringbuf.js and a NATS
 * JetStream edge (@tickline/nats, on a nats-server the bench starts on loopback), side by side
 * in the same run. Every transport moves the same messages (two float64s: sequence and send
 * time) from a producer worker thread to a consumer on the main thread, which checks the order.
 *
 * - `<transport>:batch1` / `:batch64`: throughput, messages published one at a time or 64 per
 *   publish (ring: one flush per 64 records; MessagePort: one postMessage of 64; ringbuf.js:
 *   one push of 64). `msgsPerSec` from the producer's first send to the consumer's last receive.
 * - `<transport>:latency60k`: one-way latency at a paced 60,000 msgs/s, batch 1, with a
 *   spinning consumer (MessagePort: its event loop). `p50Us`, `p99Us`, `p999Us`.
 */

import { MessageChannel, Worker } from 'node:worker_threads';
import { deleteEdgeStream, findNatsServer, NatsEdgeConsumer, type NatsServer, natsEdgeSpec, startNatsServer } from '@tickline/nats';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { createRing, RingConsumer } from '@tickline/ring';
import { type BenchReport, type BenchResult, LatencyHistogram, moduleUrl, report, summarize, TS_WORKER_ENTRY } from '@tickline/runtime';
import { epochMs } from '@tickline/wire';
import { RingBuffer } from 'ringbuf.js';

type Transport = 'ring' | 'messageport' | 'ringbufjs' | 'nats';

export interface RingBenchOptions {
  runs: number;
  /** Messages per throughput run. */
  count: number;
  /** Seconds per latency run. */
  latencySeconds: number;
  transports?: Transport[];
}

const PRODUCER = moduleUrl('./ring-peer-producer.ts', import.meta.url);
const now = epochMs;

/** The bench's own nats-server and the main thread's connection to it (nats rows only). */
let natsSide: { server: NatsServer; nc: NatsConnection; runs: number } | null = null;

interface RunOutcome {
  seconds: number;
  hist: LatencyHistogram;
  outOfOrder: number;
}

async function runOnce(
  transport: Transport,
  mode: 'throughput' | 'latency',
  count: number,
  batch: number,
  ratePerSec: number,
  perRecord = false,
  natsBatch = 64,
): Promise<RunOutcome> {
  const go = new SharedArrayBuffer(16);
  const goI32 = new Int32Array(go);
  const goF64 = new Float64Array(go, 8, 1);
  const hist = new LatencyHistogram();
  let received = 0;
  let outOfOrder = 0;
  let expect = 0;
  const see = (seq: number, ts: number, t: number) => {
    if (seq !== expect) outOfOrder++;
    expect = seq + 1;
    received++;
    if (mode === 'latency') hist.record((t - ts) * 1e6);
  };
  const job: Record<string, unknown> = { entry: PRODUCER, transport, mode, count, batch, ratePerSec, go, perRecord };
  const transfer: never[] = [];
  let consume: () => Promise<number>;
  if (transport === 'ring') {
    const handle = createRing({ capacity: 1 << 20, policy: 'block', name: 'bench' });
    job.ring = handle;
    const c = new RingConsumer(handle);
    const f64 = new Float64Array(c.data.buffer);
    // a record holds one message or a batch of them (16 bytes each), read in place
    const onRecord = (_d: Uint8Array, off: number, len: number) => {
      const t = mode === 'latency' ? now() : 0;
      for (let at = off >> 3, end = (off + len) >> 3; at < end; at += 2) see(f64[at] as number, f64[at + 1] as number, t);
    };
    consume = async () => {
      while (received < count) c.poll(onRecord, () => {}, 4096);
      return now();
    };
  } else if (transport === 'nats') {
    // one stream per run (a fresh sequence); drop-oldest, large enough that nothing is dropped
    const side = natsSide as NonNullable<typeof natsSide>;
    const spec = natsEdgeSpec({
      url: side.server.url,
      edge: `bench${++side.runs}->main`,
      policy: 'drop-oldest',
      maxBytes: 1 << 30,
      maxRecordBytes: 64 * 1024,
      batch: natsBatch,
    });
    job.nats = spec;
    const c = await NatsEdgeConsumer.open(side.nc, spec, 0, { verify: false, window: 1024 });
    const f64 = new Float64Array(c.data.buffer);
    const onRecord = (_d: Uint8Array, off: number, len: number) => {
      const t = mode === 'latency' ? now() : 0;
      for (let at = off >> 3, end = (off + len) >> 3; at < end; at += 2) see(f64[at] as number, f64[at + 1] as number, t);
    };
    const onDrop = (n: number) => {
      throw new Error(`nats: ${n} messages dropped`);
    };
    consume = async () => {
      while (received < count) if (c.poll(onRecord, onDrop, 4096) === 0) await c.waitForRecords(100);
      const end = now();
      await c.close();
      await deleteEdgeStream(side.nc, spec); // each run has a stream of its own: give its memory back
      return end;
    };
  } else if (transport === 'ringbufjs') {
    const sab = RingBuffer.getStorageForCapacity(1 << 17, Float64Array);
    job.sab = sab;
    const rb = new RingBuffer(sab, Float64Array);
    const buf = new Float64Array(8192);
    consume = async () => {
      let carry = -1; // an odd element count can split a message across pops
      while (received < count) {
        const n = rb.pop(buf);
        const t = mode === 'latency' ? now() : 0;
        let k = 0;
        if (carry >= 0 && n > 0) {
          see(carry, buf[0] as number, t);
          carry = -1;
          k = 1;
        }
        for (; k + 1 < n; k += 2) see(buf[k] as number, buf[k + 1] as number, t);
        if (k < n) carry = buf[k] as number;
      }
      return now();
    };
  } else {
    const { port1, port2 } = new MessageChannel();
    job.port = port2;
    transfer.push(port2 as never);
    consume = () =>
      new Promise<number>((resolve) => {
        port1.on('message', (buf: Float64Array) => {
          const t = mode === 'latency' ? now() : 0;
          for (let k = 0; k < buf.length; k += 2) see(buf[k] as number, buf[k + 1] as number, t);
          if (received >= count) {
            port1.close();
            resolve(now());
          }
        });
      });
  }
  const worker = new Worker(TS_WORKER_ENTRY, { workerData: { ...job, entry: PRODUCER }, transferList: transfer });
  const failed = new Promise<never>((_, reject) => worker.once('error', reject));
  // let the worker load (and, for nats, connect) before starting the clock
  await new Promise((r) => setTimeout(r, 150));
  while (Atomics.load(goI32, 1) !== 1) await Promise.race([new Promise((r) => setTimeout(r, 5)), failed]);
  Atomics.store(goI32, 0, 1);
  Atomics.notify(goI32, 0);
  const end = await Promise.race([consume(), failed]);
  await worker.terminate();
  return { seconds: (end - (goF64[0] as number)) / 1000, hist, outOfOrder };
}

export async function runRingBench(opts: RingBenchOptions): Promise<BenchReport> {
  // The nats rows run when nats-server is installed (or were asked for: then it must be).
  let natsNote = '';
  let transports = opts.transports;
  if (transports === undefined) {
    transports = ['ring', 'messageport', 'ringbufjs', 'nats'];
    try {
      findNatsServer();
    } catch (err) {
      transports = transports.filter((t) => t !== 'nats');
      natsNote = `nats rows skipped: ${(err as Error).message}`;
    }
  }
  if (transports.includes('nats')) {
    const server = await startNatsServer();
    natsSide = { server, nc: await connect({ servers: server.url }), runs: 0 };
  }
  try {
    return await runAll(opts, transports, natsNote);
  } finally {
    await natsSide?.nc.close();
    await natsSide?.server.stop();
    natsSide = null;
  }
}

async function runAll(opts: RingBenchOptions, transports: Transport[], natsNote: string): Promise<BenchReport> {
  const results: BenchResult[] = [];
  // batch<N>: N messages per publish (ring: one record of N messages and one flush; MessagePort:
  // one postMessage; ringbuf.js: one push). ring:records64: 64 separate records per flush, the
  // ring's variable-length record path with a header each; nats:records64 the same over NATS,
  // the 64 records of a flush in one message (nats.batch 64), and nats:records64-unbatched one
  // message per record (nats.batch 1), as the edge sent them before it batched.
  const cases: [Transport, number, boolean, string, number?][] = [];
  for (const batch of [1, 64]) for (const t of transports) cases.push([t, batch, false, `${t}:batch${batch}`]);
  if (transports.includes('ring')) cases.push(['ring', 64, true, 'ring:records64']);
  if (transports.includes('nats')) cases.push(['nats', 64, true, 'nats:records64', 64], ['nats', 64, true, 'nats:records64-unbatched', 1]);
  for (const [t, batch, perRecord, name, natsBatch] of cases) {
    const runs: Record<string, number>[] = [];
    // MessagePort and NATS at batch 1 are ~100x slower: fewer messages keep the run short.
    const count = (t === 'messageport' || t === 'nats') && (batch === 1 || perRecord) ? Math.ceil(opts.count / 10) : opts.count;
    for (let r = 0; r < opts.runs; r++) {
      const o = await runOnce(t, 'throughput', count, batch, 0, perRecord, natsBatch);
      if (o.outOfOrder > 0) throw new Error(`${t}: ${o.outOfOrder} messages out of order`);
      runs.push({ msgsPerSec: count / o.seconds });
    }
    results.push(summarize(name, runs, { messages: count, payloadBytes: 16 }));
  }
  const latencyCount = Math.round(60_000 * opts.latencySeconds);
  for (const t of transports.filter((x) => x !== 'ringbufjs')) {
    const runs: Record<string, number>[] = [];
    for (let r = 0; r < opts.runs; r++) {
      const o = await runOnce(t, 'latency', latencyCount, 1, 60_000);
      runs.push({ p50Us: o.hist.quantile(0.5) / 1000, p99Us: o.hist.quantile(0.99) / 1000, p999Us: o.hist.quantile(0.999) / 1000 });
    }
    results.push(summarize(`${t}:latency60k`, runs, { ratePerSec: 60_000, messages: latencyCount }));
  }
  const ratio = (a: string, b: string) => {
    const x = results.find((r) => r.name === a)?.median.msgsPerSec;
    const y = results.find((r) => r.name === b)?.median.msgsPerSec;
    return x && y ? (x / y).toFixed(2) : 'n/a';
  };
  return report('ring', opts.runs, results, [
    `ratio ring/nats: batch64 ${ratio('ring:batch64', 'nats:batch64')}x, records64 ${ratio('ring:records64', 'nats:records64')}x; nats: a JetStream edge (memory stream, drop-oldest, pull consumer) over loopback to a nats-server the bench started; batch<N>: one record (one message) of N structs per flush; records64: 64 records per flush`,
    `ratio nats batched/unbatched: records64 ${ratio('nats:records64', 'nats:records64-unbatched')}x (the 64 records of a flush in one message, against one message each)`,
    ...(natsNote ? [natsNote] : []),
    `ratio ring/messageport: batch1 ${ratio('ring:batch1', 'messageport:batch1')}x, batch64 ${ratio('ring:batch64', 'messageport:batch64')}x`,
    `ratio ring/ringbufjs: batch1 ${ratio('ring:batch1', 'ringbufjs:batch1')}x, batch64 ${ratio('ring:batch64', 'ringbufjs:batch64')}x`,
    `ratio ring/ringbufjs per-record path: records64 ${ratio('ring:records64', 'ringbufjs:batch64')}x`,
    'producer in a worker thread, consumer on the main thread; 16-byte messages; every message is checked for order; ring records add an 8-byte header',
  ]);
}
