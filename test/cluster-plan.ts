/** The three-node cluster the cluster tests run (docs/cluster.md's example, on a test's nats-server). */

/**
 * The `cluster` section: A and B run ingest -> normalize -> book for shard 0 and shard 1, C runs
 * signals -> risk -> execution for both; dashboards on free ports; `extra` adds or overrides keys
 * (heartbeats, edges).
 */
export function threeNodeCluster(name: string, natsUrl: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name,
    nats: { url: natsUrl },
    shards: { count: 2 },
    nodes: {
      A: { stages: ['ingest', 'normalize', 'book'], shards: [0], http: { port: 0 } },
      B: { stages: ['ingest', 'normalize', 'book'], shards: [1], http: { port: 0 } },
      C: { stages: ['signals', 'risk', 'execution'], shards: 'all', http: { port: 0 } },
    },
    ...extra,
  };
}
