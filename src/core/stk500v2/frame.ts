// STK500v2 message framing (AVR068 section 5): MESSAGE_START, SEQUENCE_NUMBER, MESSAGE_SIZE (2 bytes,
// big-endian), TOKEN, MESSAGE_BODY, CHECKSUM (XOR of all bytes before it). The decoder is a pure
// state machine fed with arbitrary chunks; it skips garbage and reports bad frames instead of throwing.
import { MAX_BODY, MESSAGE_START, TOKEN } from './constants.js';

export function encodeFrame(sequence: number, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(body.length + 6);
  out[0] = MESSAGE_START;
  out[1] = sequence & 0xff;
  out[2] = (body.length >> 8) & 0xff;
  out[3] = body.length & 0xff;
  out[4] = TOKEN;
  out.set(body, 5);
  let sum = 0;
  for (let i = 0; i < out.length - 1; i++) sum ^= out[i] ?? 0;
  out[out.length - 1] = sum;
  return out;
}

export type DecodedFrame =
  | { readonly kind: 'frame'; readonly sequence: number; readonly body: Uint8Array }
  | { readonly kind: 'bad-checksum'; readonly sequence: number }
  | { readonly kind: 'bad-token'; readonly sequence: number }
  | { readonly kind: 'too-long'; readonly size: number };

const enum State {
  Start,
  Sequence,
  SizeHigh,
  SizeLow,
  Token,
  Body,
  Checksum,
}

export class FrameDecoder {
  private state = State.Start;
  private sequence = 0;
  private size = 0;
  private body = new Uint8Array(0);
  private filled = 0;
  private sum = 0;
  /** Bytes skipped while looking for MESSAGE_START, since the last reset(). */
  skipped = 0;

  constructor(private readonly maxBody = MAX_BODY + 16) {}

  reset(): void {
    this.state = State.Start;
    this.skipped = 0;
  }

  /** Part of a frame is in. */
  get midFrame(): boolean {
    return this.state !== State.Start;
  }

  /** Bytes of the frame in progress (0 between frames). */
  get partialBytes(): number {
    if (this.state === State.Body) return 5 + this.filled;
    if (this.state === State.Checksum) return 5 + this.size;
    return this.state;
  }

  /** Feeds bytes; returns every frame (or framing failure) completed by them, in order. */
  push(bytes: Uint8Array): DecodedFrame[] {
    const out: DecodedFrame[] = [];
    for (let i = 0; i < bytes.length; i++) {
      const b = bytes[i] ?? 0;
      switch (this.state) {
        case State.Start:
          if (b === MESSAGE_START) {
            this.sum = b;
            this.state = State.Sequence;
          } else {
            this.skipped++;
          }
          break;
        case State.Sequence:
          this.sequence = b;
          this.sum ^= b;
          this.state = State.SizeHigh;
          break;
        case State.SizeHigh:
          this.size = b << 8;
          this.sum ^= b;
          this.state = State.SizeLow;
          break;
        case State.SizeLow:
          this.size |= b;
          this.sum ^= b;
          if (this.size > this.maxBody) {
            out.push({ kind: 'too-long', size: this.size });
            this.state = State.Start;
          } else {
            this.state = State.Token;
          }
          break;
        case State.Token:
          if (b !== TOKEN) {
            out.push({ kind: 'bad-token', sequence: this.sequence });
            this.state = State.Start;
            break;
          }
          this.sum ^= b;
          this.body = new Uint8Array(this.size);
          this.filled = 0;
          this.state = this.size === 0 ? State.Checksum : State.Body;
          break;
        case State.Body: {
          const take = Math.min(this.size - this.filled, bytes.length - i);
          const part = bytes.subarray(i, i + take);
          this.body.set(part, this.filled);
          for (let k = 0; k < part.length; k++) this.sum ^= part[k] ?? 0;
          this.filled += take;
          i += take - 1;
          if (this.filled === this.size) this.state = State.Checksum;
          break;
        }
        case State.Checksum:
          out.push(
            b === this.sum
              ? { kind: 'frame', sequence: this.sequence, body: this.body }
              : { kind: 'bad-checksum', sequence: this.sequence },
          );
          this.state = State.Start;
          break;
      }
    }
    return out;
  }
}
