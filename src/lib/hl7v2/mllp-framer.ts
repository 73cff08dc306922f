import { MllpError } from './errors.js';

// MLLP (HL7 v2.5.1 Appendix C.4; MLLP Release 2): <VT> message bytes <FS><CR>. TCP delivers bytes, not
// frames: one read may hold half a frame, several frames, or a frame whose FS and CR arrive apart.

export const VT = 0x0b;
export const FS = 0x1c;
export const CR = 0x0d;

/** One message as bytes inside the MLLP envelope. */
export function frame(message: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(message.length + 3);
  out[0] = VT;
  out.set(message, 1);
  out[message.length + 1] = FS;
  out[message.length + 2] = CR;
  return out;
}

/**
 * Cuts a byte stream into frames. Whitespace between frames is ignored (some senders add CR LF); any other
 * byte outside a frame, a start block inside a frame (the previous one was truncated) or a frame beyond
 * `maxFrameBytes` is an MllpError: the stream can no longer be trusted, so the caller closes it.
 */
export class MllpFramer {
  private parts: Buffer[] = [];
  private size = 0;
  private inFrame = false;
  /** An FS was the last byte of the previous chunk: the frame ends if the next byte is CR. */
  private pendingFs = false;
  private failed = false;

  constructor(private readonly maxFrameBytes: number) {}

  /**
   * The frames this chunk completes, in order, and the error that ended the stream, if any (frames before
   * it are still good and are answered).
   */
  push(chunk: Uint8Array): { frames: Buffer[]; error?: MllpError } {
    if (this.failed) return { frames: [] };
    const frames: Buffer[] = [];
    const bytes = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    let i = 0;
    try {
      while (i < bytes.length) {
        if (this.pendingFs) {
          this.pendingFs = false;
          if (bytes[i] !== CR) throw new MllpError('FS not followed by CR', 'outside-frame');
          frames.push(this.finish());
          i++;
          continue;
        }
        if (!this.inFrame) {
          const b = bytes[i]!;
          if (b === VT) this.inFrame = true;
          else if (b !== CR && b !== 0x0a && b !== 0x20 && b !== 0x09) {
            throw new MllpError('bytes outside an MLLP frame (no start block)', 'outside-frame');
          }
          i++;
          continue;
        }
        const end = bytes.indexOf(FS, i);
        const stop = end === -1 ? bytes.length : end;
        const vt = bytes.indexOf(VT, i);
        if (vt !== -1 && vt < stop)
          throw new MllpError('start block inside a frame: truncated frame', 'truncated');
        this.append(bytes.subarray(i, stop));
        if (end === -1) break;
        if (end + 1 === bytes.length) {
          this.pendingFs = true;
          break;
        }
        if (bytes[end + 1] !== CR) throw new MllpError('FS not followed by CR', 'outside-frame');
        frames.push(this.finish());
        i = end + 2;
      }
    } catch (error) {
      this.failed = true;
      this.parts = [];
      return { frames, error: error as MllpError };
    }
    return { frames };
  }

  /** Bytes of a frame begun but not ended (a truncated frame when the stream ends now). */
  get pendingBytes(): number {
    return this.inFrame ? this.size : 0;
  }

  private append(part: Buffer): void {
    if (part.length === 0) return;
    this.size += part.length;
    if (this.size > this.maxFrameBytes) {
      throw new MllpError(`frame larger than ${this.maxFrameBytes} bytes`, 'too-large');
    }
    // Copy: the socket may reuse its buffer.
    this.parts.push(Buffer.from(part));
  }

  private finish(): Buffer {
    const message = this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts, this.size);
    this.parts = [];
    this.size = 0;
    this.inFrame = false;
    return message;
  }
}
