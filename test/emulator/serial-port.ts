// A W3C Web Serial SerialPort look-alike wired to an EmulatedBoard, for in-process tests and for the
// browser tests (it replaces navigator.serial's ports in the page). Like Chrome it asserts DTR and
// RTS on open (which resets the board), refuses to close while a stream is locked, drops input past
// bufferSize, and can be made busy or unplugged. `onClose` tells a USB device model (usb-device.ts)
// the baud the port was open at, which is how a 32U4 sketch sees the 1200-baud touch.
import type { EmulatedBoard } from './board.js';

export interface EmulatedPortOptions {
  /** Make open() fail as Chrome does for a port another program holds. */
  failOpen?: 'busy' | null;
  usbVendorId?: number;
  usbProductId?: number;
  /** Called after each close with the baud the port was open at. */
  onClose?: (baud: number) => void;
}

export class EmulatedSerialPort extends EventTarget {
  readable: ReadableStream<Uint8Array> | null = null;
  writable: WritableStream<Uint8Array> | null = null;
  ondisconnect: ((this: EmulatedSerialPort, ev: Event) => unknown) | null = null;
  onconnect: ((this: EmulatedSerialPort, ev: Event) => unknown) | null = null;
  get connected(): boolean {
    return !this.gone;
  }
  /** Bytes dropped because the page did not read them fast enough (buffer overrun). */
  overrunBytes = 0;
  opens = 0;
  private isOpen = false;
  private baud = 0;
  private rxController: ReadableStreamDefaultController<Uint8Array> | null = null;
  private signals = { dataTerminalReady: false, requestToSend: false };
  private gone = false;

  constructor(
    readonly board: EmulatedBoard,
    readonly options: EmulatedPortOptions = {},
  ) {
    super();
  }

  getInfo(): { usbVendorId?: number; usbProductId?: number } {
    return { usbVendorId: this.options.usbVendorId ?? 0x1a86, usbProductId: this.options.usbProductId ?? 0x7523 };
  }

  async open(options: { baudRate: number; bufferSize?: number }): Promise<void> {
    if (this.gone) throw new DOMException('The device has been lost.', 'NetworkError');
    if (this.isOpen) throw new DOMException('The port is already open.', 'InvalidStateError');
    if (this.options.failOpen === 'busy') throw new DOMException('Failed to open serial port.', 'NetworkError');
    if (!(options.baudRate > 0)) throw new TypeError('baudRate must be positive');
    const bufferSize = options.bufferSize ?? 255;
    this.isOpen = true;
    this.opens++;
    this.baud = options.baudRate;
    this.board.setHostBaud(options.baudRate);
    this.readable = new ReadableStream<Uint8Array>(
      {
        start: (c) => {
          this.rxController = c;
        },
        cancel: () => {
          this.rxController = null;
        },
      },
      { highWaterMark: bufferSize, size: (chunk) => chunk?.byteLength ?? 0 },
    );
    this.board.onHostData = (bytes) => {
      const c = this.rxController;
      if (!c) return;
      const room = c.desiredSize ?? 0;
      if (room < bytes.length) {
        this.overrunBytes += bytes.length - Math.max(0, room);
        if (room <= 0) return;
        bytes = bytes.subarray(0, room);
      }
      c.enqueue(bytes);
    };
    this.writable = new WritableStream<Uint8Array>({
      write: (chunk) => {
        if (this.gone) throw new DOMException('The device has been lost.', 'NetworkError');
        this.board.hostWrite(chunk, this.baud);
      },
    });
    await this.setSignals({ dataTerminalReady: true, requestToSend: true });
  }

  async setSignals(s: { dataTerminalReady?: boolean; requestToSend?: boolean; break?: boolean }): Promise<void> {
    if (!this.isOpen) throw new DOMException('The port is closed.', 'InvalidStateError');
    if (this.gone) throw new DOMException('The device has been lost.', 'NetworkError');
    if (s.dataTerminalReady !== undefined) this.signals.dataTerminalReady = s.dataTerminalReady;
    if (s.requestToSend !== undefined) this.signals.requestToSend = s.requestToSend;
    this.board.setSignals(this.signals);
  }

  async getSignals(): Promise<{ dataCarrierDetect: boolean; clearToSend: boolean; ringIndicator: boolean; dataSetReady: boolean }> {
    return { dataCarrierDetect: false, clearToSend: true, ringIndicator: false, dataSetReady: true };
  }

  async close(): Promise<void> {
    if (!this.isOpen) throw new DOMException('The port is already closed.', 'InvalidStateError');
    if (this.readable?.locked || this.writable?.locked) throw new TypeError('Cannot close a port with a locked stream.');
    await this.readable?.cancel().catch(() => undefined);
    await this.writable?.abort().catch(() => undefined);
    this.board.onHostData = null;
    this.readable = null;
    this.writable = null;
    this.rxController = null;
    this.isOpen = false;
    this.signals = { dataTerminalReady: false, requestToSend: false };
    this.board.setSignals(this.signals);
    this.options.onClose?.(this.baud);
  }

  /** For tests: the USB device goes away (unplugged, or the adapter resets). */
  disconnect(): void {
    this.gone = true;
    const err = new DOMException('The device has been lost.', 'NetworkError');
    try {
      this.rxController?.error(err);
    } catch {
      /* already closed */
    }
    this.rxController = null;
    this.board.onHostData = null;
    const ev = new Event('disconnect');
    this.dispatchEvent(ev);
    void this.ondisconnect?.call(this, ev);
  }
}
