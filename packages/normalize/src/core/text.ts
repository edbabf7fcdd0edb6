import { Buffer } from 'node:buffer';

/**
 * Frame bytes to text. TextDecoder refuses views on a SharedArrayBuffer in Node 20, so this
 * slices through a Buffer over the whole backing store, kept while frames keep coming from the
 * same buffer (a ring): no per-frame Buffer object.
 */
export class FrameText {
  #backing: ArrayBufferLike | null = null;
  #buf: Buffer = Buffer.alloc(0);

  decode(bytes: Uint8Array): string {
    const ab = bytes.buffer;
    if (ab !== this.#backing) {
      this.#buf = Buffer.from(ab);
      this.#backing = ab;
    }
    return this.#buf.toString('utf8', bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  }
}
