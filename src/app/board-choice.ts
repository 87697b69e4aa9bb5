// What the user picked as the target: "Detect automatically", a board preset, or Custom (MCU,
// protocol, baud). Turns into FlashRequest fields, checks an image against it before the port
// chooser opens, and is remembered between visits.
import { BOARDS, DEFAULT_BOOTLOADER_BYTES, isBoardId, type BoardId } from '../core/boards.js';
import { DEVICES, isMcuId, type McuId } from '../core/devices.js';
import type { FirmwareImage } from '../core/hex/image.js';
import { planWrite } from '../core/image-check.js';
import { isProtocolId, type ProtocolId } from '../core/programmer.js';
import type { FlashRequest } from '../core/session.js';
import type { Settings } from '../store/settings.js';

export type BoardChoice =
  | { readonly kind: 'auto' }
  | { readonly kind: 'preset'; readonly board: BoardId }
  | { readonly kind: 'custom'; readonly mcu: McuId | 'auto'; readonly protocol: ProtocolId | 'auto'; readonly baud: number | 'auto' };

export const AUTO_CHOICE: BoardChoice = { kind: 'auto' };
export const DEFAULT_CUSTOM: BoardChoice = { kind: 'custom', mcu: 'atmega328p', protocol: 'stk500v1', baud: 115200 };
export const BAUD_RATES: readonly number[] = [19200, 38400, 57600, 115200, 230400, 250000, 500000, 1000000];

export function choiceLabel(c: BoardChoice): string {
  switch (c.kind) {
    case 'auto':
      return 'Detect automatically';
    case 'preset':
      return BOARDS[c.board].name;
    case 'custom': {
      const mcu = c.mcu === 'auto' ? 'any MCU' : DEVICES[c.mcu].name;
      const protocol = c.protocol === 'auto' ? 'any protocol' : c.protocol.toUpperCase();
      const baud = c.baud === 'auto' ? 'any baud' : `${c.baud} baud`;
      return `Custom (${mcu}, ${protocol}, ${baud})`;
    }
  }
}

/** The FlashRequest fields for a choice (the image is added by the caller). */
export function requestFor(c: BoardChoice): Omit<FlashRequest, 'image'> {
  switch (c.kind) {
    case 'auto':
      return { protocol: 'auto' };
    case 'preset':
      return { board: c.board };
    case 'custom':
      return {
        protocol: c.protocol,
        ...(c.mcu === 'auto' ? {} : { mcu: c.mcu }),
        ...(c.baud === 'auto' ? {} : { baud: c.baud }),
      };
  }
}

/**
 * Refuses an image that cannot fit the chosen chip before the port chooser opens (the session
 * checks again once it knows the chip). Throws the core's FlashError.
 */
export function precheckImage(image: FirmwareImage, c: BoardChoice): void {
  if (c.kind === 'preset') {
    const b = BOARDS[c.board];
    planWrite(image, DEVICES[b.mcu], b.bootloaderBytes);
  } else if (c.kind === 'custom' && c.mcu !== 'auto') {
    const protocol = c.protocol === 'auto' ? 'stk500v1' : c.protocol;
    planWrite(image, DEVICES[c.mcu], DEFAULT_BOOTLOADER_BYTES[c.mcu][protocol]);
  } else if (image.dataBytes === 0) {
    planWrite(image, DEVICES.atmega2560, 0);
  }
}

const KEY = 'board';

export function loadChoice(settings: Settings): BoardChoice {
  const raw = settings.read(KEY);
  if (raw === null) return AUTO_CHOICE;
  try {
    return parseChoice(JSON.parse(raw) as unknown) ?? AUTO_CHOICE;
  } catch {
    return AUTO_CHOICE;
  }
}

export function saveChoice(settings: Settings, c: BoardChoice): void {
  settings.write(KEY, JSON.stringify(c));
}

/** Validates a stored choice field by field; anything unknown gives undefined. */
export function parseChoice(v: unknown): BoardChoice | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  const o = v as Record<string, unknown>;
  if (o.kind === 'auto') return AUTO_CHOICE;
  if (o.kind === 'preset' && typeof o.board === 'string' && isBoardId(o.board)) return { kind: 'preset', board: o.board };
  if (o.kind === 'custom') {
    const mcu = o.mcu === 'auto' || (typeof o.mcu === 'string' && isMcuId(o.mcu)) ? o.mcu : undefined;
    const protocol = o.protocol === 'auto' || (typeof o.protocol === 'string' && isProtocolId(o.protocol)) ? o.protocol : undefined;
    const baud = o.baud === 'auto' || (typeof o.baud === 'number' && Number.isInteger(o.baud) && o.baud > 0) ? o.baud : undefined;
    if (mcu !== undefined && protocol !== undefined && baud !== undefined) return { kind: 'custom', mcu, protocol, baud };
  }
  return undefined;
}
