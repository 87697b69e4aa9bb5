// Test-only bundle the browser tests inject into the page (never part of the app build): replaces
// navigator.serial with an object whose requestPort() returns an EmulatedSerialPort wired to an
// emulated board running a real bootloader, wrapped in a FaultyPort for the failure paths. The
// test drives it through window.__hexflashTest.
import { parseIntelHex } from '../../src/core/hex/intel-hex.js';
import { EmulatedBoard } from '../emulator/board.js';
import { EmulatedSerialPort } from '../emulator/serial-port.js';
import { FaultyPort, type Fault } from './faulty-port.js';

export interface PlugSpec {
  readonly mcu: 'atmega2560' | 'atmega328p' | 'atmega1280' | 'atmega1284p';
  /** The bootloader's Intel HEX text, or null for a chip without one. */
  readonly bootloaderHex: string | null;
  readonly bootloaderStart: number;
  readonly fault?: Fault;
}

export interface HexflashTestApi {
  plug(spec: PlugSpec): void;
  unplug(): void;
  /** The emulated flash, as a hex string (two digits a byte). */
  readFlash(start: number, length: number): string;
  /** How many times the page asked for a port. */
  requests(): number;
  /** Whether the plugged board's port is open (its readable or writable is not null). */
  portOpen(): boolean;
}

class TestSerial extends EventTarget {
  port: FaultyPort | null = null;
  requestCount = 0;
  onconnect: ((ev: Event) => unknown) | null = null;
  ondisconnect: ((ev: Event) => unknown) | null = null;

  async requestPort(): Promise<SerialPort> {
    this.requestCount++;
    if (!this.port) throw new DOMException('No port selected by the user.', 'NotFoundError');
    return this.port as unknown as SerialPort;
  }

  async getPorts(): Promise<SerialPort[]> {
    return this.port ? [this.port as unknown as SerialPort] : [];
  }
}

const serial = new TestSerial();
let board: EmulatedBoard | null = null;
let emulatedPort: EmulatedSerialPort | null = null;

const api: HexflashTestApi = {
  plug(spec) {
    api.unplug();
    const boot = spec.bootloaderHex === null ? null : { bytes: parseIntelHex(spec.bootloaderHex).bytes, start: spec.bootloaderStart };
    board = new EmulatedBoard({ mcu: spec.mcu, bootloader: boot, speed: 'adaptive' });
    board.start();
    emulatedPort = new EmulatedSerialPort(board);
    serial.port = new FaultyPort(emulatedPort as unknown as SerialPort, spec.fault ?? { kind: 'none' });
  },
  unplug() {
    serial.port?.unplug();
    serial.port = null;
    void board?.stop();
    board = null;
  },
  readFlash(start, length) {
    if (!board) throw new Error('no board plugged in');
    return Array.from(board.flash.subarray(start, start + length), (b) => b.toString(16).padStart(2, '0')).join('');
  },
  requests: () => serial.requestCount,
  portOpen: () => emulatedPort !== null && (emulatedPort.readable !== null || emulatedPort.writable !== null),
};

Object.defineProperty(Navigator.prototype, 'serial', { configurable: true, get: () => serial });
Object.defineProperty(window, '__hexflashTest', { configurable: true, value: api });
