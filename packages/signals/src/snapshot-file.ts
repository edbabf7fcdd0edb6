/**
 * The market-view snapshot on disk (case study: "dump the in-memory state compressed, reload on
 * restart"): JSON deflated with zlib, written to a temp file, fsync'd and renamed over the old
 * one, so a crash mid-write leaves the previous snapshot intact.
 */

import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { deflateSync, inflateSync } from 'node:zlib';

export function writeSnapshotFile(path: string, state: unknown): number {
  const bytes = deflateSync(Buffer.from(JSON.stringify(state)));
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp`;
  const fd = openSync(tmp, 'w');
  try {
    writeSync(fd, bytes);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
  return bytes.length;
}

/** The snapshot, or undefined if there is none. Throws on a corrupt file. */
export function readSnapshotFile(path: string): unknown {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  return JSON.parse(inflateSync(bytes).toString('utf8'));
}
