// serialport's mock binding wired to an emulated board: what the host writes reaches the board's
// UART at the baud the port is set to (a wrong baud garbles it, as on a real line), set({dtr, rts})
// drives the board's reset circuit, and opening asserts both lines and closing drops them (Linux
// does so with HUPCL). Covers what a pseudo-terminal cannot carry: modem lines and baud.
import { SerialPortMock } from 'serialport';
import type { SerialBinding } from '../../src/transports/node-serial.js';
import type { EmulatedBoard } from './board.js';

const MockBinding = SerialPortMock.binding;

export interface MockSerialWire {
  readonly binding: SerialBinding;
  /** Every set() the host made, in order. */
  readonly signals: { dtr?: boolean; rts?: boolean }[];
  /** Every baud the port was opened or updated to, in order. */
  readonly bauds: number[];
  opens: number;
}

export interface MockPortInfo {
  readonly vendorId?: string;
  readonly productId?: string;
  readonly manufacturer?: string;
}

export function wireMockSerial(board: EmulatedBoard, path: string, info: MockPortInfo = {}): MockSerialWire {
  MockBinding.createPort(path, { record: false, echo: false, ...info });
  const wire: MockSerialWire = {
    signals: [],
    bauds: [],
    opens: 0,
    binding: {
      list: () => MockBinding.list(),
      open: async (options: Parameters<typeof MockBinding.open>[0]) => {
        const port = await MockBinding.open(options);
        let baud = options.baudRate;
        wire.opens++;
        wire.bauds.push(baud);
        const { write, set, update, close } = port;
        port.write = async (buffer: Buffer) => {
          await write.call(port, buffer);
          board.hostWrite(new Uint8Array(buffer), baud);
        };
        port.set = async (o: { dtr?: boolean; rts?: boolean }) => {
          await set.call(port, o);
          wire.signals.push({ ...(o.dtr !== undefined ? { dtr: o.dtr } : {}), ...(o.rts !== undefined ? { rts: o.rts } : {}) });
          board.setSignals({ ...(o.dtr !== undefined ? { dataTerminalReady: o.dtr } : {}), ...(o.rts !== undefined ? { requestToSend: o.rts } : {}) });
        };
        port.update = async (o: { baudRate: number }) => {
          await update.call(port, o);
          baud = o.baudRate;
          wire.bauds.push(baud);
        };
        port.close = async () => {
          board.onHostData = null;
          board.setSignals({ dataTerminalReady: false, requestToSend: false });
          await close.call(port);
        };
        board.onHostData = (bytes) => {
          if (port.isOpen) port.emitData(Buffer.from(bytes));
        };
        board.setSignals({ dataTerminalReady: true, requestToSend: true });
        return port;
      },
    },
  };
  return wire;
}
