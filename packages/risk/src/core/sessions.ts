/**
 * Trading sessions per instrument class (case study: pre-market, regular and after-hours have
 * different rules). Windows are local exchange time, given as a fixed UTC offset.
 */

import type { SessionClass, SessionName } from '../config.js';

const DAY_MS = 86_400_000;

function minutes(hhmm: string): number {
  return Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
}

/** [start, end) minutes of a 'HH:MM-HH:MM' window; null stays null. */
export function parseWindow(w: string | null): [number, number] | null {
  if (w === null) return null;
  return [minutes(w.slice(0, 5)), minutes(w.slice(6, 11))];
}

export class SessionClock {
  readonly #windows: [SessionName, [number, number]][] = [];
  constructor(readonly cls: SessionClass) {
    for (const name of ['regular', 'preMarket', 'afterHours'] as const) {
      const w = parseWindow(cls[name]);
      if (w) this.#windows.push([name, w]);
    }
  }

  /** The session at epoch ms `nowMs`. */
  at(nowMs: number): SessionName {
    const local = nowMs + this.cls.utcOffsetMinutes * 60_000;
    if (this.cls.weekdaysOnly) {
      const dow = (Math.floor(local / DAY_MS) + 4) % 7; // 1970-01-01 was a Thursday
      if (dow === 0 || dow === 6) return 'closed';
    }
    const m = Math.floor((((local % DAY_MS) + DAY_MS) % DAY_MS) / 60_000);
    for (const [name, [a, b]] of this.#windows) if (m >= a && m < b) return name;
    return 'closed';
  }
}
