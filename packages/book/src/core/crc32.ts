/**
 * CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320), table-driven, over bytes. Venue book
 * checksums (Kraken, OKX) are CRC-32 of ASCII text, so callers hand in ASCII bytes.
 */
const TABLE = (() => {
  const t = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c;
  }
  return t;
})();

/** CRC-32 of bytes[start, end), unsigned (0 .. 2^32-1). */
export function crc32(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let c = -1;
  for (let i = start; i < end; i++) c = (TABLE[(c ^ (bytes[i] as number)) & 0xff] as number) ^ (c >>> 8);
  return (c ^ -1) >>> 0;
}

/** CRC-32 of an ASCII/Latin-1 string (char codes truncated to bytes), unsigned. */
export function crc32String(text: string): number {
  let c = -1;
  for (let i = 0; i < text.length; i++) c = (TABLE[(c ^ text.charCodeAt(i)) & 0xff] as number) ^ (c >>> 8);
  return (c ^ -1) >>> 0;
}

/** The same 32 bits read as a signed integer (OKX publishes signed checksums). */
export function toSigned32(crc: number): number {
  return crc | 0;
}
