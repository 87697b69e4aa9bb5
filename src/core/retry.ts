// What the protocol clients share about recovery: the loop that sends a command again after a lost or
// damaged answer (link-timeout, protocol-error) and a resync, a bounded number of times (AVR109 uses
// it; the STK500 clients run their own, longer ones), and the words for a resync that failed too.
import { FlashError } from './errors.js';
import type { LinkStats, Logger } from './programmer.js';

export const COMMAND_RETRIES = 3;

/** A lost or damaged answer: worth a resync and another try. */
export function isLinkGlitch(e: unknown): e is FlashError {
  return e instanceof FlashError && (e.code === 'link-timeout' || e.code === 'protocol-error');
}

export interface RetryContext {
  /** "STK500v2", for the log line. */
  readonly name: string;
  readonly logger: Logger;
  readonly stats: LinkStats;
  /** Realigns client and bootloader; a glitch in it is tolerated until the last attempt. */
  resync(): Promise<void>;
}

export async function retryAfterResync<T>(op: () => Promise<T>, ctx: RetryContext): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await op();
    } catch (e) {
      if (!isLinkGlitch(e) || attempt > COMMAND_RETRIES) throw e;
      ctx.logger.log('info', `${ctx.name}: ${e.detail} Re-synchronising (attempt ${attempt} of ${COMMAND_RETRIES}).`);
      ctx.stats.resyncs++;
      await ctx.resync().catch((r: unknown) => {
        if (!isLinkGlitch(r) || attempt >= COMMAND_RETRIES) throw r;
      });
    }
  }
}

/** The failure that ended a command, in its words, with what the resync after it met (a user's "why"). */
export function alsoResync(e: FlashError, r: unknown): unknown {
  if (!(r instanceof FlashError) || (r.code !== 'link-timeout' && r.code !== 'protocol-error')) return r;
  const what = r.code === 'link-timeout' ? 'got no answer either' : 'got a garbled answer';
  return new FlashError(e.code, `${e.detail.replace(/\.$/, '')}, and re-synchronising with the bootloader ${what}.`, {
    cause: r,
    technical: [e.technical, r.technical].filter(Boolean).join(' Then: '),
  });
}
