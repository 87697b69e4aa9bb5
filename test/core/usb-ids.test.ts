// The USB table: exact IDs first, the vendor's fallback row second, unknown IDs as bare numbers.
import { describe, expect, it } from 'vitest';
import { BOARDS } from '../../src/core/boards.js';
import { bootloadersAfterTouch, identifyUsb, USB_DEVICES, usbLabel } from '../../src/core/usb-ids.js';

describe('USB IDs', () => {
  it('names the common boards and adapters', () => {
    expect(identifyUsb(0x2341, 0x0042)?.board).toBe('arduino-mega2560');
    expect(identifyUsb(0x1a86, 0x7523)?.chip).toBe('CH340');
    expect(identifyUsb(0x2c99, 0x0002)?.name).toContain('MK3');
    expect(usbLabel(0x0403, 0x6001)).toBe('FTDI FT232R USB-serial adapter (USB 0403:6001)');
  });

  it('falls back to the vendor, then to the bare IDs', () => {
    expect(identifyUsb(0x0403, 0x6014)?.name).toBe('FTDI USB-serial adapter');
    expect(usbLabel(0x1234, 0x5678)).toBe('USB 1234:5678');
    expect(usbLabel(undefined, undefined)).toBe('serial port (no USB IDs)');
  });

  it('holds each vid:pid once and names only existing board presets', () => {
    const keys = USB_DEVICES.map((d) => `${d.vid}:${d.pid ?? '*'}`);
    expect(new Set(keys).size).toBe(keys.length);
    for (const d of USB_DEVICES) if (d.board !== undefined) expect(Object.keys(BOARDS)).toContain(d.board);
  });

  it('knows the ATmega32U4 boards in sketch and bootloader mode, before any byte is sent', () => {
    const pairs: [number, number, number, string][] = [
      [0x2341, 0x8036, 0x0036, 'arduino-leonardo'],
      [0x2341, 0x8037, 0x0037, 'arduino-micro'],
      [0x1b4f, 0x9206, 0x9205, 'sparkfun-pro-micro-5v'],
      [0x2c99, 0x0004, 0x0003, 'prusa-mmu2'],
    ];
    for (const [vid, sketch, boot, board] of pairs) {
      expect(identifyUsb(vid, sketch)).toMatchObject({ role: 'board', board, chip: 'ATmega32U4' });
      expect(identifyUsb(vid, boot)).toMatchObject({ role: 'bootloader', board });
      expect(BOARDS[board as keyof typeof BOARDS].protocol).toBe('avr109');
      expect(bootloadersAfterTouch(vid, sketch).map((d) => d.pid)).toEqual([boot]);
    }
  });

  it('expects no bootloader port after a touch for boards that are not touch boards', () => {
    expect(bootloadersAfterTouch(0x2341, 0x0042)).toEqual([]);
    expect(bootloadersAfterTouch(0x1a86, 0x7523)).toEqual([]);
    expect(bootloadersAfterTouch(undefined, undefined)).toEqual([]);
  });
});
