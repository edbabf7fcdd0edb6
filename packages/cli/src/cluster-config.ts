/**
 * A cluster config file: an ordinary tickline config (shared by every node) plus a `cluster`
 * section (@tickline/cluster). Everything is checked before a node starts and every violation of
 * the whole file is listed at once: the shared settings, the cluster section, the node named by
 * `--node`, and the placement of that node's stages.
 */

import { join } from 'node:path';
import { type ClusterPlan, clusterSchema, type NodePlan, planCluster } from '@tickline/cluster';
import { edgePolicy, type Group, type Issue, isRecord } from '@tickline/runtime';
import { ConfigError, configSchema, type LoadedConfig, loadConfig, type TicklineConfig } from './config.js';

export interface LoadedClusterConfig extends LoadedConfig {
  readonly plan: ClusterPlan;
  readonly node: NodePlan;
  /** The placement groups of the whole pipeline (every node's): partitions of a consuming node. */
  readonly allGroups: readonly Group[];
}

/** A config file that has a `cluster` section is a cluster config. */
export function isClusterConfig(raw: unknown): boolean {
  return isRecord(raw) && raw.cluster !== undefined;
}

/**
 * Validates a cluster config for node `nodeName` (flag overrides as in loadConfig) and returns
 * the node's own config: its stages as placement groups (the file's `fuse` among them), its
 * dashboard port and state directory. Throws ConfigError listing every problem.
 */
export function loadClusterConfig(
  raw: unknown,
  nodeName: string | undefined,
  overrides: Record<string, unknown>,
  source: string,
  /** For `tickline replay FILE --node`: the file is the market, no venue URL is needed. */
  opts: { replay?: boolean } = {},
): LoadedClusterConfig {
  if (!isRecord(raw)) throw new ConfigError(source, [{ path: '(config)', message: 'must be an object (a mapping of settings)' }]);
  const { cluster: section, ...shared } = raw;
  const issues: Issue[] = [];
  let loaded: LoadedConfig | null = null;
  try {
    loaded = loadConfig(shared, overrides, source);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    issues.push(...err.issues);
  }
  // the shared part as parsed (a refused value stands replaced by its default): its edge policies
  const config = loaded?.config ?? (configSchema.parse(shared, '', []) as TicklineConfig);
  const parsed = clusterSchema.parse(section, 'cluster', issues);
  const plan = planCluster(parsed, (edge) => edgePolicy(config, edge).policy, 'cluster', issues);
  if (opts.replay !== true && config.venue.name === 'sim' && (config.venue.url === undefined || config.venue.restUrl === undefined))
    issues.push({
      path: 'venue.url',
      message:
        'is required in a cluster config with venue.restUrl (every node trades on one venue: start the embedded exchange with `tickline sim` and give its URLs)',
    });
  const names = Object.keys(parsed.nodes);
  if (nodeName === undefined) issues.push({ path: '--node', message: `is required with a cluster config (nodes: ${names.join(', ')})` });
  else if (!Object.hasOwn(parsed.nodes, nodeName))
    issues.push({ path: '--node', message: `names unknown node "${nodeName}" (nodes: ${names.join(', ')})` });
  const groups =
    loaded && plan && nodeName !== undefined && plan.nodes.has(nodeName)
      ? nodeGroups(loaded.groups, plan.nodes.get(nodeName) as NodePlan, issues)
      : [];
  if (issues.length > 0 || loaded === null || plan === null) throw new ConfigError(source, issues);
  const node = plan.nodes.get(nodeName as string) as NodePlan;
  const nodeConfig: TicklineConfig = {
    ...loaded.config,
    // a --http-port flag wins over the node's port
    http: {
      ...loaded.config.http,
      host: node.http.host ?? loaded.config.http.host,
      port: overrides['http.port'] !== undefined ? loaded.config.http.port : (node.http.port ?? loaded.config.http.port),
    },
    stateDir: node.stateDir ?? join(loaded.config.stateDir, node.name),
  };
  return { config: nodeConfig, groups, plan, node, allGroups: loaded.groups };
}

/** The placement groups of a node's stages; a fused group must not straddle two nodes. */
function nodeGroups(all: readonly Group[], node: NodePlan, issues: Issue[]): Group[] {
  const out: Group[] = [];
  for (const g of all) {
    const mine = g.stages.filter((s) => node.stages.includes(s));
    if (mine.length === 0) continue;
    if (mine.length !== g.stages.length) {
      issues.push({
        path: 'fuse',
        message: `fuses ${g.name}, but node ${node.name} runs only ${mine.join(', ')} of it: a fused group must run on one node`,
      });
      continue;
    }
    out.push(g);
  }
  return out;
}
