import { existsSync } from 'node:fs';
import { connect } from '@nats-io/transport-node';
import { describe, expect, it } from 'vitest';
import { startNatsServer } from '../src/index.js';

describe('startNatsServer: a real nats-server on loopback', () => {
  it('rejects bad options with the option named', async () => {
    await expect(startNatsServer({ port: 0 })).rejects.toThrow(/options.port must be an integer in 1..65535/);
    await expect(startNatsServer({ startTimeoutMs: -5 })).rejects.toThrow(/options.startTimeoutMs/);
  });

  it('fails with the apt-get hint when the binary is missing', async () => {
    const saved = process.env.NATS_SERVER_BIN;
    process.env.NATS_SERVER_BIN = '/nonexistent/nats-server';
    try {
      await expect(startNatsServer()).rejects.toMatchObject({
        code: 'ERR_NATS_SERVER_MISSING',
        message: expect.stringContaining('apt-get install nats-server'),
      });
    } finally {
      if (saved === undefined) delete process.env.NATS_SERVER_BIN;
      else process.env.NATS_SERVER_BIN = saved;
    }
  });

  it('starts with JetStream, keeps a file stream across kill -9 and restart on the same port', async () => {
    const server = await startNatsServer();
    try {
      expect(server.url).toBe(`nats://127.0.0.1:${server.port}`);
      let nc = await connect({ servers: server.url });
      const { jetstreamManager } = await import('@nats-io/jetstream');
      let jsm = await jetstreamManager(nc);
      await jsm.streams.add({ name: 'probe', subjects: ['probe.>'] });
      const js = jsm.jetstream();
      for (let i = 0; i < 5; i++) await js.publish(`probe.${i}`, new Uint8Array([i]));
      await nc.close();

      await server.kill('SIGKILL');
      expect(server.running).toBe(false);
      await server.restart();
      expect(server.running).toBe(true);

      nc = await connect({ servers: server.url });
      jsm = await jetstreamManager(nc);
      const info = await jsm.streams.info('probe');
      expect(info.state.messages).toBe(5);
      await nc.close();
    } finally {
      await server.stop();
    }
    expect(server.running).toBe(false);
    expect(existsSync(server.storeDir)).toBe(false);
  });
});
