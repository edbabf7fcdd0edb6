/**
 * The tickline recording format, version 1 (docs/recording.md): a file header, then
 * independently compressed, CRC-checked blocks of length-prefixed raw-frame records. All integers
 * are little-endian.
 *
 *     file    = header block*
 *     header  = magic[8] "\x89TKLREC\n" | u16 version | u16 flags (0) | u32 jsonBytes | u32 crc32(json) | json
 *     block   = u8[4] "TKB1" | u32 payloadBytes | u32 rawBytes | u32 records | u8 codec | u8[3] 0
 *               | u32 crc32(payload) | u32 crc32(the 24 bytes before) | payload
 *     record  = u32 rest | u32 recvS | u32 recvNs | u32 connId | u32 frameSeq | u8 kind | u8 flags
 *               | u16 contextBytes | context (UTF-8) | bytes          (rest counts everything after itself)
 *
 * flags bit 0: the record has a context (REST path and query); without it context is null.
 */

import { crc32 } from 'node:zlib';
import type { InstrumentSpec, VenueName } from '@tickline/wire';
import { RecordingError } from './errors.js';

export const FILE_MAGIC: Buffer = Buffer.from([0x89, 0x54, 0x4b, 0x4c, 0x52, 0x45, 0x43, 0x0a]);
export const FORMAT_VERSION = 1;
export const FILE_HEADER_FIXED_BYTES = 20;
/** Header JSON larger than this is refused as corrupt (a 100k-instrument list is ~12 MiB). */
export const MAX_HEADER_JSON_BYTES = 64 * 1024 * 1024;

export const BLOCK_MAGIC: Buffer = Buffer.from('TKB1', 'latin1');
export const BLOCK_HEADER_BYTES = 28;
/** A block's raw payload may not exceed this (a reader refuses larger lengths as corrupt). */
export const MAX_BLOCK_RAW_BYTES = 256 * 1024 * 1024;

export const RECORD_FIXED_BYTES = 24;
const RECORD_REST_FIXED = RECORD_FIXED_BYTES - 4;
const FLAG_CONTEXT = 1;
export const MAX_CONTEXT_BYTES = 0xffff;

export const CODECS = ['none', 'deflate', 'gzip', 'brotli'] as const;
export type Codec = (typeof CODECS)[number];

export function codecId(c: Codec): number {
  return CODECS.indexOf(c);
}

/** What a recording's header says about it (JSON in the file). */
export interface RecordingHeader {
  readonly format: 'tickline-recording';
  readonly version: number;
  readonly venue: VenueName;
  /** When the file was opened: epoch milliseconds. */
  readonly createdMs: number;
  /** The venue's instrument list at record time (ids included), or null when it was not known. */
  readonly instruments: readonly InstrumentSpec[] | null;
  /** Venue codes subscribed at record time. */
  readonly symbols: readonly string[];
  readonly codec: Codec;
  /** Free-form facts about the session (URLs, channels, tool version). */
  readonly meta: Readonly<Record<string, unknown>>;
}

/** One raw frame as recorded. `bytes` stays valid for as long as the caller keeps it. */
export interface RecordedFrame {
  readonly recvS: number;
  readonly recvNs: number;
  readonly connId: number;
  readonly frameSeq: number;
  /** 0 WebSocket text, 1 WebSocket binary, 2 REST response. */
  readonly kind: number;
  readonly context: string | null;
  readonly bytes: Uint8Array;
}

export function encodeFileHeader(header: RecordingHeader): Buffer {
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const out = Buffer.allocUnsafe(FILE_HEADER_FIXED_BYTES + json.length);
  FILE_MAGIC.copy(out, 0);
  out.writeUInt16LE(FORMAT_VERSION, 8);
  out.writeUInt16LE(0, 10);
  out.writeUInt32LE(json.length, 12);
  out.writeUInt32LE(crc32(json), 16);
  json.copy(out, FILE_HEADER_FIXED_BYTES);
  return out;
}

/** Checks the fixed part of a file header; returns the JSON length. Throws a RecordingError. */
export function checkFileHeaderFixed(b: Buffer, file: string): { jsonBytes: number; jsonCrc: number } {
  if (b.length < FILE_HEADER_FIXED_BYTES || !b.subarray(0, 8).equals(FILE_MAGIC))
    throw new RecordingError('ERR_RECORDING_NOT_A_RECORDING', `${file} is not a tickline recording (bad magic)`);
  const version = b.readUInt16LE(8);
  if (version !== FORMAT_VERSION)
    throw new RecordingError(
      'ERR_RECORDING_UNSUPPORTED_VERSION',
      `${file}: recording version ${version}; this build reads ${FORMAT_VERSION}`,
    );
  const jsonBytes = b.readUInt32LE(12);
  if (jsonBytes > MAX_HEADER_JSON_BYTES)
    throw new RecordingError('ERR_RECORDING_BAD_HEADER', `${file}: header length ${jsonBytes} is implausible (corrupt header)`);
  return { jsonBytes, jsonCrc: b.readUInt32LE(16) };
}

export function decodeHeaderJson(json: Buffer, crc: number, file: string): RecordingHeader {
  if (crc32(json) !== crc) throw new RecordingError('ERR_RECORDING_BAD_HEADER', `${file}: header CRC mismatch (corrupt header)`);
  let h: unknown;
  try {
    h = JSON.parse(json.toString('utf8'));
  } catch (err) {
    throw new RecordingError('ERR_RECORDING_BAD_HEADER', `${file}: header is not JSON`, { cause: err });
  }
  const o = h as Partial<RecordingHeader> | null;
  if (o === null || typeof o !== 'object' || o.format !== 'tickline-recording' || typeof o.venue !== 'string')
    throw new RecordingError('ERR_RECORDING_BAD_HEADER', `${file}: header lacks format/venue`);
  return {
    format: 'tickline-recording',
    version: typeof o.version === 'number' ? o.version : FORMAT_VERSION,
    venue: o.venue,
    createdMs: typeof o.createdMs === 'number' ? o.createdMs : 0,
    instruments: Array.isArray(o.instruments) ? o.instruments : null,
    symbols: Array.isArray(o.symbols) ? o.symbols.filter((s): s is string => typeof s === 'string') : [],
    codec: CODECS.includes(o.codec as Codec) ? (o.codec as Codec) : 'deflate',
    meta: o.meta !== null && typeof o.meta === 'object' ? o.meta : {},
  };
}

/** Writes a block header for `payload` into `out` (28 bytes). */
export function writeBlockHeader(out: Buffer, payload: Uint8Array, rawBytes: number, records: number, codec: number): void {
  BLOCK_MAGIC.copy(out, 0);
  out.writeUInt32LE(payload.length, 4);
  out.writeUInt32LE(rawBytes, 8);
  out.writeUInt32LE(records, 12);
  out.writeUInt8(codec, 16);
  out.writeUInt8(0, 17);
  out.writeUInt16LE(0, 18);
  out.writeUInt32LE(crc32(payload), 20);
  out.writeUInt32LE(crc32(out.subarray(0, 24)), 24);
}

export interface BlockHeader {
  readonly payloadBytes: number;
  readonly rawBytes: number;
  readonly records: number;
  readonly codec: number;
  readonly payloadCrc: number;
}

/** Parses a block header at `b[at..at+28)`, or returns the reason it is not a valid one. */
export function readBlockHeader(b: Buffer, at: number): BlockHeader | string {
  if (b.length - at < BLOCK_HEADER_BYTES) return 'truncated block header';
  if (b.compare(BLOCK_MAGIC, 0, 4, at, at + 4) !== 0) return 'bad block magic';
  if (crc32(b.subarray(at, at + 24)) !== b.readUInt32LE(at + 24)) return 'block header CRC mismatch';
  const h = {
    payloadBytes: b.readUInt32LE(at + 4),
    rawBytes: b.readUInt32LE(at + 8),
    records: b.readUInt32LE(at + 12),
    codec: b.readUInt8(at + 16),
    payloadCrc: b.readUInt32LE(at + 20),
  };
  if (h.codec >= CODECS.length) return `unknown codec ${h.codec}`;
  if (h.rawBytes > MAX_BLOCK_RAW_BYTES || h.payloadBytes > MAX_BLOCK_RAW_BYTES + 65536) return 'implausible block length';
  return h;
}

/** Bytes a frame takes as a record. */
export function recordBytes(contextBytes: number, bytes: number): number {
  return RECORD_FIXED_BYTES + contextBytes + bytes;
}

/** Encodes one record at `at` (the caller made room); returns the new offset. */
export function writeRecord(out: Buffer, at: number, f: RecordedFrame, context: Buffer | null): number {
  const ctxLen = context === null ? 0 : context.length;
  const rest = RECORD_REST_FIXED + ctxLen + f.bytes.length;
  out.writeUInt32LE(rest, at);
  out.writeUInt32LE(f.recvS >>> 0, at + 4);
  out.writeUInt32LE(f.recvNs >>> 0, at + 8);
  out.writeUInt32LE(f.connId >>> 0, at + 12);
  out.writeUInt32LE(f.frameSeq >>> 0, at + 16);
  out[at + 20] = f.kind & 0xff;
  out[at + 21] = context === null ? 0 : FLAG_CONTEXT;
  out.writeUInt16LE(ctxLen, at + 22);
  let p = at + RECORD_FIXED_BYTES;
  if (context !== null) p += context.copy(out, p);
  out.set(f.bytes, p);
  return p + f.bytes.length;
}

/**
 * Decodes every record of a block's raw payload. Returns the records, or a reason when the
 * payload does not hold exactly `expected` well-formed records (the block is then corrupt).
 */
export function decodeRecords(raw: Buffer, expected: number): RecordedFrame[] | string {
  const out: RecordedFrame[] = [];
  let at = 0;
  while (at < raw.length) {
    if (raw.length - at < RECORD_FIXED_BYTES) return `record ${out.length} truncated`;
    const rest = raw.readUInt32LE(at);
    const ctxLen = raw.readUInt16LE(at + 22);
    const end = at + 4 + rest;
    if (rest < RECORD_REST_FIXED + ctxLen || end > raw.length) return `record ${out.length} has a bad length`;
    const hasCtx = (raw[at + 21] as number) & FLAG_CONTEXT;
    const ctxStart = at + RECORD_FIXED_BYTES;
    out.push({
      recvS: raw.readUInt32LE(at + 4),
      recvNs: raw.readUInt32LE(at + 8),
      connId: raw.readUInt32LE(at + 12),
      frameSeq: raw.readUInt32LE(at + 16),
      kind: raw[at + 20] as number,
      context: hasCtx ? raw.toString('utf8', ctxStart, ctxStart + ctxLen) : null,
      bytes: raw.subarray(ctxStart + ctxLen, end),
    });
    at = end;
  }
  if (out.length !== expected) return `block says ${expected} records, payload holds ${out.length}`;
  return out;
}
