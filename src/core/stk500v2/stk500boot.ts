// What stk500boot.c (the ATmega2560's 'wiring' bootloader) does that its client must allow for: the
// flash region it never erases, and the filler that completes a frame it is still reading after a
// byte was lost on the way.
import * as K from './constants.js';

/**
 * stk500boot.c never erases from APP_END (FLASHEND + 1 - 2 * BOOTSIZE, BOOTSIZE 8 KiB above 60 KiB
 * of flash, else 2 KiB) up to the bootloader: pages there are written over whatever they held.
 */
export function neverErasedRegion(flashBytes: number): { readonly start: number; readonly end: number } {
  const bootSize = flashBytes > 0xf000 ? 8192 : 2048;
  return { start: flashBytes - 2 * bootSize, end: flashBytes - bootSize };
}

/**
 * Filler bytes sent before each resync after a timeout, by how many resyncs before it got no answer
 * (see fillerFor): enough for the rest of any frame that lost a byte (a body is at most 265 bytes),
 * the same again for a SIGN_ON that lost a byte of its own, then enough for a frame whose size's high
 * byte had bit 0-3 flipped (stk500boot does not bound the size: a larger one overruns its buffer).
 */
const FILLER_BYTES = [300, 300, 4400] as const;
/** A resync that needed this much filler completed a frame longer than stk500boot's buffer. */
export const OVERRUN_FILLER = 4400;

export function fillerBytes(silentResyncs: number): number {
  return FILLER_BYTES[Math.min(silentResyncs, FILLER_BYTES.length - 1)] ?? OVERRUN_FILLER;
}

/**
 * Bytes to complete a frame the bootloader is still reading. When one byte b of `frame` was lost,
 * the bootloader has taken the frame's checksum byte as its last body byte and XORed all of the
 * frame but b, so the next byte it reads is compared against b: the first filler byte is a value
 * that occurs nowhere in the frame, so that the comparison fails and the damaged frame is never
 * carried out (a 0 would let a frame that lost one of its zeros through, with its data shifted).
 * The second is the same value, for a frame that lost two bytes. Neither is MESSAGE_START, so a
 * bootloader already waiting for a new frame ignores them; the rest are zeros.
 */
export function fillerFor(frame: Uint8Array, bytes: number): Uint8Array {
  const filler = new Uint8Array(bytes);
  const present = new Uint8Array(256);
  for (const b of frame) present[b] = 1;
  for (let v = 1; v < 256; v++) {
    if (!present[v] && v !== K.MESSAGE_START) {
      filler.fill(v, 0, Math.min(2, bytes));
      break;
    }
  }
  return filler;
}
