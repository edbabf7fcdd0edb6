/** /metrics names what carries each edge, and counts a NATS edge's records and drops like a ring's. */
import { describe, expect, it } from 'vitest';
import { DashboardMetrics } from '../src/metrics.js';
import { readRings, readStats } from '../src/stats-model.js';

describe('/metrics: edge transports', () => {
  it('labels each edge with its transport and counts NATS edges as rings are counted', async () => {
    const m = new DashboardMetrics('sim');
    const drops = { 'drop-oldest': 7, 'drop-newest': 0, stale: 2, corrupt: 1 };
    const rings = readRings([
      { name: 'normalize->book[0->0]', capacity: 1024, usedBytes: 0, recordsOut: 5, dropped: {}, transport: 'ring' },
      { name: 'book->signals[nats p0]', capacity: 4096, usedBytes: 0, recordsOut: 40, dropped: drops, transport: 'nats' },
      { name: 'book->signals[nats p1]', capacity: 4096, usedBytes: 0, recordsOut: 2, dropped: {}, transport: 'nats' },
    ]);
    m.update(readStats({ workers: [], restarts: 0 }), rings);
    const text = await m.registry.metrics();
    expect(text).toContain('tickline_edge_transport{edge="book->signals",transport="nats"} 1');
    expect(text).toContain('tickline_edge_transport{edge="normalize->book",transport="ring"} 1');
    expect(text).toContain('tickline_ring_records_total{edge="book->signals"} 42');
    expect(text).toContain('tickline_ring_dropped_records_total{edge="book->signals",reason="drop-oldest"} 7');
    expect(text).toContain('tickline_ring_dropped_records_total{edge="book->signals",reason="corrupt"} 1');
  });
});
