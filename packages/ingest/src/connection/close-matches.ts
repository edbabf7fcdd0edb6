/**
 * Close matches of an unknown venue code among the known ones, for "did you mean": the same code
 * in another case or spelling (`btc-usdt`, `BTC_USDT` for `BTCUSDT`; `BTCUSD` for `BTC/USD`), then
 * the nearest codes by edit distance. Pure; runs only on an error path.
 */

const canon = (s: string): string => s.toUpperCase().replace(/[^A-Z0-9]/g, '');

/** Edit distance with adjacent transpositions (optimal string alignment), bounded: limit + 1 once exceeded. */
function distance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  let prev2: number[] = [];
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      let v = Math.min((prev[j] as number) + 1, (cur[j - 1] as number) + 1, (prev[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, (prev2[j - 2] as number) + 1);
      cur.push(v);
      if (v < best) best = v;
    }
    if (best > limit) return limit + 1;
    prev2 = prev;
    prev = cur;
  }
  return prev[b.length] as number;
}

/** Up to `max` known codes close to `code`, best first. */
export function closeMatches(code: string, known: Iterable<string>, max = 3): string[] {
  const want = canon(code);
  const limit = Math.max(1, Math.floor(want.length / 4));
  const scored: { code: string; d: number }[] = [];
  for (const k of known) {
    if (k === code) continue;
    const c = canon(k);
    const d = c === want ? 0 : distance(want, c, limit);
    if (d <= limit) scored.push({ code: k, d });
  }
  scored.sort((x, y) => x.d - y.d || (x.code < y.code ? -1 : 1));
  return scored.slice(0, max).map((s) => s.code);
}
