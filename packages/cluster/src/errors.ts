/** Every error of the cluster package, in one table; callers match on the stable `code`. */

export const CLUSTER_ERROR_CODES = {
  TKL_ERR_CLUSTER_PEERS: 'cluster peers missing',
  TKL_ERR_CLUSTER_NODE: 'cluster node cannot start',
} as const;

export type ClusterErrorCode = keyof typeof CLUSTER_ERROR_CODES;

export class ClusterError extends Error {
  readonly code: ClusterErrorCode;
  constructor(code: ClusterErrorCode, message: string) {
    super(`${CLUSTER_ERROR_CODES[code]}: ${message}`);
    this.name = 'ClusterError';
    this.code = code;
  }
}
