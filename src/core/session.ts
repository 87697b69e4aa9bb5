// One flash job, top to bottom: checks -> reset and find the bootloader -> signature -> device
// checks -> write -> verify by reading back -> leave programming mode (the application starts).
// Progress goes out as FlashEvents; failures are FlashErrors. The caller owns (and closes) the link.
import { BOARDS, DEFAULT_BOOTLOADER_BYTES, isBoardId, type Board } from './boards.js';
import { candidatesFor, detectBootloader } from './detect.js';
import { deviceBySignature, DEVICES, formatSignature, isMcuId, type Device, type McuId } from './devices.js';
import { FlashError, toFlashError } from './errors.js';
import type { FlashEvent, FlashResult } from './events.js';
import type { FirmwareImage } from './hex/image.js';
import { assertNotEmpty, planWrite } from './image-check.js';
import type { ByteLink } from './link/byte-link.js';
import type { AbortSignalLike, Clock } from './link/clock.js';
import type { Logger, ProtocolId } from './programmer.js';
import { parseResetSequence, RESET_SEQUENCES } from './reset.js';

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

export async function flashFirmware(req: FlashRequest, ctx: SessionContext): Promise<FlashResult> {
  const { link, clock, signal } = ctx;
  const emit = ctx.onEvent ?? (() => undefined);
  const logger: Logger = {
    debug: ctx.verbose ?? false,
    log: (level, text) => emit({ state: 'log', level, text }),
  };
  const t0 = clock.now();
  const target = resolveTarget(req);
  const bootBytes = (d: McuId, p: ProtocolId): number =>
    req.bootloaderBytes ?? (target.board && target.board.mcu === d ? target.board.bootloaderBytes : DEFAULT_BOOTLOADER_BYTES[d][p]);
  // Refuse what cannot work before touching the port: an empty image, and one too big for a known chip.
  assertNotEmpty(req.image);
  if (target.mcu) {
    const p = target.protocol === 'auto' ? 'stk500v1' : target.protocol;
    planWrite(req.image, DEVICES[target.mcu], bootBytes(target.mcu, p));
  }
  for (const w of req.image.warnings) logger.log('info', `Firmware file: ${w}`);

  const resetText = req.reset ?? RESET_SEQUENCES[target.board?.reset ?? 'arduino'];
  const reset = parseResetSequence(resetText in RESET_SEQUENCES ? RESET_SEQUENCES[resetText as keyof typeof RESET_SEQUENCES] : resetText);

  try {
    const found = await detectBootloader({
      link,
      clock,
      candidates: candidatesFor(target.protocol, target.baud),
      reset,
      logger,
      ...(signal ? { signal } : {}),
      onAttempt: (c, attempt, baud) => {
        emit({ state: 'resetting', attempt });
        emit({ state: 'connecting', protocol: c.protocol, baud, attempt });
      },
    });
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
    const plan = planWrite(req.image, device, bootBytes(mcuId, protocol));
    const setupTrips = client.stats.roundTrips;
    const tConnected = clock.now();

    await client.enterProgramming();
    const geometry = { pageBytes: device.pageBytes, flashBytes: device.flashBytes };
    const total = plan.end - plan.start;
    const progress = throttle(clock, ctx.progressIntervalMs ?? 50);
    const tWrite = clock.now();
    emit({ state: 'writing', done: 0, total, bytesPerSecond: 0 });
    await client.writeFlash(req.image.bytes, plan.start, plan.end, geometry, (done) => {
      if (progress(done === total)) emit({ state: 'writing', done, total, bytesPerSecond: rate(done, clock.now() - tWrite) });
    });
    const writeTrips = client.stats.roundTrips - setupTrips;
    const tVerify = clock.now();
    let verified = 0;
    if (req.verify ?? true) {
      emit({ state: 'verifying', done: 0, total, bytesPerSecond: 0 });
      const expected = req.image.bytes;
      await client.readFlash(plan.start, plan.end, geometry, (address, data) => {
        for (let i = 0; i < data.length; i++) {
          const want = address + i < expected.length ? (expected[address + i] ?? 0xff) : 0xff;
          if (data[i] !== want) {
            throw new FlashError(
              'verify-failed',
              `First difference at 0x${(address + i).toString(16)}: wrote 0x${want.toString(16).padStart(2, '0')}, read 0x${(data[i] ?? 0).toString(16).padStart(2, '0')}.`,
            );
          }
        }
        verified = address + data.length - plan.start;
        if (progress(verified === total)) emit({ state: 'verifying', done: verified, total, bytesPerSecond: rate(verified, clock.now() - tVerify) });
      });
    }
    const verifyTrips = client.stats.roundTrips - setupTrips - writeTrips;
    const tLeave = clock.now();
    emit({ state: 'leaving' });
    await client.leaveProgramming();
    const result: FlashResult = {
      protocol,
      baud: found.baud,
      signature: sigText,
      mcu: device.name,
      bytesWritten: total,
      bytesVerified: verified,
      ms: { connect: Math.round(tConnected - t0), write: Math.round(tVerify - tWrite), verify: Math.round(tLeave - tVerify), total: Math.round(clock.now() - t0) },
      roundTrips: { setup: setupTrips + 1, write: writeTrips, verify: verifyTrips },
      bytesToBoard: client.stats.bytesOut,
      bytesFromBoard: client.stats.bytesIn,
      warnings: req.image.warnings,
    };
    emit({ state: 'done', result });
    return result;
  } catch (e) {
    if (signal?.aborted) throw new FlashError('aborted', '', { cause: e });
    throw toFlashError(e);
  }
}

function rate(bytes: number, ms: number): number {
  return ms > 0 ? Math.round((bytes * 1000) / ms) : 0;
}

/** Returns a gate that opens at most once per `intervalMs`, and always when `force` is set. */
function throttle(clock: Clock, intervalMs: number): (force: boolean) => boolean {
  let last = -Infinity;
  return (force) => {
    const now = clock.now();
    if (!force && now - last < intervalMs) return false;
    last = now;
    return true;
  };
}
