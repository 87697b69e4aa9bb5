// The port help: which case a flash's end calls for (from the DOMException name and the USB IDs),
// and what each case says on each platform (drivers by chip on Windows and macOS, dialout and
// brltty on Linux, the programs that hold a port).
import { describe, expect, it } from 'vitest';
import { IDLE_VIEW, reduceFlashView, startView, type FlashView } from '../../src/app/flash-view.js';
import { helpFor, type HelpInput } from '../../src/app/help-cause.js';
import { portHelp, type HelpModel } from '../../src/app/port-help.js';
import { FlashError } from '../../src/core/errors.js';
import type { PortInfo } from '../../src/app/port-info.js';

const CH340: PortInfo = { usbVendorId: 0x1a86, usbProductId: 0x7523, label: 'CH340 USB-serial adapter (USB 1a86:7523)' };
const MEGA: PortInfo = { usbVendorId: 0x2341, usbProductId: 0x0042, label: 'Arduino Mega 2560 R3 (USB 2341:0042)' };
const ODD: PortInfo = { usbVendorId: 0x1234, usbProductId: 0x5678, label: 'USB 1234:5678' };

function failed(error: FlashError, port: PortInfo | null): FlashView {
  return reduceFlashView(startView(true), { state: 'error', error, port });
}
const openError = (name: string): FlashError =>
  new FlashError('port-busy', 'The system refused to open it.', { cause: new DOMException('Failed to open serial port.', name) });
const text = (m: HelpModel): string => [m.title, m.intro, ...m.steps.flatMap((s) => [s.title, s.text, ...(s.commands ?? []), ...(s.links ?? []).map((l) => `${l.label} ${l.href}`)])].join('\n');

describe('helpFor', () => {
  it('asks for the empty-chooser help when the chooser closed without a port', () => {
    expect(helpFor(reduceFlashView(startView(true), { state: 'no-port' }), 'windows')).toEqual({ kind: 'empty-chooser', usb: null, platform: 'windows' });
  });

  it('tells a refused open (NetworkError) from a port open in this browser (InvalidStateError), with the port IDs', () => {
    expect(helpFor(failed(openError('NetworkError'), CH340), 'linux')).toEqual({ kind: 'open-refused', usb: { vid: 0x1a86, pid: 0x7523 }, platform: 'linux' });
    expect(helpFor(failed(openError('InvalidStateError'), MEGA), 'macos')?.kind).toBe('open-in-use');
  });

  it('asks for the unknown-adapter help when a flash fails on a USB ID not in the table, and for none on known ones', () => {
    const silent = new FlashError('no-bootloader', 'Tried STK500v1 at 115200.');
    expect(helpFor(failed(silent, ODD), 'linux')).toEqual({ kind: 'unknown-adapter', usb: { vid: 0x1234, pid: 0x5678 }, platform: 'linux' });
    expect(helpFor(failed(silent, { label: 'serial port (no USB IDs)' }), 'linux')?.kind).toBe('unknown-adapter');
    expect(helpFor(failed(silent, CH340), 'linux')).toBeNull();
  });

  it('offers no help when idle, after a success, when cancelled, or when refused before a port was chosen', () => {
    expect(helpFor(IDLE_VIEW, 'linux')).toBeNull();
    expect(helpFor(failed(new FlashError('aborted', ''), ODD), 'linux')).toBeNull();
    expect(helpFor(failed(new FlashError('image-too-large', ''), null), 'linux')).toBeNull();
    const done = reduceFlashView(startView(true), { state: 'opening', port: ODD });
    expect(helpFor(done, 'linux')).toBeNull(); // still running
  });
});

describe('portHelp', () => {
  const input = (kind: HelpInput['kind'], platform: HelpInput['platform'], usb: HelpInput['usb'] = null): HelpInput => ({ kind, platform, usb });

  it('empty chooser on Windows: charge-only cables, then the drivers by chip name with their download pages', () => {
    const m = portHelp(input('empty-chooser', 'windows'));
    expect(m.id).toBe('empty-chooser');
    const t = text(m);
    expect(t).toMatch(/only charge/);
    for (const chip of ['CH340/CH341', 'CH9102', 'CP210x', 'FTDI']) expect(t).toContain(`${chip} driver for Windows`);
    expect(t).toContain('https://www.wch-ic.com/downloads/CH341SER_EXE.html');
    expect(t).toContain('Device Manager');
    expect(t).not.toMatch(/dialout|brltty/);
  });

  it('empty chooser on macOS links the macOS drivers', () => {
    const t = text(portHelp(input('empty-chooser', 'macos')));
    expect(t).toContain('CH340/CH341 driver for macOS (WCH) https://www.wch-ic.com/downloads/CH34XSER_MAC_ZIP.html');
    expect(t).toContain('Privacy & Security');
    expect(t).not.toContain('Device Manager');
  });

  it('empty chooser on Linux: brltty grabbing CH340 on Ubuntu, no driver downloads', () => {
    const m = portHelp(input('empty-chooser', 'linux'));
    const t = text(m);
    expect(t).toMatch(/brltty/);
    expect(t).toContain('sudo apt remove brltty');
    expect(m.steps.some((s) => s.links)).toBe(false);
  });

  it('NetworkError on Linux: the dialout group and the programs that hold the port; brltty only for a CH340', () => {
    const ch = portHelp(input('open-refused', 'linux', { vid: 0x1a86, pid: 0x7523 }));
    expect(ch.id).toBe('open-failed');
    const t = text(ch);
    expect(t).toContain('sudo usermod -a -G dialout $USER');
    expect(t).toMatch(/OctoPrint/);
    expect(t).toMatch(/brltty/);
    const ftdi = text(portHelp(input('open-refused', 'linux', { vid: 0x0403, pid: 0x6001 })));
    expect(ftdi).toContain('dialout');
    expect(ftdi).not.toMatch(/brltty/);
  });

  it('NetworkError on Windows is a busy port: the programs to close, then the chip driver of this adapter', () => {
    const m = portHelp(input('open-refused', 'windows', { vid: 0x10c4, pid: 0xea60 }));
    expect(m.id).toBe('port-busy');
    const t = text(m);
    for (const p of ['OctoPrint', 'Cura', 'PrusaSlicer', 'Arduino IDE', 'Serial Monitor']) expect(t).toContain(p);
    expect(t).toContain('Reinstall the CP210x driver');
    expect(t).not.toMatch(/dialout/);
    expect(text(portHelp(input('open-refused', 'windows', { vid: 0x2341, pid: 0x0042 })))).not.toMatch(/driver/);
  });

  it('InvalidStateError: open in this browser first, then other programs', () => {
    const m = portHelp(input('open-in-use', 'linux', { vid: 0x2341, pid: 0x0042 }));
    expect(m.id).toBe('port-busy');
    expect(m.steps[0]?.title).toBe('Close it in this browser');
    expect(text(m)).toMatch(/OctoPrint/);
  });

  it('unknown adapter: names the USB ID, says what it may be and what to try', () => {
    const m = portHelp(input('unknown-adapter', 'linux', { vid: 0x1234, pid: 0x5678 }));
    expect(m.id).toBe('unknown-adapter');
    expect(m.title).toContain('USB 1234:5678');
    expect(m.intro).toMatch(/not in HexFlash's table/);
    expect(text(m)).toMatch(/Check the board choice/);
    const none = portHelp(input('unknown-adapter', 'windows', {}));
    expect(none.intro).toMatch(/no USB IDs/);
  });
});
