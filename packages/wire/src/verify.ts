/**
 * Structural verification of a record before anyone reads it. FlatBuffers' JS runtime has no
 * verifier, and reading a corrupt buffer can walk off its end or report a vector of a billion
 * elements. This checks, for the envelope and its body, that every table, vtable, string and
 * vector the schema declares lies inside the record's bytes. Scalars are not judged here: the
 * cores validate values (unknown instrument, NaN price) with their own reasons.
 */

import type * as flatbuffers from 'flatbuffers';
import { Body } from './generated/tickline_generated.js';

type FieldSpec = readonly [slot: number, kind: 'str' | 'vec' | 'tables', elemSize: number];

const STR = (slot: number): FieldSpec => [slot, 'str', 1];
const VEC = (slot: number, elem: number): FieldSpec => [slot, 'vec', elem];
const TABLES = (slot: number): FieldSpec => [slot, 'tables', 4];

/** Offset-typed fields of each body table, by field slot (declaration order in the schema). */
const BODY_FIELDS: Readonly<Record<number, readonly FieldSpec[]>> = {
  [Body.RawFrame]: [STR(6), VEC(7, 1)],
  [Body.TradeBatch]: [VEC(6, 40)],
  [Body.QuoteBatch]: [VEC(6, 48)],
  [Body.BookDeltaBatch]: [VEC(12, 16), VEC(13, 16)],
  [Body.BookSnapshot]: [VEC(10, 16), VEC(11, 16)],
  [Body.BookView]: [VEC(12, 16), VEC(13, 16)],
  [Body.Bar]: [],
  [Body.Signal]: [STR(1), STR(4), TABLES(5)],
  [Body.OrderIntent]: [STR(3), STR(12), TABLES(13)],
  [Body.OrderEvent]: [STR(0), STR(1), STR(10)],
  [Body.Fill]: [STR(0), STR(1), STR(2)],
  [Body.Position]: [],
  [Body.DropMark]: [STR(2)],
  [Body.ResyncRequest]: [STR(2)],
  [Body.FeedState]: [STR(3)],
  [Body.StaleMark]: [],
  [Body.HaltMark]: [STR(1)],
};

/** SignalInput tables inside Signal/OrderIntent `inputs`. */
const SIGNAL_INPUT_FIELDS: readonly FieldSpec[] = [STR(0)];

/** Returns the table's vtable position, or -1 if the table header does not fit in [start, end). */
function tableVtable(bb: flatbuffers.ByteBuffer, pos: number, start: number, end: number): number {
  if (pos < start || pos + 4 > end) return -1;
  const vt = pos - bb.readInt32(pos);
  if (vt < start || vt + 4 > end) return -1;
  const vtLen = bb.readUint16(vt);
  if (vtLen < 4 || (vtLen & 1) !== 0 || vt + vtLen > end) return -1;
  if (pos + bb.readUint16(vt + 2) > end) return -1;
  return vt;
}

function fieldPos(bb: flatbuffers.ByteBuffer, pos: number, vt: number, slot: number): number {
  const at = 4 + slot * 2;
  if (at >= bb.readUint16(vt)) return 0;
  const off = bb.readUint16(vt + at);
  return off === 0 ? 0 : pos + off;
}

function checkTable(
  bb: flatbuffers.ByteBuffer,
  pos: number,
  start: number,
  end: number,
  fields: readonly FieldSpec[],
  depth: number,
): boolean {
  const vt = tableVtable(bb, pos, start, end);
  if (vt < 0) return false;
  for (const [slot, kind, elem] of fields) {
    const f = fieldPos(bb, pos, vt, slot);
    if (f === 0) continue;
    if (f + 4 > end) return false;
    const target = f + bb.readUint32(f);
    if (target < start || target + 4 > end) return false;
    const len = bb.readUint32(target);
    if (len > (end - target - 4) / elem) return false;
    if (kind === 'tables') {
      if (depth > 1) return false;
      for (let i = 0; i < len; i++) {
        const e = target + 4 + i * 4;
        if (!checkTable(bb, e + bb.readUint32(e), start, end, SIGNAL_INPUT_FIELDS, depth + 1)) return false;
      }
    }
  }
  return true;
}

/**
 * Verifies the envelope at [start, start+length) of `bb` and returns its body type, or
 * Body.NONE if anything the schema declares would be read outside those bytes. On success,
 * `out.body` holds the body table's position.
 */
export function verifyEnvelope(bb: flatbuffers.ByteBuffer, start: number, length: number, out: { body: number }, trusted = false): Body {
  const end = start + length;
  if (length < 12 || end > bb.capacity()) return Body.NONE;
  const root = start + bb.readUint32(start);
  const vt = tableVtable(bb, root, start, end);
  if (vt < 0) return Body.NONE;
  const typePos = fieldPos(bb, root, vt, 0);
  const bodyPos = fieldPos(bb, root, vt, 1);
  if (typePos === 0 || bodyPos === 0 || typePos + 1 > end || bodyPos + 4 > end) return Body.NONE;
  const type = bb.readUint8(typePos) as Body;
  const fields = BODY_FIELDS[type];
  if (fields === undefined) return Body.NONE;
  const body = bodyPos + bb.readUint32(bodyPos);
  // trusted: the envelope is checked, the body's fields are not (records this process encoded)
  if (!trusted && !checkTable(bb, body, start, end, fields, 0)) return Body.NONE;
  out.body = body;
  return type;
}
