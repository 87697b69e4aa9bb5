// The earliest a pipelined command may leave, going by the answer to the one before as it arrives
// rather than by the clock alone: a command held on its way holds its answer too, so the next one,
// sent on time, cannot catch up with it. Worked out from the link's least delay (LinkDelays) and
// the bootloader's byte time.
import type { LinkDelays } from './link-delays.js';

/** Bytes a bootloader's UART holds while it is busy (a 2-byte FIFO and the shift register). */
const UART_HOLDS = 3;

/** What the times below need to know of the session. */
export interface ClearContext {
  readonly link: LinkDelays;
  /** One byte's time on the bootloader's wire at its nominal rate, and at the fastest a UART sends. */
  readonly byteMs: number;
  readonly fastestByteMs: number;
}

/** The link's least delay, less what so few samples may have missed. */
function leastDelay(link: LinkDelays): number {
  return Math.max(0, link.least - link.unseenMs);
}

/**
 * The earliest the next page read may leave while the answer before it arrives, `got` of its
 * `total` bytes in by `lastAt`: that answer began no later than those bytes allow (at the fastest
 * a UART sends), ends on the board `total` bytes after, and the next command takes the link's
 * least delay at least to get there. No margin: the bootloader listens again as its last byte
 * starts out, and its UART holds two bytes more.
 */
export function readClearAfter(x: ClearContext, lastAt: number, got: number, total: number): number {
  return lastAt - Math.min(got, total) * x.fastestByteMs + total * x.byteMs - leastDelay(x.link);
}

/**
 * The earliest the next page write may leave once some of the answer to the one before is in, its
 * last byte by `lastAt`, after `before` bytes at least had to pass on the bootloader's wire from the
 * page's first byte in (see stk500v1's bytesBefore): the page began to arrive no later than those
 * bytes allow, the bootloader listens again `busyMs` (the learnt page time) after that and its UART
 * holds three bytes more, and the next page takes the link's least delay at least to get there. A
 * page held on its way holds the answer to its first command (its address), which comes long before
 * the page is done, so the next page cannot catch up with it.
 */
export function writeClearAfter(x: ClearContext, lastAt: number, before: number, busyMs: number): number {
  return lastAt - before * x.fastestByteMs + busyMs - UART_HOLDS * x.byteMs - leastDelay(x.link);
}
