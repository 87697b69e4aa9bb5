// The protocol clients' shared recovery loop: a command whose answer was lost or damaged
// (link-timeout, protocol-error) is sent again after the client re-synchronises, a bounded number
// of times; anything else (unplugged, aborted) ends it at once.
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
