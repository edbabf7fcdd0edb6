/**
 * Benchmark client (child process of throughput.ts): one WebSocket, subscribes to every book and
 * trade channel, parses every frame and counts market-data events (one level change or one trade).
 * Talks to the parent over IPC: replies to 'mark' with its cumulative counters.
 */
import WebSocket from 'ws';

const [httpUrl, wsUrl] = process.argv.slice(2) as [string, string];
const res = await fetch(`${httpUrl}/v1/instruments`);
const { instruments } = (await res.json()) as { instruments: Array<{ symbol: string }> };
const channels = instruments.flatMap((i) => [`book:${i.symbol}`, `trades:${i.symbol}`]);

let events = 0;
let frames = 0;
let bytes = 0;
let acks = 0;
const CHUNK = 2000;
const requests = Math.ceil(channels.length / CHUNK);
let subscribeStart = 0;
let subscribeAckMs = -1;

const ws = new WebSocket(wsUrl);
ws.on('message', (data: Buffer) => {
  frames++;
  bytes += data.length;
  const m = JSON.parse(data.toString()) as { type: string; bids?: unknown[]; asks?: unknown[]; trades?: unknown[] };
  if (m.type === 'delta') events += (m.bids?.length ?? 0) + (m.asks?.length ?? 0);
  else if (m.type === 'trade') events += m.trades?.length ?? 0;
  else if (m.type === 'ack' && ++acks === requests) subscribeAckMs = performance.now() - subscribeStart;
  else if (m.type === 'error') process.stderr.write(`error frame: ${data.toString()}\n`);
});
ws.on('open', () => {
  subscribeStart = performance.now();
  for (let i = 0; i < channels.length; i += CHUNK) {
    ws.send(JSON.stringify({ action: 'subscribe', id: i / CHUNK, channels: channels.slice(i, i + CHUNK) }));
  }
});
ws.on('close', () => process.exit(0));
process.on('message', (msg) => {
  if (msg === 'mark') process.send?.({ t: performance.now(), events, frames, bytes, subscribeAckMs, channels: channels.length });
  if (msg === 'stop') ws.close();
});
