// Asks a board who it is without writing anything: reset, find the bootloader, read the signature,
// leave. For jobs whose image depends on the board (each board's build from a manifest): the caller
// resolves the image from what this returns, then runs the flash session, which resets again.
import { Deadline } from './deadline.js';
import { candidatesFor, detectBootloader, reportAttempts } from './detect.js';
import { formatSignature } from './devices.js';
import { FlashError, isFlashError, toFlashError } from './errors.js';
import type { FlashEvent } from './events.js';
import type { BoardIdentity } from './fleet.js';
import type { ByteLink } from './link/byte-link.js';
import type { AbortSignalLike, Clock } from './link/clock.js';
import type { Logger } from './programmer.js';
import { identifyChip, resetStepsFor, resolveTarget, type TargetRequest } from './target.js';

/** Every protocol at every usual baud, with resets, fits well within this. */
const PROBE_MS = 30_000;

export interface ProbeContext {
  readonly link: ByteLink;
  readonly clock: Clock;
  readonly signal?: AbortSignalLike;
  readonly onEvent?: (e: Extract<FlashEvent, { state: 'resetting' | 'connecting' | 'connected' | 'log' }>) => void;
}

export async function probeBoard(req: TargetRequest & { readonly usb?: BoardIdentity['usbIds'] }, ctx: ProbeContext): Promise<BoardIdentity & { readonly mcu: string }> {
  const emit = ctx.onEvent ?? (() => undefined);
  const logger: Logger = { debug: false, log: (level, text) => emit({ state: 'log', level, text }) };
  const target = resolveTarget(req);
  const deadline = new Deadline(ctx.clock, PROBE_MS, ctx.signal);
  try {
    const candidates = candidatesFor(target.protocol, target.baud, { thenAuto: req.thenAuto ?? false });
    const found = await detectBootloader({ link: ctx.link, clock: ctx.clock, candidates, reset: resetStepsFor(req, target), logger, signal: deadline, onAttempt: reportAttempts(emit) });
    const signature = await found.client.readSignature();
    const { device } = identifyChip(signature, target);
    const protocol = found.candidate.protocol;
    emit({ state: 'connected', protocol, baud: found.baud, signature: formatSignature(signature), mcu: device.name });
    await found.client.leaveProgramming().catch((e: unknown) => {
      if (!isFlashError(e, 'link-timeout') && !isFlashError(e, 'protocol-error')) throw e;
    });
    return { signature: formatSignature(signature), protocol, baud: found.baud, mcu: device.name, ...(req.usb ? { usbIds: req.usb } : {}) };
  } catch (e) {
    if (ctx.signal?.aborted) throw new FlashError('aborted', '', { cause: e });
    if (deadline.expired) throw new FlashError('no-bootloader', `Asking the board for its chip took longer than ${PROBE_MS / 1000} s.`, { cause: e });
    throw toFlashError(e);
  } finally {
    deadline.dispose();
  }
}
