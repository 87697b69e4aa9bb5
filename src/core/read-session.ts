// One read job: reset -> find the bootloader -> signature -> read the application section back
// (never the bootloader) -> leave. The firmware that was on the board, for a backup or avrdude's
// `-U flash:r`. Trailing erased pages are trimmed. A pass that loses the bootloader is retried after a
// reset, going on at the page it stopped at; the session runs under one deadline. The caller owns the link.
import { Deadline, formatDuration, sessionBudgetMs } from './deadline.js';
import { candidatesFor, detectBootloader, reportAttempts, type Detected } from './detect.js';
import { formatSignature, type McuId } from './devices.js';
import { FlashError, isFlashError, toFlashError } from './errors.js';
import type { FlashEvent } from './events.js';
import type { ByteLink } from './link/byte-link.js';
import type { AbortSignalLike, Clock } from './link/clock.js';
import type { Logger, ProtocolId } from './programmer.js';
import { bootBytesFor, identifyChip, resetStepsFor, resolveTarget, type TargetRequest } from './target.js';

export type ReadEvent =
  | Extract<FlashEvent, { state: 'resetting' | 'connecting' | 'connected' | 'log' }>
  | { readonly state: 'reading'; readonly done: number; readonly total: number; readonly bytesPerSecond: number };

export interface ReadContext {
  readonly link: ByteLink;
  readonly clock: Clock;
  readonly signal?: AbortSignalLike;
  readonly onEvent?: (e: ReadEvent) => void;
  readonly verbose?: boolean;
  readonly progressIntervalMs?: number;
}

export interface ReadResult {
  readonly protocol: ProtocolId;
  readonly baud: number | null;
  readonly signature: string;
  readonly mcu: string;
  readonly mcuId: McuId;
  /** The application section from address 0, trailing erased pages trimmed (may be empty). */
  readonly bytes: Uint8Array;
  /** Bytes read from the board: the whole application section. */
  readonly bytesRead: number;
  /** Where the bootloader starts; nothing at or above it was requested. */
  readonly appBytes: number;
  readonly ms: number;
}

/** Passes per read: the first, and two more after losing the bootloader. */
const MAX_CONNECTS = 3;

export async function readFirmware(req: TargetRequest, ctx: ReadContext): Promise<ReadResult> {
  const { link, clock } = ctx;
  const emit = ctx.onEvent ?? (() => undefined);
  const logger: Logger = { debug: ctx.verbose ?? false, log: (level, text) => emit({ state: 'log', level, text }) };
  const t0 = clock.now();
  const target = resolveTarget(req);
  const reset = resetStepsFor(req, target);
  const bootBytes = bootBytesFor(req, target);
  // The largest application section of any supported chip bounds the budget before the chip is known.
  const deadline = new Deadline(clock, sessionBudgetMs(256 * 1024, 256), ctx.signal);
  let candidates = candidatesFor(target.protocol, target.baud, { thenAuto: req.thenAuto ?? false });
  let buffer: Uint8Array | null = null;
  let done = 0;
  try {
    for (let attempt = 1; ; attempt++) {
      let found: Detected | null = null;
      try {
        found = await detectBootloader({ link, clock, candidates, reset, logger, signal: deadline, onAttempt: reportAttempts(emit) });
        const { client } = found;
        const signature = await client.readSignature();
        const { device, mcu } = identifyChip(signature, target);
        const protocol = found.candidate.protocol;
        emit({ state: 'connected', protocol, baud: found.baud, signature: formatSignature(signature), mcu: device.name });
        const appBytes = device.flashBytes - bootBytes(mcu, protocol);
        buffer ??= new Uint8Array(appBytes).fill(0xff);
        await client.enterProgramming();
        const t1 = clock.now();
        const from = done;
        let last = -Infinity;
        emit({ state: 'reading', done, total: appBytes, bytesPerSecond: 0 });
        const geometry = { pageBytes: device.pageBytes, flashBytes: device.flashBytes };
        await client.readFlash(done, appBytes, geometry, (address, data) => {
          (buffer as Uint8Array).set(data, address);
          done = address + data.length;
          const now = clock.now();
          if (done === appBytes || now - last >= (ctx.progressIntervalMs ?? 50)) {
            last = now;
            emit({ state: 'reading', done, total: appBytes, bytesPerSecond: now > t1 ? Math.round(((done - from) * 1000) / (now - t1)) : 0 });
          }
        });
        await client.leaveProgramming().catch((e: unknown) => {
          if (!isFlashError(e, 'link-timeout') && !isFlashError(e, 'protocol-error')) throw e;
          logger.log('info', 'The bootloader did not confirm starting the firmware; press reset if it does not run.');
        });
        const bytes = buffer.subarray(0, usedEnd(buffer, device.pageBytes));
        return { protocol, baud: found.baud, signature: formatSignature(signature), mcu: device.name, mcuId: mcu, bytes, bytesRead: appBytes, appBytes, ms: Math.round(clock.now() - t0) };
      } catch (e) {
        const retry = found && attempt < MAX_CONNECTS && !deadline.aborted && (isFlashError(e, 'link-timeout') || isFlashError(e, 'protocol-error'));
        if (!retry || !found) throw e;
        logger.log('info', `${e instanceof Error ? e.message : String(e)} Resetting the board and reading on from 0x${done.toString(16)} (connection ${attempt + 1}).`);
        candidates = [found.candidate];
      }
    }
  } catch (e) {
    if (deadline.expired) throw new FlashError('session-timeout', `The limit for reading the firmware is ${formatDuration(deadline.budgetMs)}.`, { cause: e });
    if (ctx.signal?.aborted) throw new FlashError('aborted', '', { cause: e });
    throw toFlashError(e);
  } finally {
    deadline.dispose();
  }
}

/** The end of the last page that is not all 0xFF. */
export function usedEnd(bytes: Uint8Array, pageBytes: number): number {
  let end = bytes.length;
  while (end > 0) {
    const start = end - pageBytes;
    if (bytes.subarray(Math.max(0, start), end).some((b) => b !== 0xff)) break;
    end = Math.max(0, start);
  }
  return end;
}
