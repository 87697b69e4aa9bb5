// The earliest a pipelined command may leave, going by the answer to the one before as it arrives
// rather than by the clock alone: a command held on its way holds its answer too, so the next one,
// sent on time, cannot catch up with it. Worked out from the link's least delay (LinkDelays) and
// the bootloader's byte time.
import type { LinkDelays } from './link-delays.js';

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
