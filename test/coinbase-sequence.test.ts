import { Verifier } from '@tickline/book';
import { Normalizer } from '@tickline/normalize';
import { type CanonicalSink, InstrumentRegistry, VENUES } from '@tickline/wire';
import { describe, expect, it } from 'vitest';

// Coinbase Advanced Trade numbers every message of a connection (all channels, heartbeats
// included) with sequence_num: continuity is checked per connection by the parser.
const registry = new InstrumentRegistry();
registry.add({ venue: 'coinbase', symbol: 'BTC-USD', priceScale: 2, sizeScale: 8, tickSize: 1, lotSize: 1 });
const COINBASE = VENUES.coinbase;

const frame = (seq: number, channel = 'l2_data') =>
  new TextEncoder().encode(
    channel === 'heartbeats'
      ? `{"channel":"heartbeats","client_id":"","timestamp":"2023-02-09T20:32:51.1Z","sequence_num":${seq},"events":[{"current_time":"2023-02-09 20:32:51","heartbeat_counter":${seq}}]}`
      : `{"channel":"l2_data","client_id":"","timestamp":"2023-02-09T20:32:51.1Z","sequence_num":${seq},"events":[{"type":"${seq === 1 ? 'snapshot' : 'update'}","product_id":"BTC-USD","updates":[{"side":"bid","event_time":"2023-02-09T20:32:51Z","price_level":"21921.${String(seq % 100).padStart(2, '0')}","new_quantity":"1"},{"side":"offer","event_time":"2023-02-09T20:32:51Z","price_level":"21999.00","new_quantity":"1"}]}]}`,
  );

function run(frames: [connId: number, seq: number, channel?: string][]) {
  const normalizer = new Normalizer({ registry });
  const checks: [number, number, number][] = [];
  const sink: CanonicalSink = {
    bookDelta() {},
    bookSnapshot() {},
    trades() {},
    quotes() {},
    reject() {},
    sequenceCheck: (_venue, connId, expected, got) => checks.push([connId, expected, got]),
  };
  for (const [connId, seq, channel] of frames)
    normalizer.handleFrame(COINBASE, 0, null, frame(seq, channel), 1_700_000_000, 0, sink, connId);
  return checks;
}

describe('coinbase advanced trade: per-connection sequence continuity', () => {
  it('counts every channel, keeps connections apart, and reports the skipped number', () => {
    const checks = run([
      [1, 1],
      [2, 1],
      [1, 2, 'heartbeats'],
      [1, 3],
      [2, 2],
      [1, 5], // 4 never arrived on connection 1
      [2, 3, 'heartbeats'],
    ]);
    expect(checks).toEqual([
      [1, 2, 2],
      [1, 3, 3],
      [2, 2, 2],
      [1, 4, 5],
      [2, 3, 3],
    ]);
  });

  it('a new connection starting again at 0 is not a gap', () => {
    expect(
      run([
        [1, 7],
        [1, 8],
        [1, 0, 'heartbeats'],
        [1, 1],
      ]).filter(([, e, g]) => e !== g),
    ).toEqual([]);
  });

  it('replay verification counts the connection checks and the gap', () => {
    const normalizer = new Normalizer({ registry });
    const verifier = new Verifier(registry);
    const seqs = [1, 2, 3, 5, 6];
    for (const s of seqs) normalizer.handleFrame(COINBASE, 0, null, frame(s), 1_700_000_000, 0, verifier, 9);
    const r = verifier.report();
    expect(r.sequence.gaps).toBeGreaterThanOrEqual(1);
    expect(r.sequence.checked).toBeGreaterThanOrEqual(seqs.length - 1);
  });
});
