/**
 * parseDecimal over a range of a frame's bytes (no decode, no substring), for hand-written
 * scanners. Same contract as `parseDecimal` of @tickline/wire on the same text: plain decimal
 * text, NaN for anything else (any byte that is not a digit, a point or a leading sign), for
 * non-zero digits beyond `scale`, or for a mantissa reaching 2^53.
 */
const POW10 = [1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18];
const MAX_MANTISSA = 2 ** 53;

export function parseDecimalRange(bytes: Uint8Array, start: number, end: number, scale: number): number {
  let i = start;
  if (i >= end) return Number.NaN;
  let negative = false;
  let c = bytes[i] as number;
  if (c === 45) {
    negative = true;
    i++;
  } else if (c === 43) {
    i++;
  }
  let mantissa = 0;
  let digits = 0;
  let frac = -1;
  for (; i < end; i++) {
    c = bytes[i] as number;
    if (c >= 48 && c <= 57) {
      if (frac >= 0) {
        if (frac >= scale) {
          if (c !== 48) return Number.NaN;
          continue;
        }
        frac++;
      }
      mantissa = mantissa * 10 + (c - 48);
      digits++;
    } else if (c === 46 && frac < 0) {
      frac = 0;
    } else {
      return Number.NaN;
    }
  }
  if (digits === 0) return Number.NaN;
  const pad = scale - Math.max(frac, 0);
  if (pad > 0) mantissa *= POW10[pad] as number;
  if (!(mantissa < MAX_MANTISSA)) return Number.NaN;
  return negative ? -mantissa : mantissa;
}
