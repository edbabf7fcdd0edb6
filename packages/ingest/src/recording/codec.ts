/** Block compression: node:zlib only. Compression runs on libuv's pool; decompression is synchronous. */

import { promisify } from 'node:util';
import { brotliCompress, brotliDecompressSync, constants, deflateRaw, gunzipSync, gzip, inflateRawSync, type ZlibOptions } from 'node:zlib';
import { type Codec, CODECS } from './format.js';

const deflateRawAsync = promisify(deflateRaw);
const gzipAsync = promisify(gzip);
const brotliAsync = promisify(brotliCompress);

/** Compresses one block's raw payload off the event loop. `level`: zlib 0-9 or brotli 0-11. */
export async function compressBlock(codec: Codec, raw: Buffer, level: number): Promise<Buffer> {
  switch (codec) {
    case 'none':
      return raw;
    case 'deflate':
      return deflateRawAsync(raw, { level } satisfies ZlibOptions);
    case 'gzip':
      return gzipAsync(raw, { level } satisfies ZlibOptions);
    case 'brotli':
      return brotliAsync(raw, {
        params: {
          [constants.BROTLI_PARAM_QUALITY]: level,
          [constants.BROTLI_PARAM_SIZE_HINT]: raw.length,
          [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
        },
      });
  }
}

/**
 * Decompresses a block payload that must inflate to exactly `rawBytes` bytes. Returns the raw
 * payload, or a reason when it does not (a corrupt block; never throws).
 */
export function decompressBlock(codecId: number, payload: Buffer, rawBytes: number): Buffer | string {
  const codec = CODECS[codecId];
  try {
    let raw: Buffer;
    // maxOutputLength bounds memory on a corrupt length; one spare byte detects "inflates to more".
    const max = { maxOutputLength: Math.max(1, rawBytes + 1) };
    if (codec === 'none') raw = payload;
    else if (codec === 'deflate') raw = inflateRawSync(payload, max);
    else if (codec === 'gzip') raw = gunzipSync(payload, max);
    else if (codec === 'brotli') raw = brotliDecompressSync(payload, max);
    else return `unknown codec ${codecId}`;
    if (raw.length !== rawBytes) return `payload inflates to ${raw.length} bytes, header says ${rawBytes}`;
    return raw;
  } catch (err) {
    return `payload does not decompress: ${(err as Error).message}`;
  }
}

export function defaultLevel(codec: Codec): number {
  return codec === 'brotli' ? 5 : 6;
}
