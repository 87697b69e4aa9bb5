// STK500v2's recovery after a lost or damaged answer: a resync (SIGN_ON with sequence 1, after filler
// that completes a frame the bootloader may still be reading), then the command again, bounded.
import { FlashError } from '../errors.js';
import type { AbortSignalLike } from '../link/clock.js';
import type { ByteLink } from '../link/byte-link.js';
import type { Pacer } from '../pipeline/pacer.js';
import type { LinkStats, Logger } from '../programmer.js';
import { alsoResync } from '../retry.js';
import { fillerBytes, fillerFor, OVERRUN_FILLER } from './stk500boot.js';
import type { FrameWire } from './wire.js';

/** Resyncs in a row without a good answer before the bootloader counts as lost. */
const RETRIES = 4;
/** Tries of one command on a link that keeps damaging frames. */
const MAX_ATTEMPTS = 10;

/** What recovery needs of the client (read when used: the client may change them). */
export interface V2Recovery {
  logger(): Logger;
  readonly stats: LinkStats;
  pacer(): Pacer;
  link(): ByteLink;
  signal(): AbortSignalLike | undefined;
  wire(): FrameWire;
  /** Sets what the client is doing, for error messages. */
  doing(what: string): void;
  /** SIGN_ON answered, waiting `extraMs` longer than a command's deadline. */
  signOn(extraMs: number): Promise<unknown>;
}

/**
 * Runs `op`, and after a lost or damaged answer re-synchronises and runs it again. A link that
 * damages one frame in three still gets every command through: it goes on while the bootloader
 * answers the resync, up to MAX_ATTEMPTS per command, and gives up after RETRIES resyncs in a row
 * get no answer (the bootloader is gone: only a reset helps). `onOverrun` is told when a resync
 * needed more filler than any honest frame, before `op` runs again.
 */
export async function retrying<T>(r: V2Recovery, op: () => Promise<T>, onOverrun?: () => void): Promise<T> {
  // Resyncs that got no answer at all: the bootloader may still be reading a frame. A damaged
  // answer is not counted there: the bootloader framed SIGN_ON, so it was reading no frame.
  let silentResyncs = 0;
  let failedResyncs = 0;
  for (let attempt = 1; ; attempt++) {
    try {
      return await op();
    } catch (e) {
      if (!(e instanceof FlashError) || (e.code !== 'link-timeout' && e.code !== 'protocol-error') || attempt >= MAX_ATTEMPTS) throw e;
      r.logger().log('info', `STK500v2: ${e.technical ?? e.detail} Re-synchronising (attempt ${attempt + 1} of at most ${MAX_ATTEMPTS}).`);
      r.stats.resyncs++;
      r.pacer().dropBack(`a lost or damaged answer (${e.technical ?? e.detail})`);
      // Silence may mean the bootloader still waits for the rest of a frame that lost a byte, or
      // whose size came in damaged: fill it up first, so that SIGN_ON is read as a frame.
      const filler = e.code === 'link-timeout' ? fillerBytes(silentResyncs) : 0;
      try {
        await resync(r, filler);
        // Only the long filler completed the frame: its size came in larger than the buffer, and
        // the bootloader wrote past it over its own variables (the erase counter among them).
        if (filler >= OVERRUN_FILLER) onOverrun?.();
        silentResyncs = 0;
        failedResyncs = 0;
      } catch (x) {
        if (!(x instanceof FlashError) || (x.code !== 'link-timeout' && x.code !== 'protocol-error')) throw x;
        if (x.code === 'link-timeout') silentResyncs++;
        if (++failedResyncs >= RETRIES) throw alsoResync(e, x);
      }
    }
  }
}

/**
 * The bootloader accepts sequence number 1 at any time; SIGN_ON with it realigns both sides. With
 * `filler`, that many zero bytes go first: they complete a frame the bootloader is still reading
 * (its checksum then fails and it waits for a new start byte, which zeros are not).
 */
async function resync(r: V2Recovery, filler: number): Promise<void> {
  const link = r.link();
  r.doing('re-synchronising with the bootloader');
  let fillerMs = 0;
  if (filler > 0) {
    r.stats.bytesOut += filler;
    await link.write(fillerFor(r.wire().lastFrame, filler));
    fillerMs = (filler * 10 * 1000) / (link.baud ?? 57600);
  }
  await link.drain(20, r.signal());
  r.wire().restart();
  await r.signOn(fillerMs);
}
