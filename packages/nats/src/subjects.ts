/**
 * NATS names of an edge. Subjects are hierarchical with the instrument last, so wildcards select
 * what a reader wants:
 *
 *   <prefix>.<edge>.p<partition>.<instrument-id>     a record about one instrument
 *   <prefix>.<edge>.p<partition>.all                 a record for every instrument (marks)
 *
 * `tickline.book-signals.>` is the whole edge, `tickline.book-signals.p1.>` what partition 1 of
 * the consuming stage reads (its consumer's filter), `tickline.*.*.42` instrument 42 on every
 * edge. The edge name becomes one token: "->" is written "-", every other character outside
 * [a-z0-9] as "_" and its two hex digits (a lone "-" is "_2d", "_" itself "_5f"), so
 * "book->signals" is "book-signals" and no two edge names share a token. One stream per
 * edge, named "<prefix>-<edge token>".
 */

const TOKEN = /^[a-z0-9][a-z0-9-]*$/;

/** The subject token of an edge name ("book->signals" -> "book-signals"). */
export function edgeToken(edge: string): string {
  if (typeof edge !== 'string' || edge === '') throw new TypeError('edge must be a non-empty string');
  let out = '';
  for (let i = 0; i < edge.length; i++) {
    if (edge[i] === '-' && edge[i + 1] === '>') {
      out += '-';
      i++;
      continue;
    }
    const ch = edge[i] as string;
    if (/[a-z0-9]/.test(ch)) out += ch;
    else {
      const code = ch.charCodeAt(0);
      if (code > 0xff) throw new RangeError(`edge ${JSON.stringify(edge)}: character ${JSON.stringify(ch)} cannot be escaped in a subject`);
      out += `_${code.toString(16).padStart(2, '0')}`;
    }
  }
  return out;
}

/** Checks a subject prefix: one token of [a-z0-9-], like "tickline" or "tickline-node-a". */
export function checkPrefix(prefix: string, name = 'prefix'): string {
  if (typeof prefix !== 'string' || !TOKEN.test(prefix)) {
    throw new TypeError(
      `${name} must be one subject token of lowercase letters, digits and "-" (e.g. "tickline"), got ${JSON.stringify(prefix)}`,
    );
  }
  return prefix;
}

/** Stream holding one edge: "tickline-book-signals". */
export function streamName(prefix: string, edge: string): string {
  return `${prefix}-${edgeToken(edge)}`;
}

/** Every subject of an edge: "tickline.book-signals.>". */
export function edgeSubjects(prefix: string, edge: string): string {
  return `${prefix}.${edgeToken(edge)}.>`;
}

/** Subjects one consuming partition reads: "tickline.book-signals.p1.>". */
export function partitionFilter(prefix: string, edge: string, partition: number): string {
  return `${prefix}.${edgeToken(edge)}.p${partition}.>`;
}

/** Subject of a record for `instrument` (or every instrument when `instrument` < 0). */
export function recordSubject(prefix: string, edge: string, partition: number, instrument: number): string {
  return `${prefix}.${edgeToken(edge)}.p${partition}.${instrument < 0 ? 'all' : String(instrument)}`;
}

/** Durable consumer name of one consuming partition: "p1". */
export function consumerName(partition: number): string {
  return `p${partition}`;
}
