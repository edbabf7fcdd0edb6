/**
 * Venue timestamps to split wall-clock time (whole seconds + nanoseconds within the second),
 * without Date objects or float rounding. Each parser writes into a caller-owned `SplitTime`.
 * Functions return false when the input is not a time they can read.
 */

export interface SplitTime {
  s: number;
  ns: number;
}

/** Epoch milliseconds (integer, number or digit string) into `out`. */
export function msInto(ms: unknown, out: SplitTime): boolean {
  let v: number;
  if (typeof ms === 'number') v = ms;
  else if (typeof ms === 'string' && ms.length > 0 && ms.length < 17) v = digitsValue(ms);
  else return false;
  if (!Number.isSafeInteger(v) || v < 0) return false;
  const s = Math.floor(v / 1000);
  out.s = s;
  out.ns = (v - s * 1000) * 1_000_000;
  return true;
}

function digitsValue(text: string): number {
  let v = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return Number.NaN;
    v = v * 10 + c;
  }
  return v;
}

/** Epoch seconds with an optional fraction ("1618678133.136361", Kraken v1) into `out`. */
export function secFracInto(text: unknown, out: SplitTime): boolean {
  if (typeof text !== 'string') return false;
  const n = text.length;
  let s = 0;
  let i = 0;
  for (; i < n; i++) {
    const c = text.charCodeAt(i) - 48;
    if (c < 0 || c > 9) break;
    s = s * 10 + c;
  }
  if (i === 0 || i > 12) return false;
  let ns = 0;
  if (i < n) {
    if (text.charCodeAt(i) !== 46) return false;
    let scale = 100_000_000;
    for (i++; i < n; i++) {
      const c = text.charCodeAt(i) - 48;
      if (c < 0 || c > 9) return false;
      ns += c * scale;
      scale /= 10;
      if (scale < 1) scale = 0; // digits past nanoseconds are dropped (truncation)
    }
  }
  out.s = s;
  out.ns = Math.floor(ns);
  return true;
}

/** Days from 1970-01-01 to the proleptic Gregorian date (Howard Hinnant's days_from_civil). */
function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

function num(text: string, from: number, len: number): number {
  let v = 0;
  for (let i = from; i < from + len; i++) {
    const c = text.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

/**
 * RFC 3339 UTC time ("2021-04-17T16:43:37.075687Z", up to nanoseconds; `Z` or `+hh:mm`/`-hh:mm`)
 * into `out`, exact to the nanosecond.
 */
export function isoInto(text: unknown, out: SplitTime): boolean {
  if (typeof text !== 'string' || text.length < 20) return false;
  const y = num(text, 0, 4);
  const mo = num(text, 5, 2);
  const d = num(text, 8, 2);
  const h = num(text, 11, 2);
  const mi = num(text, 14, 2);
  const se = num(text, 17, 2);
  if (y < 0 || mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23 || mi < 0 || mi > 59 || se < 0 || se > 60) return false;
  const t = text.charCodeAt(10);
  if (text.charCodeAt(4) !== 45 || text.charCodeAt(7) !== 45 || (t !== 84 && t !== 116 && t !== 32)) return false;
  let i = 19;
  let ns = 0;
  if (text.charCodeAt(i) === 46) {
    let scale = 100_000_000;
    for (i++; i < text.length; i++) {
      const c = text.charCodeAt(i) - 48;
      if (c < 0 || c > 9) break;
      ns += c * scale;
      scale = scale >= 10 ? scale / 10 : 0;
    }
  }
  let offset = 0;
  const z = text.charCodeAt(i);
  if (z === 90 || z === 122) {
    if (i + 1 !== text.length) return false;
  } else if ((z === 43 || z === 45) && i + 6 === text.length) {
    const oh = num(text, i + 1, 2);
    const om = num(text, i + 4, 2);
    if (oh < 0 || om < 0) return false;
    offset = (oh * 60 + om) * 60 * (z === 43 ? 1 : -1);
  } else {
    return false;
  }
  out.s = daysFromCivil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se - offset;
  out.ns = ns;
  return true;
}
