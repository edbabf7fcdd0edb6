/**
 * A strict parser of the Prometheus text exposition format (0.0.4), for tests: every line must
 * be a `# HELP`, a `# TYPE` or a sample of a declared family; names, labels, escapes and values
 * are checked, duplicates rejected. Throws with the line number on the first violation.
 */

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Family {
  name: string;
  type: 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';
  help: string;
  samples: Sample[];
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);

function parseValue(s: string, where: string): number {
  if (s === '+Inf') return Number.POSITIVE_INFINITY;
  if (s === '-Inf') return Number.NEGATIVE_INFINITY;
  if (s === 'NaN') return Number.NaN;
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(s)) throw new Error(`${where}: bad value '${s}'`);
  return Number(s);
}

function parseLabels(s: string, where: string): { labels: Record<string, string>; rest: string } {
  const labels: Record<string, string> = {};
  let i = 0;
  for (;;) {
    while (s[i] === ' ') i++;
    if (s[i] === '}') return { labels, rest: s.slice(i + 1) };
    const eq = s.indexOf('=', i);
    if (eq < 0) throw new Error(`${where}: label without '='`);
    const name = s.slice(i, eq).trim();
    if (!LABEL.test(name)) throw new Error(`${where}: bad label name '${name}'`);
    if (name in labels) throw new Error(`${where}: duplicate label '${name}'`);
    if (s[eq + 1] !== '"') throw new Error(`${where}: label value must be quoted`);
    let v = '';
    let j = eq + 2;
    for (; j < s.length && s[j] !== '"'; j++) {
      if (s[j] === '\\') {
        const n = s[++j];
        if (n === 'n') v += '\n';
        else if (n === '\\' || n === '"') v += n;
        else throw new Error(`${where}: bad escape '\\${n}'`);
      } else v += s[j];
    }
    if (s[j] !== '"') throw new Error(`${where}: unterminated label value`);
    labels[name] = v;
    i = j + 1;
    if (s[i] === ',') i++;
    else if (s[i] !== '}') throw new Error(`${where}: expected ',' or '}' after label`);
  }
}

/** The family a sample name belongs to (histogram/summary suffixes resolve to their base). */
function familyOf(name: string, families: Map<string, Family>): Family | undefined {
  const direct = families.get(name);
  if (direct) return direct;
  for (const suffix of ['_bucket', '_sum', '_count']) {
    if (!name.endsWith(suffix)) continue;
    const f = families.get(name.slice(0, -suffix.length));
    if (f && (f.type === 'histogram' || (f.type === 'summary' && suffix !== '_bucket'))) return f;
  }
  return undefined;
}

export function parsePrometheusText(text: string): Map<string, Family> {
  const families = new Map<string, Family>();
  const seen = new Set<string>();
  if (!text.endsWith('\n')) throw new Error('exposition must end with a newline');
  text.split('\n').forEach((line, n) => {
    const where = `line ${n + 1}`;
    if (line === '') return;
    if (line.startsWith('#')) {
      const m = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(line);
      if (!m) return; // plain comment
      const [, kind, name, rest] = m as unknown as [string, string, string, string];
      if (!NAME.test(name)) throw new Error(`${where}: bad metric name '${name}'`);
      let f = families.get(name);
      if (!f) families.set(name, (f = { name, type: 'untyped', help: '', samples: [] }));
      if (kind === 'TYPE') {
        if (!TYPES.has(rest)) throw new Error(`${where}: bad type '${rest}'`);
        if (f.samples.length > 0) throw new Error(`${where}: TYPE after samples of ${name}`);
        f.type = rest as Family['type'];
      } else f.help = rest;
      return;
    }
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{)?(.*)$/.exec(line);
    if (!m) throw new Error(`${where}: not a sample: ${line.slice(0, 80)}`);
    const name = m[1] as string;
    let rest = m[3] as string;
    let labels: Record<string, string> = {};
    if (m[2]) ({ labels, rest } = parseLabels(rest, where));
    const parts = rest.trim().split(/\s+/);
    if (parts.length < 1 || parts.length > 2 || parts[0] === '') throw new Error(`${where}: expected a value (and optional timestamp)`);
    const value = parseValue(parts[0] as string, where);
    const f = familyOf(name, families);
    if (!f) throw new Error(`${where}: sample ${name} has no # TYPE`);
    const key = `${name}${JSON.stringify(Object.entries(labels).sort())}`;
    if (seen.has(key)) throw new Error(`${where}: duplicate sample ${name}`);
    seen.add(key);
    if (f.type === 'counter' && !(value >= 0)) throw new Error(`${where}: counter ${name} is negative or NaN`);
    f.samples.push({ name, labels, value });
  });
  for (const f of families.values()) if (f.type === 'histogram') checkHistogram(f);
  return families;
}

/**
 * Per label set: buckets with a numeric `le`, increasing, cumulative and ending in +Inf equal to
 * `_count`; a `_sum` and a `_count` (neither with `le`); no `_sum`/`_count` without buckets.
 */
function checkHistogram(f: Family): void {
  const key = (labels: Record<string, string>) => JSON.stringify(Object.entries(labels).sort());
  const groups = new Map<string, Sample[]>();
  for (const s of f.samples) {
    if (!s.name.endsWith('_bucket')) {
      if ('le' in s.labels) throw new Error(`${f.name}: ${s.name} has an le label`);
      continue;
    }
    const { le, ...rest } = s.labels;
    if (le === undefined) throw new Error(`${f.name}: bucket without le`);
    const k = key(rest);
    groups.set(k, [...(groups.get(k) ?? []), s]);
  }
  for (const s of f.samples)
    if (s.name !== `${f.name}_bucket` && !groups.has(key(s.labels)))
      throw new Error(`${f.name}: ${s.name} ${key(s.labels)} without buckets`);
  for (const [k, buckets] of groups) {
    let prev = -1;
    let prevLe = Number.NEGATIVE_INFINITY;
    for (const b of buckets) {
      const le = parseValue(b.labels.le as string, f.name);
      if (Number.isNaN(le)) throw new Error(`${f.name}: le is NaN`);
      if (le <= prevLe) throw new Error(`${f.name}: le not increasing`);
      if (b.value < prev) throw new Error(`${f.name}: buckets not cumulative`);
      prev = b.value;
      prevLe = le;
    }
    if (prevLe !== Number.POSITIVE_INFINITY) throw new Error(`${f.name}: no +Inf bucket`);
    const count = f.samples.find((s) => s.name === `${f.name}_count` && key(s.labels) === k);
    if (!count || count.value !== prev) throw new Error(`${f.name}: +Inf bucket differs from _count`);
    const sum = f.samples.find((s) => s.name === `${f.name}_sum` && key(s.labels) === k);
    if (!sum) throw new Error(`${f.name}: ${k} has no _sum`);
  }
}

/** Sum of a family's samples whose labels include `match`. */
export function sampleValue(families: Map<string, Family>, name: string, match: Record<string, string> = {}): number | undefined {
  const f = familyOf(name, families);
  const hits = f?.samples.filter((s) => s.name === name && Object.entries(match).every(([k, v]) => s.labels[k] === v)) ?? [];
  return hits.length === 0 ? undefined : hits.reduce((a, s) => a + s.value, 0);
}
