// Who is on the port, without writing a byte: reset, find the bootloader (detect.ts), read the chip
// signature. The install element asks this before it picks a manifest build; the flash then runs on
// the same open link. The caller owns the link; `leave()` starts the application when nothing is written.
import { sessionBudgetMs, Deadline, formatDuration } from './deadline.js';
import { candidatesFor, detectBootloader, reportAttempts } from './detect.js';
import { formatSignature, type McuId } from './devices.js';
import { FlashError, toFlashError } from './errors.js';
import type { AbortSignalLike, Clock } from './link/clock.js';
import type { ByteLink } from './link/byte-link.js';
import type { Logger, ProtocolId } from './programmer.js';
import type { ReadEvent } from './read-session.js';
import { likelyProtocol, type FlashRequest } from './session.js';
import { identifyChip, resetStepsFor, resolveTarget } from './target.js';

export interface Identified {
  readonly protocol: ProtocolId;
  /** The baud the bootloader answered at, or null over a bridge that cannot tell. */
  readonly baud: number | null;
  /** As formatSignature() writes it: "1e 98 01". */
  readonly signature: string;
  readonly mcuId: McuId;
  readonly mcu: string;
  /** Leaves the bootloader (the application starts); for when nothing is to be written. Never throws. */
  leave(): Promise<void>;
}

export interface IdentifyContext {
  readonly link: ByteLink;
  readonly clock: Clock;
  readonly signal?: AbortSignalLike;
  readonly onEvent?: (e: Extract<ReadEvent, { state: 'resetting' | 'connecting' | 'connected' | 'log' }>) => void;
  readonly verbose?: boolean;
}

export async function identifyBoard(req: Omit<FlashRequest, 'image'>, ctx: IdentifyContext): Promise<Identified> {
  const emit = ctx.onEvent ?? (() => undefined);
  const logger: Logger = { debug: ctx.verbose ?? false, log: (level, text) => emit({ state: 'log', level, text }) };
  const target = resolveTarget(req);
  const candidates = candidatesFor(target.protocol, target.baud, { likely: likelyProtocol(req.usb), thenAuto: req.thenAuto ?? false });
  // Finding the bootloader is what the session's budget allows for before any page.
  const deadline = new Deadline(ctx.clock, sessionBudgetMs(0, 128), ctx.signal);
  try {
    const found = await detectBootloader({ link: ctx.link, clock: ctx.clock, candidates, reset: resetStepsFor(req, target), logger, signal: deadline, onAttempt: reportAttempts(emit) });
    const bytes = await found.client.readSignature();
    const { device, mcu } = identifyChip(bytes, target);
    const signature = formatSignature(bytes);
    const protocol = found.candidate.protocol;
    emit({ state: 'connected', protocol, baud: found.baud, signature, mcu: device.name });
    const leave = (): Promise<void> => found.client.leaveProgramming().catch(() => logger.log('info', 'The bootloader did not confirm starting the firmware; press reset if it does not run.'));
    return { protocol, baud: found.baud, signature, mcuId: mcu, mcu: device.name, leave };
  } catch (e) {
    if (deadline.expired) throw new FlashError('session-timeout', `The limit for finding the bootloader is ${formatDuration(deadline.budgetMs)}.`, { cause: e });
    if (ctx.signal?.aborted) throw new FlashError('aborted', '', { cause: e });
    throw toFlashError(e);
  } finally {
    deadline.dispose();
  }
}
