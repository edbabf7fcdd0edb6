import type { FrameKindCode } from './frame.js';

/**
 * One venue dialect. `onMessage` gets the frame already decoded from JSON; it fills its own
 * drafts and writes through the ParseContext it was built with. It must never throw on any input.
 */
export interface VenueParser {
  onMessage(msg: unknown, kind: FrameKindCode, context: string | null): void;
  /**
   * Optional fast path on the frame's UTF-8 bytes, tried before the text decode and JSON.parse
   * for live text frames. Returns true when it fully handled the frame; false leaves the frame
   * to the JSON path untouched (it must not have emitted or rejected anything then).
   */
  fast?(bytes: Uint8Array): boolean;
}
