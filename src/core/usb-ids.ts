// Known USB serial devices by vendor:product ID, as data: the boards' own USB chips (Arduino's
// 16U2/8U2 firmware, Prusa's), the common USB-serial adapters, and ATmega32U4 boards in sketch and
// bootloader mode. The CLI's `hexflash ports` and the app's port labels read this one table.

export type UsbRole = 'board' | 'adapter' | 'bootloader';

export interface UsbDevice {
  readonly vid: number;
  /** Undefined matches every product of the vendor (a fallback row). */
  readonly pid?: number;
  /** What it probably is, in a user's words: "Arduino Mega 2560", "CH340 USB-serial adapter". */
  readonly name: string;
  /** The USB chip, where it decides which driver a user needs. */
  readonly chip?: string;
  readonly role: UsbRole;
  /** The board preset it most likely is (boards.ts), when the ID says so. */
  readonly board?: string;
}

export const USB_DEVICES: readonly UsbDevice[] = [
  { vid: 0x2341, pid: 0x0043, name: 'Arduino Uno R3', chip: 'ATmega16U2', role: 'board', board: 'arduino-uno' },
  { vid: 0x2341, pid: 0x0001, name: 'Arduino Uno', chip: 'ATmega8U2', role: 'board', board: 'arduino-uno' },
  { vid: 0x2341, pid: 0x0243, name: 'Genuino Uno', chip: 'ATmega16U2', role: 'board', board: 'arduino-uno' },
  { vid: 0x2a03, pid: 0x0043, name: 'Arduino Uno (arduino.org)', chip: 'ATmega16U2', role: 'board', board: 'arduino-uno' },
  { vid: 0x2341, pid: 0x0042, name: 'Arduino Mega 2560 R3', chip: 'ATmega16U2', role: 'board', board: 'arduino-mega2560' },
  { vid: 0x2341, pid: 0x0010, name: 'Arduino Mega 2560', chip: 'ATmega8U2', role: 'board', board: 'arduino-mega2560' },
  { vid: 0x2341, pid: 0x0242, name: 'Genuino Mega 2560', chip: 'ATmega16U2', role: 'board', board: 'arduino-mega2560' },
  { vid: 0x2a03, pid: 0x0042, name: 'Arduino Mega 2560 (arduino.org)', chip: 'ATmega16U2', role: 'board', board: 'arduino-mega2560' },
  { vid: 0x2c99, pid: 0x0001, name: 'Original Prusa i3 MK2', role: 'board', board: 'prusa-mk3' },
  { vid: 0x2c99, pid: 0x0002, name: 'Original Prusa i3 MK3 (Einsy RAMBo)', role: 'board', board: 'prusa-mk3' },
  { vid: 0x27b1, pid: 0x0001, name: 'Ultimachine RAMBo', role: 'board', board: 'arduino-mega2560' },
  { vid: 0x2341, pid: 0x8036, name: 'Arduino Leonardo', chip: 'ATmega32U4', role: 'board', board: 'arduino-leonardo' },
  { vid: 0x2341, pid: 0x0036, name: 'Arduino Leonardo bootloader', chip: 'ATmega32U4', role: 'bootloader', board: 'arduino-leonardo' },
  { vid: 0x2341, pid: 0x8037, name: 'Arduino Micro', chip: 'ATmega32U4', role: 'board', board: 'arduino-micro' },
  { vid: 0x2341, pid: 0x0037, name: 'Arduino Micro bootloader', chip: 'ATmega32U4', role: 'bootloader', board: 'arduino-micro' },
  { vid: 0x2341, pid: 0x803c, name: 'Arduino Esplora', chip: 'ATmega32U4', role: 'board', board: 'arduino-esplora' },
  { vid: 0x2341, pid: 0x003c, name: 'Arduino Esplora bootloader', chip: 'ATmega32U4', role: 'bootloader', board: 'arduino-esplora' },
  { vid: 0x1b4f, pid: 0x9206, name: 'SparkFun Pro Micro', chip: 'ATmega32U4', role: 'board', board: 'sparkfun-pro-micro-5v' },
  { vid: 0x1b4f, pid: 0x9205, name: 'SparkFun Pro Micro bootloader', chip: 'ATmega32U4', role: 'bootloader', board: 'sparkfun-pro-micro-5v' },
  { vid: 0x1b4f, pid: 0x9208, name: 'SparkFun LilyPad USB', chip: 'ATmega32U4', role: 'board', board: 'lilypad-usb' },
  { vid: 0x1b4f, pid: 0x9207, name: 'SparkFun LilyPad USB bootloader', chip: 'ATmega32U4', role: 'bootloader', board: 'lilypad-usb' },
  { vid: 0x2c99, pid: 0x0004, name: 'Original Prusa MMU2', chip: 'ATmega32U4', role: 'board', board: 'prusa-mmu2' },
  { vid: 0x2c99, pid: 0x0003, name: 'Original Prusa MMU2 bootloader', chip: 'ATmega32U4', role: 'bootloader', board: 'prusa-mmu2' },
  { vid: 0x1a86, pid: 0x7523, name: 'CH340 USB-serial adapter', chip: 'CH340', role: 'adapter' },
  { vid: 0x1a86, pid: 0x5523, name: 'CH341 USB-serial adapter', chip: 'CH341', role: 'adapter' },
  { vid: 0x1a86, pid: 0x55d4, name: 'CH9102 USB-serial adapter', chip: 'CH9102', role: 'adapter' },
  { vid: 0x0403, pid: 0x6001, name: 'FTDI FT232R USB-serial adapter', chip: 'FTDI', role: 'adapter' },
  { vid: 0x0403, pid: 0x6015, name: 'FTDI FT-X USB-serial adapter', chip: 'FTDI', role: 'adapter' },
  { vid: 0x0403, name: 'FTDI USB-serial adapter', chip: 'FTDI', role: 'adapter' },
  { vid: 0x10c4, pid: 0xea60, name: 'CP210x USB-serial adapter', chip: 'CP210x', role: 'adapter' },
  { vid: 0x10c4, name: 'Silicon Labs CP210x USB-serial adapter', chip: 'CP210x', role: 'adapter' },
  { vid: 0x2341, name: 'Arduino board', role: 'board' },
];

const hex4 = (n: number): string => n.toString(16).padStart(4, '0');

/** "2341:0042", or "2341:????" when the product is unknown. */
export function usbIdText(vid: number, pid: number | undefined): string {
  return `${hex4(vid)}:${pid === undefined ? '????' : hex4(pid)}`;
}

/** The row for an exact vid:pid first, then the vendor's fallback row; undefined when unknown. */
export function identifyUsb(vid: number | undefined, pid: number | undefined): UsbDevice | undefined {
  if (vid === undefined) return undefined;
  return USB_DEVICES.find((d) => d.vid === vid && d.pid === pid) ?? USB_DEVICES.find((d) => d.vid === vid && d.pid === undefined);
}

/**
 * The bootloader rows that belong to the board a sketch's USB ID names (Leonardo 2341:8036 ->
 * 2341:0036): what a 1200-baud touch makes appear. Empty for IDs that are not a touch board's.
 */
export function bootloadersAfterTouch(vid: number | undefined, pid: number | undefined): readonly UsbDevice[] {
  const sketch = identifyUsb(vid, pid);
  if (!sketch || sketch.role !== 'board' || sketch.board === undefined) return [];
  return USB_DEVICES.filter((d) => d.role === 'bootloader' && d.vid === sketch.vid && d.board === sketch.board);
}

/** A port label for people: "Arduino Mega 2560 R3 (USB 2341:0042)", "USB 1234:5678", "serial port (no USB IDs)". */
export function usbLabel(vid: number | undefined, pid: number | undefined): string {
  if (vid === undefined) return 'serial port (no USB IDs)';
  const known = identifyUsb(vid, pid);
  const id = `USB ${usbIdText(vid, pid)}`;
  return known ? `${known.name} (${id})` : id;
}
