// Producer side of `tickline bench ring`: runs in its own worker thread and sends `count`
// messages of two float64s (sequence, send time) through one transport, `batch` per publish.
import { type MessagePort, workerData } from 'node:worker_threads';
import { connect } from '@nats-io/transport-node';
import { NatsEdgeProducer, type NatsEdgeSpec } from '@tickline/nats';
import { type RingHandle, RingProducer } from '@tickline/ring';
import { epochMs } from '@tickline/wire';
import { RingBuffer } from 'ringbuf.js';

interface Job {
  entry: string;
  transport: 'ring' | 'messageport' | 'ringbufjs' | 'nats';
  mode: 'throughput' | 'latency';
  count: number;
  batch: number;
  /** ring only: one record per message (else one record per batch). */
  perRecord: boolean;
  ratePerSec: number;
  ring?: RingHandle;
  sab?: SharedArrayBuffer;
  port?: MessagePort;
  nats?: NatsEdgeSpec;
  go: SharedArrayBuffer;
}

const job = workerData as Job;
const now = epochMs;
const go = new Int32Array(job.go);
// NATS: connect and open the edge before the clock starts, then say so (word 1)
const natsProducer = job.nats ? await NatsEdgeProducer.open(await connect({ servers: job.nats.url }), job.nats, 0) : null;
Atomics.store(go, 1, 1);
// wait for the consumer to be ready, then record the start time for the consumer
Atomics.wait(go, 0, 0);
const f64go = new Float64Array(job.go, 8, 1);

// Throughput runs stamp nothing (a clock read per message would cost more than the transport).
function pace(i: number, t0: number): number {
  if (job.mode !== 'latency') return 0;
  const due = t0 + (i * 1000) / job.ratePerSec;
  let t = now();
  while (t < due) t = now();
  return t;
}

const t0 = now();
f64go[0] = t0;
if (job.transport === 'ring' && job.perRecord) {
  // one record per message, `batch` records per flush: the variable-length record path
  const p = new RingProducer(job.ring as RingHandle);
  const f64 = new Float64Array(p.data.buffer);
  for (let i = 0; i < job.count; i++) {
    const ts = pace(i, t0);
    const off = p.reserve(16, 0);
    f64[off >> 3] = i;
    f64[(off >> 3) + 1] = ts;
    if ((i + 1) % job.batch === 0) p.flush();
  }
  p.flush();
} else if (job.transport === 'ring') {
  // one record of `batch` messages per flush: a vector of structs, as the pipeline's batches are
  const p = new RingProducer(job.ring as RingHandle);
  const f64 = new Float64Array(p.data.buffer);
  for (let i = 0; i < job.count; i += job.batch) {
    const n = Math.min(job.batch, job.count - i);
    const at = p.reserve(16 * n, 0) >> 3;
    for (let k = 0; k < n; k++) {
      f64[at + 2 * k] = i + k;
      f64[at + 2 * k + 1] = pace(i + k, t0);
    }
    p.flush();
  }
} else if (natsProducer !== null && job.perRecord) {
  // one record per message, `batch` records per flush (the edge packs a flush's records into
  // messages of up to its spec's batch)
  const p = natsProducer;
  const yieldToLoop = () => new Promise<void>((r) => setImmediate(r));
  let chunk = p.data;
  let f64 = new Float64Array(chunk.buffer);
  for (let i = 0; i < job.count; i++) {
    const ts = pace(i, t0);
    const off = p.reserve(16, 0);
    if (p.data !== chunk) {
      chunk = p.data; // reserve started a new chunk
      f64 = new Float64Array(chunk.buffer);
    }
    f64[off >> 3] = i;
    f64[(off >> 3) + 1] = ts;
    if ((i + 1) % job.batch === 0) {
      p.flush();
      if ((i + 1) % (job.batch * 16) === 0) await yieldToLoop();
    }
  }
  await p.drain();
} else if (natsProducer !== null) {
  // one record (one NATS message) of `batch` messages per flush, like the ring's
  const p = natsProducer;
  const yieldToLoop = () => new Promise<void>((r) => setImmediate(r));
  for (let i = 0; i < job.count; i += job.batch) {
    const n = Math.min(job.batch, job.count - i);
    const at = p.reserve(16 * n, 0) >> 3;
    const f64 = new Float64Array(p.data.buffer); // reserve may have started a new chunk
    for (let k = 0; k < n; k++) {
      f64[at + 2 * k] = i + k;
      f64[at + 2 * k + 1] = pace(i + k, t0);
    }
    p.flush();
    // publishes leave from the event loop: give it a turn after each message when timing
    // latency, every 256 messages when timing throughput
    if (job.mode === 'latency' || (i / job.batch) % 256 === 255) await yieldToLoop();
  }
  await p.drain();
} else if (job.transport === 'ringbufjs') {
  const rb = new RingBuffer(job.sab as SharedArrayBuffer, Float64Array);
  const buf = new Float64Array(2 * job.batch);
  for (let i = 0; i < job.count; i += job.batch) {
    const n = Math.min(job.batch, job.count - i);
    for (let k = 0; k < n; k++) {
      buf[2 * k] = i + k;
      buf[2 * k + 1] = pace(i + k, t0);
    }
    let sent = 0;
    while (sent < 2 * n) sent += rb.push(buf, 2 * n - sent, sent);
  }
} else {
  const port = job.port as MessagePort;
  for (let i = 0; i < job.count; i += job.batch) {
    const n = Math.min(job.batch, job.count - i);
    const buf = new Float64Array(2 * n);
    for (let k = 0; k < n; k++) {
      buf[2 * k] = i + k;
      buf[2 * k + 1] = pace(i + k, t0);
    }
    port.postMessage(buf);
  }
}
