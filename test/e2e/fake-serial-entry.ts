// Test-only bundle the browser tests inject into the page (never part of the app build): replaces
// navigator.serial with an emulated one (test/emulator/serial-hub.ts) whose ports are wired to an
// emulated board running a real bootloader: a UART board's port wrapped in a FaultyPort for the
// failure paths, or an ATmega32U4's USB device whose port changes identity on the 1200-baud touch
// (test/emulator/usb-device.ts). The bytes the page sends a UART board are decoded into the flash
// reads and writes they ask for (test/helpers/command-log.ts). More UART boards can be plugged in
// beside the first (several boards at once), each read and unplugged by its number.
// The test drives it through window.__hexflashTest.
import type { BoardId } from '../../src/core/boards.js';
import { parseIntelHex } from '../../src/core/hex/intel-hex.js';
import { EmulatedBoard } from '../emulator/board.js';
import type { LinkModelName } from '../emulator/link-models.js';
import { EmulatedSerial, type HubPort } from '../emulator/serial-hub.js';
import { EmulatedSerialPort } from '../emulator/serial-port.js';
import { UsbCdcDevice, type UsbIdentity } from '../emulator/usb-device.js';
import { warmUp } from '../emulator/warm-up.js';
import { CommandLog, recordHostCommands, type FlashAccess } from '../helpers/command-log.js';
import { FaultyPort, type Fault } from './faulty-port.js';

export interface PlugSpec {
  readonly mcu: 'atmega2560' | 'atmega328p' | 'atmega1280' | 'atmega1284p' | 'atmega168' | 'atmega8' | 'atmega32u4';
  /** The bootloader's Intel HEX text, or null for a chip without one. */
  readonly bootloaderHex: string | null;
  readonly bootloaderStart: number;
  readonly fault?: Fault;
  /** An ATmega32U4 on its own USB: its IDs, and whether the page was granted the bootloader's port before. */
  readonly usb?: UsbIdentity & { readonly grantBootloader: boolean };
  /** Bytes of an old application already in flash, as hex (a 32U4 then starts its sketch). */
  readonly applicationHex?: string;
  /** Whether the page may open the UART board's port already (as if chosen on an earlier visit); default true. */
  readonly grant?: boolean;
  /** The UART port's USB IDs (default: a CH340, 1a86:7523). */
  readonly usbIds?: { readonly vid: number; readonly pid: number };
  /** The USB-serial adapter's timing model (test/emulator/link-models.ts); default 'fixed' at 0 ms. */
  readonly link?: LinkModelName;
  /** The board's speed (test/emulator/board.ts); default 'adaptive' (faster than real time while busy). Real time wants warmUp first. */
  readonly speed?: 'realtime' | 'locked' | 'adaptive';
}

export interface HexflashTestApi {
  plug(spec: PlugSpec): void;
  /** One flash of `board` on a throwaway copy of `spec`'s board on virtual time, and at real time through its adapter model if it runs at real time (test/emulator/warm-up.ts). */
  warmUp(board: BoardId, spec: PlugSpec): Promise<void>;
  unplug(): void;
  /** Pulls the UART board's USB plug (the board keeps its flash), and plugs it back in as a new port. */
  unplugPort(): void;
  replugPort(): void;
  /** The emulated flash, as a hex string (two digits a byte). */
  readFlash(start: number, length: number): string;
  /** How many times the page asked for a port. */
  requests(): number;
  /** Whether the plugged board's port is open (its readable or writable is not null). */
  portOpen(): boolean;
  /** A 32U4's port changes: "sketch 8036", "touch", "bootloader 0036", ... */
  usbHistory(): string[];
  /** The USB product ID of the port the 32U4 shows now (null while it re-enumerates). */
  usbProductId(): number | null;
  /** The filters of the last chooser the page opened. */
  lastFilters(): { usbVendorId?: number; usbProductId?: number }[];
  /** The flash reads and writes the page asked a UART board for since it was plugged in (or since clearAccesses). */
  flashAccesses(): FlashAccess[];
  clearAccesses(): void;
  /** Plugs in one more UART board beside those plugged already; returns its number for the calls below. */
  plugMore(spec: PlugSpec): number;
  readFlashOf(n: number, start: number, length: number): string;
  /** Pulls that board's USB plug mid-whatever (the board keeps its flash). */
  unplugPortOf(n: number): void;
  /** That board's emulator stats as JSON (E2E_DEBUG output). */
  statsOf(n: number): string;
  /** The next chooser offers the plugged port with these USB IDs (instead of the first one). */
  chooseIds(vid: number, pid: number): void;
  /**
   * Bytes the board's UART lost (sent while it could not take them), host writes sent ahead of an
   * answer, and how far the real-time board's CPU loop fell behind the wall clock (see Speed): the
   * emulated time it gave up ('realtime'), the most it was behind ('locked').
   */
  uartStats(): { bytesLost: number; writesAhead: number; lagMs: number; behindMs: number };
}

interface UartBoard {
  readonly board: EmulatedBoard;
  readonly faulty: FaultyPort;
}

const serial = new EmulatedSerial();
let board: EmulatedBoard | null = null;
let uartPort: { faulty: FaultyPort; inner: EmulatedSerialPort } | null = null;
let device: UsbCdcDevice | null = null;
let commands = new CommandLog();
let more: UartBoard[] = [];

const bootOf = (spec: PlugSpec): { bytes: Uint8Array; start: number } | null =>
  spec.bootloaderHex === null ? null : { bytes: parseIntelHex(spec.bootloaderHex).bytes, start: spec.bootloaderStart };
const fromHex = (hex: string): Uint8Array => Uint8Array.from(hex.match(/../g) ?? [], (h) => parseInt(h, 16));

const api: HexflashTestApi = {
  plug(spec) {
    api.unplug();
    serial.revokeAll();
    board = new EmulatedBoard({
      mcu: spec.mcu,
      bootloader: bootOf(spec),
      speed: spec.speed ?? 'adaptive',
      usbCdc: spec.usb !== undefined,
      ...(spec.link ? { link: spec.link } : {}),
      ...(spec.applicationHex ? { application: fromHex(spec.applicationHex) } : {}),
    });
    board.start();
    if (spec.usb) {
      device = new UsbCdcDevice(board, spec.usb, serial);
      serial.grantIds(spec.usb.vid, spec.usb.sketchPid);
      if (spec.usb.grantBootloader) serial.grantIds(spec.usb.vid, spec.usb.bootloaderPid);
      return;
    }
    commands = recordHostCommands(board);
    const inner = new EmulatedSerialPort(board, spec.usbIds ? { usbVendorId: spec.usbIds.vid, usbProductId: spec.usbIds.pid } : {});
    const faulty = new FaultyPort(inner as unknown as SerialPort, spec.fault ?? { kind: 'none' });
    uartPort = { faulty, inner };
    // Granted first, as for a device chosen on an earlier visit: its connect event finds it in getPorts().
    if (spec.grant !== false) serial.grant(faulty as unknown as HubPort);
    serial.plug(faulty as unknown as HubPort);
  },
  warmUp: (id, spec) => warmUp(id, { mcu: spec.mcu, bootloader: bootOf(spec) }, spec.speed === 'locked' || spec.speed === 'realtime' ? { link: spec.link ?? 'fixed' } : undefined),
  unplugPort() {
    if (!uartPort) throw new Error('no UART board plugged in');
    uartPort.faulty.unplug();
    serial.unplug(uartPort.faulty as unknown as HubPort);
  },
  replugPort() {
    if (!uartPort) throw new Error('no UART board plugged in');
    // Chrome hands out a new SerialPort object for a device plugged in again; its grant (by USB ID here) stays.
    const faulty = new FaultyPort(uartPort.inner as unknown as SerialPort, { kind: 'none' });
    uartPort = { faulty, inner: uartPort.inner };
    serial.plug(faulty as unknown as HubPort);
  },
  unplug() {
    for (const m of more) {
      m.faulty.unplug();
      serial.unplug(m.faulty as unknown as HubPort);
      void m.board.stop();
    }
    more = [];
    if (uartPort) {
      uartPort.faulty.unplug();
      serial.unplug(uartPort.faulty as unknown as HubPort);
      uartPort = null;
    }
    device?.unplug();
    device = null;
    void board?.stop();
    board = null;
  },
  readFlash(start, length) {
    if (!board) throw new Error('no board plugged in');
    return hexOf(board.flash.subarray(start, start + length));
  },
  requests: () => serial.requests,
  portOpen: () => {
    const p = uartPort?.inner ?? device?.port ?? null;
    return p !== null && (p.readable !== null || p.writable !== null);
  },
  usbHistory: () => [...(device?.history ?? [])],
  usbProductId: () => device?.port?.getInfo().usbProductId ?? null,
  lastFilters: () => serial.lastFilters.map((f) => ({ ...f })),
  flashAccesses: () => [...commands.accesses],
  clearAccesses: () => {
    commands.accesses.length = 0;
  },
  plugMore(spec) {
    const b = new EmulatedBoard({ mcu: spec.mcu, bootloader: bootOf(spec), speed: 'adaptive' });
    b.start();
    const inner = new EmulatedSerialPort(b, spec.usbIds ? { usbVendorId: spec.usbIds.vid, usbProductId: spec.usbIds.pid } : {});
    const faulty = new FaultyPort(inner as unknown as SerialPort, spec.fault ?? { kind: 'none' });
    if (spec.grant !== false) serial.grant(faulty as unknown as HubPort);
    serial.plug(faulty as unknown as HubPort);
    more.push({ board: b, faulty });
    return more.length - 1;
  },
  readFlashOf: (n, start, length) => hexOf(nth(n).board.flash.subarray(start, start + length)),
  unplugPortOf(n) {
    const m = nth(n);
    m.faulty.unplug();
    serial.unplug(m.faulty as unknown as HubPort);
    // Unplugged, a USB-powered board is off: its emulation must not keep taking the page's thread.
    void m.board.stop();
  },
  statsOf(n) {
    const b = nth(n).board;
    return JSON.stringify({ ...b.stats, emulatedMs: Math.round(b.cycles / (b.clockHz / 1000)), idle: b.idle?.stats ?? null });
  },
  chooseIds(vid, pid) {
    serial.chooser = (offered) => {
      serial.chooser = (o) => o[0] ?? null;
      return offered.find((p) => p.getInfo().usbVendorId === vid && p.getInfo().usbProductId === pid) ?? null;
    };
  },
  uartStats: () => ({ bytesLost: board?.stats.bytesLost ?? 0, writesAhead: board?.stats.writesAhead ?? 0, lagMs: board?.stats.lagMs ?? 0, behindMs: board?.stats.behindMs ?? 0 }),
};

function nth(n: number): UartBoard {
  const m = more[n];
  if (!m) throw new Error(`no extra board ${n} plugged in`);
  return m;
}

function hexOf(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

Object.defineProperty(Navigator.prototype, 'serial', { configurable: true, get: () => serial });
Object.defineProperty(window, '__hexflashTest', { configurable: true, value: api });
