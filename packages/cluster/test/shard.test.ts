import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { assignShard, fnv1a64, jumpHash, partition, shardOf } from '../src/shard.js';

const SHARD_MODULE = fileURLToPath(new URL('../src/shard.ts', import.meta.url));
const ids = Array.from({ length: 5500 }, (_, i) => `sim:SYM${String(i).padStart(4, '0')}-USD`);

describe('sharding rule', () => {
  it('hashes with FNV-1a 64 as specified (published test vectors)', () => {
    expect(fnv1a64('').toString(16)).toBe('cbf29ce484222325');
    expect(fnv1a64('a').toString(16)).toBe('af63dc4c8601ec8c');
    expect(fnv1a64('foobar').toString(16)).toBe('85944171f73967e8');
  });

  it('jump hash: in range, one bucket is always 0, and a key keeps its bucket or moves to the new one when buckets grow', () => {
    for (let n = 1; n <= 12; n++) {
      for (const id of ids.slice(0, 500)) {
        const k = fnv1a64(id);
        const b = jumpHash(k, n);
        expect(b).toBeGreaterThanOrEqual(0);
        expect(b).toBeLessThan(n);
        const grown = jumpHash(k, n + 1);
        expect(grown === b || grown === n).toBe(true);
      }
    }
    expect(() => jumpHash(1n, 0)).toThrow(RangeError);
    expect(() => shardOf('', 2)).toThrow(TypeError);
  });

  it('spreads 5,500 instruments evenly over 2 and 3 shards (each within 5% of its share)', () => {
    for (const n of [2, 3]) {
      const parts = partition({ count: n, pins: new Map() }, ids);
      for (const p of parts) expect(Math.abs(p.length - ids.length / n)).toBeLessThan((ids.length / n) * 0.05);
      expect(parts.flat().sort()).toEqual([...ids].sort());
    }
  });

  it('pins win over the hash', () => {
    const id = ids[0] as string;
    const hashed = shardOf(id, 2);
    expect(assignShard({ count: 2, pins: new Map([[id, 1 - hashed]]) }, id)).toBe(1 - hashed);
  });

  it('every node computes the same assignment: three processes, instruments listed in different orders', () => {
    const script = (order: string) => `
      const { shardOf } = await import(${JSON.stringify(SHARD_MODULE)});
      const ids = Array.from({ length: 5500 }, (_, i) => 'sim:SYM' + String(i).padStart(4, '0') + '-USD');
      if (${JSON.stringify(order)} === 'reverse') ids.reverse();
      if (${JSON.stringify(order)} === 'sorted') ids.sort();
      const out = {};
      for (const id of ids) out[id] = shardOf(id, 2);
      process.stdout.write(JSON.stringify(Object.keys(out).sort().map((k) => k + '=' + out[k])));`;
    const results = ['listed', 'reverse', 'sorted'].map((order) => {
      const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script(order)], { encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      return r.stdout;
    });
    expect(results[1]).toBe(results[0]);
    expect(results[2]).toBe(results[0]);
    const here = JSON.stringify([...ids].sort().map((id) => `${id}=${shardOf(id, 2)}`));
    expect(results[0]).toBe(here);
  });
});
