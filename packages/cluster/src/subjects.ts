/**
 * NATS subject names of a cluster, hierarchical from the general to the particular, under one
 * root per cluster, `tickline-<cluster>`:
 *
 *   tickline-<cluster>.<edge>.p<partition>.<instrument id>   records on a cross-node edge (@tickline/nats)
 *   tickline-<cluster>.node.<node>.heartbeat                  presence, every heartbeatMs
 *   tickline-<cluster>.node.<node>.stats                      a node's stats for dashboards
 *
 * e.g. `tickline-demo.book-signals.>` is every book view crossing nodes, `tickline-demo.node.*.stats`
 * every node's stats. A token may not hold `.`, `*`, `>` or white space, so node names are escaped
 * as `%XX` (hex of each UTF-8 byte) for those, `%` itself and anything not printable ASCII; the
 * escape is reversible (`unescapeToken`).
 */

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
    this.root = `tickline-${escapeToken(cluster)}`;
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
}
