import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Folder of the real-capture fixtures (repository root test/fixtures/captures). */
export const CAPTURES = fileURLToPath(new URL('../../../../test/fixtures/captures/', import.meta.url));

export interface CapFrame {
  kind: 0 | 2;
  context: string | null;
  recvS: number;
  recvNs: number;
  text: string;
  bytes: Uint8Array;
}

/**
 * Independent, deliberately simple reader of the capture line format for the normalize tests
 * (the production reader lives in @tickline/ingest and has its own tests).
 */
export function loadCapture(name: string): CapFrame[] {
  const out: CapFrame[] = [];
  const files = [`${CAPTURES}${name}`];
  const rest = `${CAPTURES}${name.replace(/\.cap$/, '.rest')}`;
  if (name.endsWith('.cap') && existsSync(rest)) files.push(rest);
  for (const f of files) {
    for (const line of readFileSync(f, 'utf8').split('\n')) {
      let m = /^(\d+)(?:\.(\d+))?: (.*)$/.exec(line);
      if (m) {
        out.push(frame(0, null, m[1] as string, m[2] ?? '', m[3] as string));
        continue;
      }
      m = /^\S+?:\/\/[^/]+(\S*) -> (\d+)(?:\.(\d+))?: (.*)$/.exec(line);
      if (m) out.push(frame(2, m[1] as string, m[2] as string, m[3] ?? '', m[4] as string));
    }
  }
  return out.sort((a, b) => a.recvS - b.recvS || a.recvNs - b.recvNs || a.kind - b.kind);
}

function frame(kind: 0 | 2, context: string | null, s: string, frac: string, text: string): CapFrame {
  return { kind, context, recvS: Number(s), recvNs: Number(frac.slice(0, 9).padEnd(9, '0')), text, bytes: Buffer.from(text, 'utf8') };
}

/** A decimal string in shortest form: "0.35130000" -> "0.3513", "6195.000" -> "6195", "00.5" -> "0.5". */
export function norm(s: string): string {
  let t = s.startsWith('+') ? s.slice(1) : s;
  if (t.includes('.')) t = t.replace(/0+$/, '').replace(/\.$/, '');
  t = t.replace(/^(-?)0+(?=\d)/, '$1');
  return t === '-0' ? '0' : t;
}
