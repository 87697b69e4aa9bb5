// STK500v1's probe: one GET_SYNC, and its answer looked for among whatever else arrives.
import { FlashError } from '../errors.js';
import type { ClientOptions, LinkStats } from '../programmer.js';
import * as K from './constants.js';

/**
 * Sends GET_SYNC once and waits up to `timeoutMs` for INSYNC OK, skipping other bytes (a running
 * firmware's output, noise) instead of taking them for a wrong answer. It is not sent again within
 * the wait: optiboot reads its UART only after blinking, and a second GET_SYNC would overflow the
 * UART and turn into a bad end byte, which makes optiboot start the application.
 */
export async function probeSync(opts: ClientOptions, stats: LinkStats, timeoutMs: number): Promise<string> {
  const { link, clock, signal } = opts;
  const deadline = clock.now() + timeoutMs;
  await link.drain(0, signal);
  const sync = Uint8Array.of(K.Cmnd_STK_GET_SYNC, K.Sync_CRC_EOP);
  stats.roundTrips++;
  stats.bytesOut += sync.length;
  await link.write(sync);
  let previous = -1;
  for (;;) {
    const left = deadline - clock.now();
    if (left <= 0) throw new FlashError('link-timeout', `No answer to GET_SYNC within ${timeoutMs} ms.`);
    const chunk = await link.readSome(64, left, signal).catch((e: unknown) => {
      if (e instanceof FlashError && e.code === 'link-timeout') throw new FlashError('link-timeout', `No answer to GET_SYNC within ${timeoutMs} ms.`);
      throw e;
    });
    stats.bytesIn += chunk.length;
    for (const b of chunk) {
      if (previous === K.Resp_STK_INSYNC && b === K.Resp_STK_OK) return 'in sync';
      previous = b;
    }
  }
}
