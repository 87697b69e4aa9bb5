// serialport bindings over an emulated ATmega32U4's USB device (usb-device.ts), for the CLI: the
// port list shows the device's current identity (the sketch's 2341:8036, or after the 1200-baud
// touch the bootloader's 2341:0036, under the same /dev/ttyACM0 as Linux's cdc_acm gives it once the
// sketch's port is gone), opening a port that vanished fails as the kernel's ENOENT, and a port that
// vanishes while open errors its reads as an unplugged device does.
import type { SerialPortMock } from 'serialport';
import type { SerialBinding } from '../../src/transports/node-serial.js';
import type { HubPort, PortSink } from './serial-hub.js';
import type { EmulatedSerialPort } from './serial-port.js';

type OpenOptions = Parameters<typeof SerialPortMock.binding.open>[0];
type BindingPort = Awaited<ReturnType<SerialBinding['open']>>;

const hex4 = (n: number | undefined): string | undefined => (n === undefined ? undefined : n.toString(16).padStart(4, '0'));

export class MockUsbSerial implements PortSink {
  /** The port the device shows now, under `path`. */
  private current: EmulatedSerialPort | null = null;
  /** Every open() the host made, with the baud. */
  readonly opens: { path: string; baud: number }[] = [];

  constructor(readonly path = '/dev/ttyACM0') {}

  plug(port: HubPort): void {
    this.current = port as EmulatedSerialPort;
  }

  unplug(port: HubPort): void {
    if (this.current === port) this.current = null;
  }

  readonly binding: SerialBinding = {
    list: async () => {
      const p = this.current;
      if (!p) return [];
      const info = p.getInfo();
      return [
        {
          path: this.path,
          manufacturer: 'Arduino LLC',
          serialNumber: undefined,
          pnpId: undefined,
          locationId: undefined,
          vendorId: hex4(info.usbVendorId),
          productId: hex4(info.usbProductId),
        },
      ];
    },
    open: async (options: OpenOptions) => {
      const port = this.current;
      if (!port || options.path !== this.path) {
        throw Object.assign(new Error(`Error: No such file or directory, cannot open ${options.path}`), { code: 'ENOENT' });
      }
      this.opens.push({ path: options.path, baud: options.baudRate });
      await port.open({ baudRate: options.baudRate });
      return bindingPort(port, { ...defaults, ...options });
    },
  };
}

const defaults = {
  dataBits: 8,
  lock: true,
  stopBits: 1,
  parity: 'none',
  rtscts: false,
  xon: false,
  xoff: false,
  xany: false,
  hupcl: true,
} as const;

function bindingPort(port: EmulatedSerialPort, openOptions: Required<OpenOptions>): BindingPort {
  const reader = (port.readable as ReadableStream<Uint8Array>).getReader();
  const writer = (port.writable as WritableStream<Uint8Array>).getWriter();
  let left: Uint8Array = new Uint8Array(0);
  let closing = false;
  let baud = openOptions.baudRate;
  const self = {
    openOptions,
    isOpen: true,
    async read(buffer: Buffer, offset: number, length: number) {
      while (left.length === 0) {
        let chunk: ReadableStreamReadResult<Uint8Array>;
        try {
          chunk = await reader.read();
        } catch (e) {
          throw closing ? Object.assign(new Error('Canceled'), { canceled: true }) : Object.assign(new Error(`Device disconnected (${String(e)})`), { disconnected: true });
        }
        if (chunk.done) throw Object.assign(new Error('Canceled'), { canceled: true });
        left = chunk.value;
      }
      const n = Math.min(length, left.length);
      buffer.set(left.subarray(0, n), offset);
      left = left.subarray(n);
      return { buffer, bytesRead: n };
    },
    async write(buffer: Buffer) {
      await writer.write(new Uint8Array(buffer));
    },
    async update(o: { baudRate: number }) {
      baud = o.baudRate;
    },
    async set(o: { dtr?: boolean; rts?: boolean }) {
      await port.setSignals({
        ...(o.dtr !== undefined ? { dataTerminalReady: o.dtr } : {}),
        ...(o.rts !== undefined ? { requestToSend: o.rts } : {}),
      });
    },
    async get() {
      return { cts: true, dsr: true, dcd: false };
    },
    async getBaudRate() {
      return { baudRate: baud };
    },
    async flush() {},
    async drain() {},
    async close() {
      closing = true;
      self.isOpen = false;
      await reader.cancel().catch(() => undefined);
      reader.releaseLock();
      writer.releaseLock();
      await port.close().catch(() => undefined);
    },
  };
  return self as unknown as BindingPort;
}
