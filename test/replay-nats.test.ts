/**
 * The real stages with one edge on NATS JetStream: a recording of the embedded exchange replayed
 * through the whole pipeline (`replay --speed max`) with book->signals on rings, then on a real
 * nats-server. Book gets the same input both times, and signals takes every view book emitted,
 * on rings and on NATS alike: the edge keeps its default policy (drop-oldest), and both the ring
 * and the stream hold more than the whole replay, so nothing may be dropped.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, record, replay } from '@tickline/cli';
import { type NatsServer, startNatsServer } from '@tickline/nats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captured } from './capture-output.js';

const tmp = mkdtempSync(join(tmpdir(), 'tkl-replay-nats-'));
let server: NatsServer;

beforeAll(async () => {
  server = await startNatsServer();
});
afterAll(async () => {
  await server?.stop();
});

const quiet = (raw: object = {}) => loadConfig({ exchange: { instruments: 60 }, ...raw }, { 'log.level': 'silent' }, 'test');

describe('replay with book->signals on NATS', () => {
  it('carries every view book emits to signals, as rings do', async () => {
    const file = join(tmp, 'sim.tkr');
    const rec = await captured(() => record(quiet(), { out: file, durationS: 2, summary: 'json' }));
    expect(rec.code, rec.err).toBe(0);

    const runs: Record<string, { processed: number; emitted: number; dropped: Record<string, number> }>[] = [];
    for (const transport of ['ring', 'nats'] as const) {
      const cfg = quiet({ nats: { url: server.url }, rings: { edges: { 'book->signals': { transport } } } });
      const rep = await captured(() => replay(cfg, { file, speed: 'max', json: true }));
      expect(rep.code, rep.err).toBe(0);
      const s = JSON.parse(rep.out);
      expect(s.replay.complete).toBe(true);
      expect(s.restarts).toBe(0);
      runs.push(s.stages);
    }
    const [ring, nats] = runs as [(typeof runs)[0], (typeof runs)[0]];
    expect(nats.book?.processed).toBe(ring.book?.processed);
    expect(ring.book?.processed).toBeGreaterThan(1000);
    for (const s of [ring, nats]) {
      expect(s.book?.emitted).toBeGreaterThan(0);
      expect(s.signals?.processed).toBe(s.book?.emitted);
      expect(s.signals?.dropped).toEqual({});
    }
  }, 180_000);
});
