/**
 * NATS subject names of a cluster, hierarchical from the general to the particular, the
 * instrument last, so wildcards select what a subscriber needs:
 *
 *   tickline.<cluster>.edge.<from>-<to>.s<shard>.<venue>.<symbol>   records on a cross-node edge
 *   tickline.<cluster>.node.<node>.heartbeat                         presence, every heartbeatMs
 *   tickline.<cluster>.node.<node>.stats                             a node's stats for dashboards
 *
 * e.g. `tickline.demo.edge.book-signals.s1.>` is shard 1's book views, `tickline.demo.node.*.stats`
 * every node's stats. A token may not hold `.`, `*`, `>` or white space, so names and symbols are
 * escaped as `%XX` (hex of each UTF-8 byte) for those, `%` itself and anything not printable ASCII;
 * the escape is reversible (`unescapeToken`).
 */

import type { EdgeName } from '@tickline/runtime';

const PLAIN = /^[\x21-\x7e]$/;
const SPECIAL = new Set(['.', '*', '>', '%']);
const encoder = new TextEncoder();

/** A name or symbol as one subject token (see the file comment). */
export function escapeToken(text: string): string {
  if (typeof text !== 'string' || text === '') throw new TypeError('text must be a non-empty string');
  let out = '';
  for (const ch of text) {
    if (PLAIN.test(ch) && !SPECIAL.has(ch)) out += ch;
    else for (const b of encoder.encode(ch)) out += `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** The inverse of escapeToken. */
export function unescapeToken(token: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < token.length; i++) {
    if (token[i] === '%') {
      bytes.push(Number.parseInt(token.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(token.charCodeAt(i));
  }
  return new TextDecoder().decode(Uint8Array.from(bytes));
}

/** The subjects of one cluster. */
export class Subjects {
  readonly root: string;

  constructor(cluster: string) {
    this.root = `tickline.${escapeToken(cluster)}`;
  }

  /** Records of a cross-node edge for one instrument. */
  edge(edge: EdgeName, shard: number, venue: string, symbol: string): string {
    return `${this.edgeShard(edge, shard)}.${escapeToken(venue)}.${escapeToken(symbol)}`;
  }

  /** Every instrument of a shard on an edge (subscription). */
  edgeShardAll(edge: EdgeName, shard: number): string {
    return `${this.edgeShard(edge, shard)}.>`;
  }

  /** Every subject of an edge (a stream's subject filter). */
  edgeAll(edge: EdgeName): string {
    return `${this.root}.edge.${edgeToken(edge)}.>`;
  }

  heartbeat(node: string): string {
    return `${this.root}.node.${escapeToken(node)}.heartbeat`;
  }

  stats(node: string): string {
    return `${this.root}.node.${escapeToken(node)}.stats`;
  }

  /** Every node's heartbeats (subscription). */
  get heartbeats(): string {
    return `${this.root}.node.*.heartbeat`;
  }

  /** Every node's stats (subscription). */
  get allStats(): string {
    return `${this.root}.node.*.stats`;
  }

  /** The node named in a heartbeat or stats subject. */
  nodeOf(subject: string): string | null {
    const prefix = `${this.root}.node.`;
    if (!subject.startsWith(prefix)) return null;
    const token = subject.slice(prefix.length).split('.')[0];
    return token ? unescapeToken(token) : null;
  }

  private edgeShard(edge: EdgeName, shard: number): string {
    if (!Number.isInteger(shard) || shard < 0) throw new RangeError(`shard must be a non-negative integer, got ${shard}`);
    return `${this.root}.edge.${edgeToken(edge)}.s${shard}`;
  }
}

/** `book->signals` -> `book-signals`. */
export function edgeToken(edge: EdgeName): string {
  return edge.replace('->', '-');
}
