// One flash job, top to bottom: checks -> reset and find the bootloader -> signature -> device
// checks -> write -> verify by reading back and repair -> leave programming mode (the application
// starts). A pass that loses the bootloader is retried after a reset, going on where it stopped when
// the bootloader allows, for as long as passes get further; the whole session runs under one
// deadline that grows with the image and with the link's measured round trip.
// Progress goes out as FlashEvents; failures are FlashErrors. The caller owns (and closes) the link.
import { Pacer } from './pipeline/pacer.js';
import { Deadline, formatDuration, GRANTED_REWRITES, linkAllowanceMs, passAllowanceMs, sessionBudgetMs } from './deadline.js';
import { candidatesFor, detectBootloader, reportAttempts, type Detected } from './detect.js';
import { DEVICES, formatSignature } from './devices.js';
import { FlashError, isFlashError, toFlashError, type ErrorCode } from './errors.js';
import type { FlashEvent, FlashResult } from './events.js';
import type { FirmwareImage } from './hex/image.js';
import { assertNotEmpty, planWrite } from './image-check.js';
import type { ByteLink } from './link/byte-link.js';
import type { AbortSignalLike, Clock } from './link/clock.js';
import { programFlash } from './program.js';
import { newPassState, type PassState } from './program-job.js';
import { neverErasedRegion } from './stk500v2/stk500boot.js';
import type { Logger, ProtocolId } from './programmer.js';
import { bootBytesFor, identifyChip, resetStepsFor, resolveTarget, type BootBytes, type Target, type TargetRequest } from './target.js';
import { BOARDS, isBoardId } from './boards.js';
import { identifyUsb } from './usb-ids.js';

export interface FlashRequest extends TargetRequest {
  readonly image: FirmwareImage;
  readonly verify?: boolean;
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
  /** Send page commands before the answer to the one before (core/pipeline); true by default. */
  readonly pipeline?: boolean;
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

  const reset = resetStepsFor(req, target);
  let candidates = candidatesFor(target.protocol, target.baud, { imageEnd: req.image.end, likely: likelyProtocol(req.usb), thenAuto: req.thenAuto ?? false });
  const slowest = Math.min(57600, ...candidates.map((c) => c.baud));
  let pageBytes: number = target.mcu ? DEVICES[target.mcu].pageBytes : 128;
  const deadline = new Deadline(clock, sessionBudgetMs(req.image.end, pageBytes, slowest), ctx.signal);
  const stats = { resyncs: 0, reconnects: 0 };
  // One for the session: a pass after a reconnect keeps what was learnt, and a drop back.
  const pacer = new Pacer(ctx.pipeline ?? true);
  pacer.onDropBack = (reason) => logger.log('info', `Pages go one command at a time from now on, after ${reason}.`);
  let previous: FlashError | null = null;
  let state = newPassState();
  let bestWrittenTo = 0;
  let idlePasses = 0;
  let linkTimed = false;
  let roundTripMs = 0;
  let rewritesGranted = 0;
  const onRewriteFromZero = (end: number): void => {
    if (rewritesGranted >= GRANTED_REWRITES) return;
    rewritesGranted++;
    deadline.extend(passAllowanceMs(end, pageBytes, slowest, roundTripMs));
    logger.log('info', `Writing from 0 again (${rewritesGranted} of ${GRANTED_REWRITES} such rewrites the limit grows for): the session's limit is ${formatDuration(deadline.budgetMs)}.`);
  };
  const onRoundTrip = (ms: number, chipPageBytes: number): void => {
    if (linkTimed) return;
    linkTimed = true;
    roundTripMs = ms;
    pageBytes = chipPageBytes;
    const extra = linkAllowanceMs(req.image.end, pageBytes, ms);
    deadline.extend(extra);
    logger.log('info', `Round trip ${ms.toFixed(1)} ms: the session's limit is ${formatDuration(deadline.budgetMs)}.`);
  };
  try {
    for (let attempt = 1; ; attempt++) {
      const pagesBefore = state.pagesDone;
      let found: Detected | null = null;
      try {
        found = await detectBootloader({ link, clock, candidates, reset, logger, signal: deadline, onAttempt: reportAttempts(emit), pacer });
        return await onePass({ req, target, found, bootBytes, ctx, emit, logger, t0, stats, state, deadline, onRoundTrip, onRewriteFromZero, pacer });
      } catch (e) {
        if (found) stats.resyncs += found.client.stats.resyncs;
        if (!found && previous && isFlashError(e, 'no-bootloader')) {
          // A stalled adapter may come back: search again, counted as a pass that got nowhere.
          idlePasses++;
          if (idlePasses < MAX_IDLE_PASSES && !deadline.aborted) {
            stats.reconnects++;
            logger.log('info', `The bootloader did not answer after the reset; resetting again (connection ${attempt + 1}).`);
            continue;
          }
          // What went wrong is what happened mid-session, not the failed search after it.
          throw new FlashError(previous.code, `${previous.detail} After a reset the bootloader did not answer again.`, {
            cause: e,
            ...(previous.technical ? { technical: previous.technical } : {}),
          });
        }
        // A pass that got further does not count against the limit: a flaky link gets as many as it
        // needs, within the deadline. Further: past every earlier pass where each starts over at 0
        // ('wiring'), and any page written or read where passes go on from each other. Repairs that
        // stopped shrinking the differences (verify-failed) got nowhere by definition.
        const further = found?.client.erasesInOrder ? state.writtenTo > bestWrittenTo : state.pagesDone > pagesBefore;
        if (further && !isFlashError(e, 'verify-failed')) {
          bestWrittenTo = Math.max(bestWrittenTo, state.writtenTo);
          idlePasses = 0;
        } else idlePasses++;
        if (!found || idlePasses >= MAX_IDLE_PASSES || deadline.aborted || !isFlashError(e) || !RECONNECT_ON.has(e.code)) throw e;
        previous = e;
        // The bootloader may have restarted or left for the application: reset it and go on, where
        // it answered before. 'wiring' starts over at 0: the reset restarted its erase counter.
        if (found.client.erasesInOrder) {
          state = newPassState();
          onRewriteFromZero(req.image.end);
        }
        stats.reconnects++;
        const from = state.writtenTo > 0 ? `going on from 0x${state.writtenTo.toString(16)}` : 'writing again from 0';
        logger.log('info', `${e.message}${e.technical ? ` [${e.technical}]` : ''} Resetting the board and ${from} (connection ${attempt + 1}).`);
        candidates = [found.candidate];
      }
    }
  } catch (e) {
    // The protocol's view of the last failure, for the log and the report (the message has the words).
    if (isFlashError(e) && e.technical) logger.log('info', `Last failure: ${e.technical}`);
    if (deadline.expired) throw new FlashError('session-timeout', `The limit for a ${(req.image.end / 1024).toFixed(1)} KiB image is ${formatDuration(deadline.budgetMs)}.`, { cause: e });
    if (ctx.signal?.aborted) throw new FlashError('aborted', '', { cause: e });
    throw toFlashError(e);
  } finally {
    deadline.dispose();
  }
}

/** Passes in a row that lose the bootloader without getting further end the session. */
const MAX_IDLE_PASSES = 3;

/** The protocol of the board a port's USB ID names (a 32U4 sketch or bootloader: AVR109), if any. */
export function likelyProtocol(usb: FlashRequest['usb']): ProtocolId | undefined {
  const board = identifyUsb(usb?.vid, usb?.pid)?.board;
  return board !== undefined && isBoardId(board) ? BOARDS[board].protocol : undefined;
}
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
  /** What earlier passes wrote and proved. */
  readonly state: PassState;
  readonly deadline: Deadline;
  /** Told the link's round trip once it is measured, with the chip's page size. */
  readonly onRoundTrip: (ms: number, pageBytes: number) => void;
  /** Told before a rewrite from address 0 up to `end` (see GRANTED_REWRITES). */
  readonly onRewriteFromZero: (end: number) => void;
  readonly pacer: Pacer;
}

/** Signature, device checks, write, verify and repair, leave: everything after the bootloader answered. */
async function onePass(p: PassContext): Promise<FlashResult> {
  const { req, target, found, ctx, emit, logger } = p;
  const { clock } = ctx;
  const { client } = found;
  const protocol = found.candidate.protocol;
  const [signature, sigTripMs] = await timed(clock, client, () => client.readSignature());
  const sigText = formatSignature(signature);
  const { device, mcu: mcuId } = identifyChip(signature, target);
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

  const [, enterTripMs] = await timed(clock, client, () => client.enterProgramming());
  // The quicker of two measurements: one that met a lost byte and a resync would overstate the link.
  p.onRoundTrip(Math.min(sigTripMs, enterTripMs), device.pageBytes);
  const outcome = await programFlash({
    resumeAt: client.erasesInOrder ? plan.start : Math.max(plan.start, p.state.writtenTo),
    state: p.state,
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
    onRewriteFromZero: p.onRewriteFromZero,
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
    pipeline: { pages: p.pacer.stats.pipelined, droppedBack: p.pacer.stats.droppedBack, turnaroundMs: p.pacer.turnarounds.medianMs },
    warnings,
    budgetMs: p.deadline.budgetMs,
  };
  emit({ state: 'done', result });
  return result;
}

/** Runs `op` and returns its result with the time it took per round trip. */
async function timed<T>(clock: Clock, client: { readonly stats: { roundTrips: number } }, op: () => Promise<T>): Promise<[T, number]> {
  const t = clock.now();
  const trips = client.stats.roundTrips;
  const result = await op();
  return [result, (clock.now() - t) / Math.max(1, client.stats.roundTrips - trips)];
}

function overlap(a: { start: number; end: number }, b: { start: number; end: number }): { start: number; end: number } | null {
  const start = Math.max(a.start, b.start);
  const end = Math.min(a.end, b.end);
  return start < end ? { start, end } : null;
}

