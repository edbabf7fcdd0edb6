import { connect } from '@nats-io/transport-node';
import { type NatsServer, startNatsServer } from '@tickline/nats';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Heartbeat, Presence } from '../src/presence.js';

interface Line {
  msg: string;
  missing?: string[];
  peer?: string;
}

function capture(): { log: pino.Logger; lines: Line[] } {
  const lines: Line[] = [];
  const log = pino({ level: 'debug' }, { write: (s: string) => lines.push(JSON.parse(s) as Line) });
  return { log, lines };
}

const beat = (node: string): Heartbeat => ({
  node,
  pid: process.pid,
  stages: ['ingest'],
  shards: [0],
  startedAtMs: Date.now(),
  registry: 'r1',
  phase: 'starting',
});

const until = async (cond: () => boolean, what: string, ms = 10_000) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe('presence over a real nats-server', () => {
  let nats: NatsServer;
  beforeAll(async () => {
    nats = await startNatsServer();
  });
  afterAll(async () => {
    await nats?.stop();
  });

  const start = (node: string, log: pino.Logger) =>
    Presence.start({ cluster: 'ptest', natsUrl: nats.url, heartbeatMs: 50, peerTimeoutMs: 400, self: beat(node), log });

  it('a node that starts first waits for its peers and names the missing ones; a silent peer goes down; bad heartbeats are counted', async () => {
    const a = capture();
    const pa = await start('A', a.log);
    const waiting = pa.waitForPeers(['A', 'B', 'C'], 0, 100);
    let resolved = false;
    void waiting.then(() => {
      resolved = true;
    });
    await until(() => a.lines.some((l) => l.msg === 'waiting for peers: B, C'), 'the first waiting line');
    const pb = await start('B', capture().log);
    await until(() => a.lines.some((l) => l.msg === 'waiting for peers: C'), 'the line naming only C');
    expect(resolved).toBe(false);
    const pc = await start('C', capture().log);
    await waiting;
    expect(a.lines.some((l) => l.msg === 'every peer is up')).toBe(true);
    expect([...pa.peers().keys()].sort()).toEqual(['B', 'C']);

    // stats reach every node
    const seen: string[] = [];
    pa.onStats((node) => seen.push(node));
    pc.publishStats({ node: 'C', ok: true });
    await until(() => seen.includes('C'), 'stats of C');

    // garbage on a heartbeat subject is counted, never taken for a peer
    const nc = await connect({ servers: nats.url });
    nc.publish('tickline-ptest.node.X.heartbeat', new TextEncoder().encode('{not json'));
    nc.publish('tickline-ptest.node.Y.heartbeat', new TextEncoder().encode(JSON.stringify({ ...beat('Z') })));
    await nc.flush();
    await until(() => pa.rejected >= 2, 'two rejected heartbeats');
    expect(pa.peers().has('X') || pa.peers().has('Y') || pa.peers().has('Z')).toBe(false);
    await nc.close();

    // B stops beating without a word (as after kill -9): A marks it down, C stays up
    const downs: string[] = [];
    pa.onPeer((node, up) => {
      if (!up) downs.push(node);
    });
    await pb.connection.close();
    await until(() => downs.includes('B'), 'B down');
    expect(pa.peers().get('B')?.up).toBe(false);
    expect(pa.peers().get('C')?.up).toBe(true);
    expect(a.lines.some((l) => l.msg === 'peer B is down (no heartbeat)')).toBe(true);
    await pa.close();
    await pc.close();
  });

  it('reconnects and keeps presence when the NATS server restarts', async () => {
    const a = capture();
    const pa = await start('A', a.log);
    const pb = await start('B', capture().log);
    await pa.waitForPeers(['A', 'B'], 10_000);
    await nats.restart();
    await until(() => pa.reconnects >= 1 && pb.reconnects >= 1, 'both reconnected', 20_000);
    expect(a.lines.some((l) => l.msg === 'NATS connection lost; reconnecting')).toBe(true);
    // after the restart heartbeats flow again on the restored subscriptions
    const before = pa.peers().get('B')?.lastSeenMs ?? 0;
    await until(() => (pa.peers().get('B')?.lastSeenMs ?? 0) > before && pa.peers().get('B')?.up === true, 'a fresh heartbeat of B');
    await pa.close();
    await pb.close();
  });

  it('rejects after its start timeout, naming who is missing', async () => {
    const pa = await start('A', capture().log);
    await expect(pa.waitForPeers(['A', 'Q'], 300)).rejects.toMatchObject({
      code: 'TKL_ERR_CLUSTER_PEERS',
      message: expect.stringContaining('Q'),
    });
    await pa.close();
  });

  it('waits for a peer that is up to announce a phase (a replay waits for the nodes it feeds to run)', async () => {
    const a = capture();
    const pa = await start('A', a.log);
    const pc = await start('C', capture().log);
    await pa.waitForPeers(['C']); // up, still starting
    let resolved = false;
    const running = pa.waitForPeers(['C'], 0, 100, 'running').then(() => {
      resolved = true;
    });
    await until(() => a.lines.some((l) => l.msg === 'waiting for C to be running'), 'the line naming C and the phase');
    await new Promise((r) => setTimeout(r, 200)); // several heartbeats of C, all 'starting'
    expect(resolved).toBe(false);
    pc.update({ phase: 'running' });
    await running;
    expect(a.lines.some((l) => l.msg === 'C running')).toBe(true);
    // and a timeout names the phase it waited for
    pc.update({ phase: 'starting' });
    await until(() => pa.peers().get('C')?.heartbeat.phase === 'starting', 'C starting again');
    await expect(pa.waitForPeers(['C'], 300, 5000, 'running')).rejects.toMatchObject({
      code: 'TKL_ERR_CLUSTER_PEERS',
      message: expect.stringMatching(/: peers not running after 300 ms: C$/),
    });
    await Promise.all([pa.close(), pc.close()]);
  });
});
