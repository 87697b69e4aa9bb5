// Board presets as data: which MCU, which bootloader protocol and baud, how big the bootloader is,
// and how the board is reset (DTR/RTS pulse, or for ATmega32U4 boards the 1200-baud touch).
// "Custom" in the app is a preset the user fills in.
import type { McuId } from './devices.js';
import type { ProtocolId } from './programmer.js';
import type { ResetName } from './reset.js';

export interface Board {
  readonly name: string;
  readonly mcu: McuId;
  readonly protocol: ProtocolId;
  readonly baud: number;
  /** Size of the installed bootloader, which the firmware must stay below. */
  readonly bootloaderBytes: number;
  readonly bootloader: string;
  readonly reset: ResetName;
  /**
   * The bootloader is entered by the "1200-baud touch": the sketch's USB serial port is opened at
   * 1200 baud and closed, the chip resets and comes back as the bootloader's USB device (another
   * product ID) for 8 seconds (ATmega32U4 with Caterina). The baud is then irrelevant (USB CDC).
   */
  readonly touch1200?: boolean;
}

const CATERINA = { mcu: 'atmega32u4', protocol: 'avr109', baud: 57600, bootloaderBytes: 4096, bootloader: 'Caterina', reset: 'none', touch1200: true } as const;
const ATMEGABOOT_168_19200 = { mcu: 'atmega168', protocol: 'stk500v1', baud: 19200, bootloaderBytes: 2048, bootloader: 'ATmegaBOOT', reset: 'arduino' } as const;

export const BOARDS = {
  'arduino-uno': {
    name: 'Arduino Uno',
    mcu: 'atmega328p',
    protocol: 'stk500v1',
    baud: 115200,
    bootloaderBytes: 512,
    bootloader: 'optiboot',
    reset: 'arduino',
  },
  'arduino-nano': {
    name: 'Arduino Nano (new bootloader)',
    mcu: 'atmega328p',
    protocol: 'stk500v1',
    baud: 115200,
    bootloaderBytes: 512,
    bootloader: 'optiboot',
    reset: 'arduino',
  },
  'arduino-nano-old': {
    name: 'Arduino Nano (old bootloader)',
    mcu: 'atmega328p',
    protocol: 'stk500v1',
    baud: 57600,
    bootloaderBytes: 2048,
    bootloader: 'ATmegaBOOT',
    reset: 'arduino',
  },
  'arduino-mega2560': {
    name: 'Arduino Mega 2560',
    mcu: 'atmega2560',
    protocol: 'stk500v2',
    baud: 115200,
    bootloaderBytes: 8192,
    bootloader: 'stk500boot (wiring)',
    reset: 'arduino',
  },
  'arduino-mega1280': {
    name: 'Arduino Mega (ATmega1280)',
    mcu: 'atmega1280',
    protocol: 'stk500v1',
    baud: 57600,
    bootloaderBytes: 4096,
    bootloader: 'ATmegaBOOT',
    reset: 'arduino',
  },
  ramps: {
    name: 'RAMPS 1.4 (Mega 2560)',
    mcu: 'atmega2560',
    protocol: 'stk500v2',
    baud: 115200,
    bootloaderBytes: 8192,
    bootloader: 'stk500boot (wiring)',
    reset: 'arduino',
  },
  'mks-gen-l': {
    name: 'MKS Gen L (ATmega2560)',
    mcu: 'atmega2560',
    protocol: 'stk500v2',
    baud: 115200,
    bootloaderBytes: 8192,
    bootloader: 'stk500boot (wiring)',
    reset: 'arduino',
  },
  'ultimaker-2': {
    name: 'Ultimaker 2 (ATmega2560)',
    mcu: 'atmega2560',
    protocol: 'stk500v2',
    baud: 115200,
    bootloaderBytes: 8192,
    bootloader: 'stk500boot (wiring)',
    reset: 'arduino',
  },
  'prusa-mk3': {
    name: 'Prusa i3 MK2/MK3 (Einsy/MiniRambo, ATmega2560)',
    mcu: 'atmega2560',
    protocol: 'stk500v2',
    baud: 115200,
    bootloaderBytes: 8192,
    bootloader: 'stk500boot (wiring)',
    reset: 'arduino',
  },
  'anet-a8': {
    name: 'Anet A8 / A6 (ATmega1284P)',
    mcu: 'atmega1284p',
    protocol: 'stk500v1',
    baud: 57600,
    bootloaderBytes: 2048,
    bootloader: 'ATmegaBOOT (Sanguino)',
    reset: 'arduino',
  },
  melzi: {
    name: 'Creality / Melzi (ATmega1284P)',
    mcu: 'atmega1284p',
    protocol: 'stk500v1',
    baud: 115200,
    bootloaderBytes: 1024,
    bootloader: 'optiboot',
    reset: 'arduino',
  },
  'arduino-leonardo': { name: 'Arduino Leonardo', ...CATERINA },
  'arduino-micro': { name: 'Arduino Micro', ...CATERINA },
  'sparkfun-pro-micro-5v': { name: 'SparkFun Pro Micro 5 V (16 MHz)', ...CATERINA },
  'sparkfun-pro-micro-3v3': { name: 'SparkFun Pro Micro 3.3 V (8 MHz)', ...CATERINA },
  'lilypad-usb': { name: 'LilyPad Arduino USB', ...CATERINA },
  'arduino-esplora': { name: 'Arduino Esplora', ...CATERINA },
  'prusa-mmu2': { name: 'Prusa MMU2 control board (ATmega32U4)', ...CATERINA },
  'arduino-diecimila': { name: 'Arduino Diecimila / Duemilanove (ATmega168)', ...ATMEGABOOT_168_19200 },
  'arduino-ng-168': { name: 'Arduino NG, Mini 168, Pro 168 (ATmega168)', ...ATMEGABOOT_168_19200 },
  'arduino-bt': { name: 'Arduino BT (ATmega328)', mcu: 'atmega328', protocol: 'stk500v1', baud: 19200, bootloaderBytes: 2048, bootloader: 'ATmegaBOOT (BT)', reset: 'arduino' },
  'arduino-atmega8': {
    name: 'Arduino NG or older (ATmega8)',
    mcu: 'atmega8',
    protocol: 'stk500v1',
    baud: 19200,
    bootloaderBytes: 1024,
    bootloader: 'ATmegaBOOT (ATmega8)',
    reset: 'arduino',
  },
} as const satisfies Record<string, Board>;

export type BoardId = keyof typeof BOARDS;
export const BOARD_IDS = Object.keys(BOARDS) as BoardId[];

export function isBoardId(s: string): s is BoardId {
  return Object.prototype.hasOwnProperty.call(BOARDS, s);
}

/**
 * Bootloader size assumed when only the MCU is known: the largest common bootloader for that
 * chip and protocol, so an image that fits is safe with any of them.
 */
export const DEFAULT_BOOTLOADER_BYTES: Readonly<Record<McuId, Readonly<Record<ProtocolId, number>>>> = {
  atmega8: { stk500v1: 1024, stk500v2: 2048, avr109: 2048 },
  atmega168: { stk500v1: 2048, stk500v2: 2048, avr109: 2048 },
  atmega168p: { stk500v1: 2048, stk500v2: 2048, avr109: 2048 },
  atmega328: { stk500v1: 2048, stk500v2: 2048, avr109: 2048 },
  atmega328p: { stk500v1: 512, stk500v2: 2048, avr109: 2048 },
  atmega32u4: { stk500v1: 4096, stk500v2: 4096, avr109: 4096 },
  atmega644p: { stk500v1: 4096, stk500v2: 8192, avr109: 8192 },
  atmega1280: { stk500v1: 4096, stk500v2: 8192, avr109: 8192 },
  atmega1284p: { stk500v1: 2048, stk500v2: 8192, avr109: 8192 },
  atmega2560: { stk500v1: 4096, stk500v2: 8192, avr109: 8192 },
};
