// What a job is aimed at, shared by the flash and read sessions: the board preset and MCU the user
// gave (checked against the tables), the bootloader size to keep clear of, the reset sequence, and
// the chip identified from the signature the bootloader reported.
import { BOARDS, DEFAULT_BOOTLOADER_BYTES, isBoardId, type Board } from './boards.js';
import { deviceBySignature, DEVICES, formatSignature, isMcuId, type Device, type McuId } from './devices.js';
import { FlashError } from './errors.js';
import type { ProtocolId } from './programmer.js';
import { parseResetSequence, RESET_SEQUENCES, type ResetStep } from './reset.js';

export interface TargetRequest {
  /** A board preset; sets MCU, protocol, baud, bootloader size and reset unless given separately. */
  readonly board?: string;
  readonly mcu?: string;
  readonly protocol?: ProtocolId | 'auto';
  readonly baud?: number;
  /**
   * With a protocol or baud given: when nothing answers there, go on to auto-detection (the
   * avrdude dialect's programmer type is a first guess, not a promise).
   */
  readonly thenAuto?: boolean;
  readonly bootloaderBytes?: number;
  /** A reset step string (see reset.ts) or a RESET_SEQUENCES name. */
  readonly reset?: string;
}

export interface Target {
  readonly board: Board | undefined;
  readonly mcu: McuId | undefined;
  readonly protocol: ProtocolId | 'auto';
  readonly baud: number | undefined;
}

export function resolveTarget(req: TargetRequest): Target {
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

export type BootBytes = (d: McuId, p: ProtocolId) => number;

export function bootBytesFor(req: TargetRequest, target: Target): BootBytes {
  return (d, p) => req.bootloaderBytes ?? (target.board && target.board.mcu === d ? target.board.bootloaderBytes : DEFAULT_BOOTLOADER_BYTES[d][p]);
}

export function resetStepsFor(req: TargetRequest, target: Target): ResetStep[] {
  const text = req.reset ?? RESET_SEQUENCES[target.board?.reset ?? 'arduino'];
  return parseResetSequence(text in RESET_SEQUENCES ? RESET_SEQUENCES[text as keyof typeof RESET_SEQUENCES] : text);
}

/** The chip behind a signature, checked against the MCU the user gave; nothing has been written yet. */
export function identifyChip(signature: Uint8Array, target: Target): { readonly device: Device; readonly mcu: McuId } {
  const sigText = formatSignature(signature);
  const known = deviceBySignature(signature);
  if (target.mcu) {
    const device = DEVICES[target.mcu];
    if (!known || known.id !== target.mcu) {
      throw new FlashError(
        'signature-mismatch',
        `Expected ${device.name} (${formatSignature(device.signature)}), the board reported ${known ? known.device.name : 'an unknown chip'} (${sigText}). Nothing was written.`,
      );
    }
    return { device, mcu: target.mcu };
  }
  if (!known) throw new FlashError('unknown-signature', `The signature is ${sigText}. Nothing was written.`);
  return { device: known.device, mcu: known.id };
}
