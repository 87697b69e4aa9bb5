// One flash job, top to bottom: checks -> reset and find the bootloader -> signature -> device
// checks -> write -> verify by reading back and repair -> leave programming mode (the application
// starts). A pass that loses the bootloader is retried after a reset, going on where it stopped when
// the bootloader allows; the whole session runs under one deadline that grows with the image.
// Progress goes out as FlashEvents; failures are FlashErrors. The caller owns (and closes) the link.
import { BOARDS, DEFAULT_BOOTLOADER_BYTES, isBoardId, type Board } from './boards.js';
import { Deadline, formatDuration, sessionBudgetMs } from './deadline.js';
import { candidatesFor, detectBootloader, type Detected } from './detect.js';
import { deviceBySignature, DEVICES, formatSignature, isMcuId, type Device, type McuId } from './devices.js';
import { FlashError, isFlashError, toFlashError, type ErrorCode } from './errors.js';
import type { FlashEvent, FlashResult } from './events.js';
import type { FirmwareImage } from './hex/image.js';
import { assertNotEmpty, planWrite } from './image-check.js';
import type { ByteLink } from './link/byte-link.js';
import type { AbortSignalLike, Clock } from './link/clock.js';
import { programFlash } from './program.js';
import { neverErasedRegion } from './stk500v2/client.js';
import type { Logger, ProtocolId } from './programmer.js';
import { parseResetSequence, RESET_SEQUENCES } from './reset.js';
import { identifyUsb } from './usb-ids.js';

export interface FlashRequest {
  readonly image: FirmwareImage;
  /** A board preset; sets MCU, protocol, baud, bootloader size and reset unless given separately. */
  readonly board?: string;
  readonly mcu?: string;
  readonly protocol?: ProtocolId | 'auto';
  readonly baud?: number;
  readonly verify?: boolean;
  readonly bootloaderBytes?: number;
  /** A reset step string (see reset.ts) or a RESET_SEQUENCES name. */
  readonly reset?: string;
  /** The port's USB IDs, when known: a known board's protocol is tried first (usb-ids.ts). */
  readonly usb?: { readonly vid?: number; readonly pid?: number };
}

export interface SessionContext {
  readonly link: ByteLink;
  readonly clock: Clock;
  readonly signal?: AbortSignalLike;
  readonly onEvent?: (e: FlashEvent) => void;
  /** Log every command and answer (builds strings per page; off by default). */
  readonly verbose?: boolean;
  /** Minimum time between two progress events of the same phase. */
  readonly progressIntervalMs?: number;
}

interface Target {
  readonly board: Board | undefined;
  readonly mcu: McuId | undefined;
  readonly protocol: ProtocolId | 'auto';
  readonly baud: number | undefined;
}

function resolveTarget(req: FlashRequest): Target {
  let board: Board | undefined;
  if (req.board !== undefined && req.board !== 'auto') {
    if (!isBoardId(req.board)) throw new FlashError('unknown-board', `"${req.board}" is not a known board preset.`);
    board = BOARDS[req.board];
  }
  let mcu: McuId | undefined = board?.mcu;
  if (req.mcu !== undefined && req.mcu !== 'auto') {
    const id = req.mcu.toLowerCase();
    if (!isMcuId(id)) throw new FlashError('unknown-mcu', `"${req.mcu}" is not a supported MCU.`);
    mcu = id;
  }
  return { board, mcu, protocol: req.protocol ?? board?.protocol ?? 'auto', baud: req.baud ?? board?.baud };
}

type BootBytes = (d: McuId, p: ProtocolId) => number;

function bootBytesFor(req: FlashRequest, target: Target): BootBytes {
  return (d, p) => req.bootloaderBytes ?? (target.board && target.board.mcu === d ? target.board.bootloaderBytes : DEFAULT_BOOTLOADER_BYTES[d][p]);
}

/**
 * Refuses what cannot work without a port: an unknown board or MCU, an empty image, and one too big
 * for a chip that is already known. Callers run it before asking for a port; the session runs it too.
 */
export function checkRequest(req: FlashRequest): void {
  checkedTarget(req);
}

function checkedTarget(req: FlashRequest): Target {
  const target = resolveTarget(req);
  assertNotEmpty(req.image);
  if (target.mcu) {
    const p = target.protocol === 'auto' ? 'stk500v1' : target.protocol;
    planWrite(req.image, DEVICES[target.mcu], bootBytesFor(req, target)(target.mcu, p));
  }
  return target;
}

export async function flashFirmware(req: FlashRequest, ctx: SessionContext): Promise<FlashResult> {
  const { link, clock } = ctx;
  const emit = ctx.onEvent ?? (() => undefined);
  const logger: Logger = {
    debug: ctx.verbose ?? false,
    log: (level, text) => emit({ state: 'log', level, text }),
  };
  const t0 = clock.now();
  const target = checkedTarget(req);
  const bootBytes = bootBytesFor(req, target);
  for (const w of req.image.warnings) logger.log('info', `Firmware file: ${w}`);

  const resetText = req.reset ?? RESET_SEQUENCES[target.board?.reset ?? 'arduino'];
  const reset = parseResetSequence(resetText in RESET_SEQUENCES ? RESET_SEQUENCES[resetText as keyof typeof RESET_SEQUENCES] : resetText);
  let candidates = candidatesFor(target.protocol, target.baud, { imageEnd: req.image.end, likely: likelyProtocol(req.usb) });
  const slowest = Math.min(57600, ...candidates.map((c) => c.baud));
  const deadline = new Deadline(clock, sessionBudgetMs(req.image.end, target.mcu ? DEVICES[target.mcu].pageBytes : 128, slowest), ctx.signal);
  const stats = { resyncs: 0, reconnects: 0 };
  let previous: FlashError | null = null;
  const progress = { writtenTo: 0 };
  let idlePasses = 0;
  try {
    for (let attempt = 1; ; attempt++) {
      const writtenBefore = progress.writtenTo;
      let found: Detected | null = null;
      try {
        found = await detectBootloader({
          link,
          clock,
          candidates,
          reset,
          logger,
          signal: deadline,
          onAttempt: (c, n, baud) => {
            emit({ state: 'resetting', attempt: n });
            emit({ state: 'connecting', protocol: c.protocol, baud, attempt: n });
          },
        });
        return await onePass({ req, target, found, bootBytes, ctx, emit, logger, t0, stats, progress });
      } catch (e) {
        if (found) stats.resyncs += found.client.stats.resyncs;
        if (!found && previous && isFlashError(e, 'no-bootloader')) {
          // A stalled adapter may come back: search again, counted as a pass that got nowhere.
          idlePasses++;
          if (idlePasses < MAX_CONNECTS && attempt < MAX_CONNECTS_MAKING_PROGRESS && !deadline.aborted) {
            stats.reconnects++;
            logger.log('info', `The bootloader did not answer after the reset; resetting again (connection ${attempt + 1}).`);
            continue;
          }
          // What went wrong is what happened mid-session, not the failed search after it.
          throw new FlashError(previous.code, `${previous.detail} After a reset the bootloader did not answer again.`, { cause: e });
        }
        const resumes = !found?.client.erasesInOrder;
        // Bootloaders that erase each page at its address can go on where the last pass stopped; as
        // long as passes get further, a flaky link gets more of them (the deadline still bounds all).
        if (!(resumes && progress.writtenTo > writtenBefore)) idlePasses++;
        const limit = resumes ? MAX_CONNECTS_MAKING_PROGRESS : MAX_CONNECTS;
        const give = attempt >= limit || idlePasses >= MAX_CONNECTS;
        if (!found || give || deadline.aborted || !isFlashError(e) || !RECONNECT_ON.has(e.code)) throw e;
        previous = e;
        // The bootloader may have restarted or left for the application: reset it and go on, where
        // it answered before. 'wiring' starts over at 0: the reset restarted its erase counter.
        if (!resumes) progress.writtenTo = 0;
        stats.reconnects++;
        const from = progress.writtenTo > 0 ? `going on from 0x${progress.writtenTo.toString(16)}` : 'writing again from 0';
        logger.log('info', `${e.message} Resetting the board and ${from} (connection ${attempt + 1}).`);
        candidates = [found.candidate];
      }
    }
  } catch (e) {
    if (deadline.expired) throw new FlashError('session-timeout', `The limit for a ${(req.image.end / 1024).toFixed(1)} KiB image is ${formatDuration(deadline.budgetMs)}.`, { cause: e });
    if (ctx.signal?.aborted) throw new FlashError('aborted', '', { cause: e });
    throw toFlashError(e);
  } finally {
    deadline.dispose();
  }
}

/** The protocol of the board a port's USB ID names (a 32U4 sketch or bootloader: AVR109), if any. */
function likelyProtocol(usb: FlashRequest['usb']): ProtocolId | undefined {
  const board = identifyUsb(usb?.vid, usb?.pid)?.board;
  return board !== undefined && isBoardId(board) ? BOARDS[board].protocol : undefined;
}

/** Connections per session: a pass that loses the bootloader is retried after a reset, twice at most... */
const MAX_CONNECTS = 3;
/** ...not counting passes that wrote further than the one before, on bootloaders that can resume. */
const MAX_CONNECTS_MAKING_PROGRESS = 8;
const RECONNECT_ON: ReadonlySet<ErrorCode> = new Set(['link-timeout', 'protocol-error', 'verify-failed']);

interface PassContext {
  readonly req: FlashRequest;
  readonly target: Target;
  readonly found: Detected;
  readonly bootBytes: BootBytes;
  readonly ctx: SessionContext;
  readonly emit: (e: FlashEvent) => void;
  readonly logger: Logger;
  readonly t0: number;
  readonly stats: { resyncs: number; reconnects: number };
  /** Bytes from the range start that were written and acknowledged, across passes. */
  readonly progress: { writtenTo: number };
}

/** Signature, device checks, write, verify and repair, leave: everything after the bootloader answered. */
async function onePass(p: PassContext): Promise<FlashResult> {
  const { req, target, found, ctx, emit, logger } = p;
  const { clock } = ctx;
  const { client } = found;
  const protocol = found.candidate.protocol;
  const signature = await client.readSignature();
  const sigText = formatSignature(signature);
  const known = deviceBySignature(signature);
  let device: Device;
  let mcuId: McuId;
  if (target.mcu) {
    device = DEVICES[target.mcu];
    mcuId = target.mcu;
    if (!known || known.id !== target.mcu) {
      throw new FlashError(
        'signature-mismatch',
        `Expected ${device.name} (${formatSignature(device.signature)}), the board reported ${known ? known.device.name : 'an unknown chip'} (${sigText}). Nothing was written.`,
      );
    }
  } else {
    if (!known) throw new FlashError('unknown-signature', `The signature is ${sigText}. Nothing was written.`);
    device = known.device;
    mcuId = known.id;
  }
  emit({ state: 'connected', protocol, baud: found.baud, signature: sigText, mcu: device.name });
  const plan = planWrite(req.image, device, p.bootBytes(mcuId, protocol));
  const region = neverErasedRegion(device.flashBytes);
  const touched = protocol === 'stk500v2' ? overlap(region, plan) : null;
  const neverErased = touched ? { region, touched } : null;
  const warnings = [...req.image.warnings];
  if (touched) {
    const w =
      `The firmware reaches into 0x${region.start.toString(16)}-0x${(region.end - 1).toString(16)}, which the stock ${device.name} ` +
      'bootloader writes without erasing: old bytes there make the flash fail. Those pages are read back even if verifying is off.';
    warnings.push(w);
    logger.log('info', w);
  }
  const setupTrips = client.stats.roundTrips;
  const tConnected = clock.now();

  await client.enterProgramming();
  const outcome = await programFlash({
    resumeAt: client.erasesInOrder ? plan.start : Math.max(plan.start, p.progress.writtenTo),
    onWritten: (address) => {
      p.progress.writtenTo = Math.max(p.progress.writtenTo, address);
    },
    client,
    bytes: req.image.bytes,
    range: plan,
    appEnd: plan.appBytes,
    geometry: { pageBytes: device.pageBytes, flashBytes: device.flashBytes },
    verify: req.verify ?? true,
    neverErased,
    clock,
    logger,
    emit,
    progressIntervalMs: ctx.progressIntervalMs ?? 50,
  });
  emit({ state: 'leaving' });
  let started = true;
  await client.leaveProgramming().catch((e: unknown) => {
    // The flash is written and verified: a lost answer here must not turn that into a failure.
    if (!isFlashError(e, 'link-timeout') && !isFlashError(e, 'protocol-error')) throw e;
    const w = 'The bootloader did not confirm starting the firmware; if it does not run, press reset or unplug the board.';
    started = false;
    warnings.push(w);
    logger.log('info', w);
  });
  const result: FlashResult = {
    protocol,
    baud: found.baud,
    signature: sigText,
    mcu: device.name,
    bytesWritten: plan.end - plan.start,
    bytesVerified: outcome.verified,
    ms: {
      connect: Math.round(tConnected - p.t0),
      write: Math.round(outcome.writeMs),
      verify: Math.round(outcome.verifyMs),
      total: Math.round(clock.now() - p.t0),
    },
    roundTrips: { setup: setupTrips + 1, write: outcome.writeTrips, verify: outcome.verifyTrips },
    bytesToBoard: client.stats.bytesOut,
    bytesFromBoard: client.stats.bytesIn,
    started,
    recovery: { resyncs: p.stats.resyncs + client.stats.resyncs, repairs: outcome.repairs, reconnects: p.stats.reconnects },
    warnings,
  };
  emit({ state: 'done', result });
  return result;
}

function overlap(a: { start: number; end: number }, b: { start: number; end: number }): { start: number; end: number } | null {
  const start = Math.max(a.start, b.start);
  const end = Math.min(a.end, b.end);
  return start < end ? { start, end } : null;
}

