// Local serial ports in Node (/dev/ttyUSB0, /dev/ttyACM0, COM3) through the `serialport` package:
// the same ByteLink as Web Serial, with DTR/RTS through set() and baud changes through update(), so
// resets and protocol auto work as in the browser. A port without modem lines (a pseudo-terminal)
// cannot pass a reset on: that is said once, and the flash goes on.
import { SerialPortStream } from '@serialport/stream';
import { SerialPort } from 'serialport';
import { FlashError } from '../core/errors.js';
import type { Clock } from '../core/link/clock.js';
import { QueueLink } from '../core/link/queue-link.js';
import { systemClock } from './system-clock.js';

/** The bindings a port is opened with: the platform's own, or serialport's mock in tests. */
export type SerialBinding = ConstructorParameters<typeof SerialPortStream>[0]['binding'];

export interface NodeSerialOptions {
  readonly baud: number;
  readonly clock?: Clock;
  /** The bindings to open ports with; the platform's own by default, a mock in tests. */
  readonly binding?: SerialBinding;
  /** Told things the user should know about the port (no modem lines). */
  readonly onNote?: (text: string) => void;
}

/** A path that names a local serial port rather than a network address. */
export function isLocalPortPath(spec: string): boolean {
  return /^(\/dev\/|\\\\\.\\)/.test(spec) || /^COM\d+$/i.test(spec) || /^\/[^/]/.test(spec);
}

function call(fn: (cb: (e: Error | null | undefined) => void) => void): Promise<void> {
  return new Promise((resolve, reject) => fn((e) => (e ? reject(e) : resolve())));
}

const errno = (e: unknown): string => (e as NodeJS.ErrnoException | undefined)?.code ?? (e instanceof Error ? e.message : String(e));

function mapOpenError(path: string, e: unknown): FlashError {
  const text = e instanceof Error ? e.message : String(e);
  if (/ENOENT|No such file/i.test(text)) {
    return new FlashError('port-unreachable', `There is no serial port ${path}; \`hexflash ports\` lists the ports there are.`, { cause: e });
  }
  if (/EACCES|Permission denied/i.test(text)) {
    return new FlashError(
      'port-unreachable',
      `Permission denied opening ${path}. On Linux, add yourself to the dialout group (sudo usermod -aG dialout $USER) and log in again.`,
      { cause: e },
    );
  }
  if (/EBUSY|lock|Resource temporarily unavailable|Access denied/i.test(text)) {
    return new FlashError('port-busy', `${path} is held by another program (${text}).`, { cause: e });
  }
  return new FlashError('port-unreachable', `Could not open ${path} (${text}).`, { cause: e });
}

/** Modem-line errors that mean "this kind of port has none", not "the device is gone". */
const NO_MODEM_LINES = /ENOTTY|Inappropriate ioctl|EINVAL|Invalid argument|not supported/i;

export async function openNodeSerialLink(path: string, opts: NodeSerialOptions): Promise<QueueLink> {
  const clock = opts.clock ?? systemClock;
  const binding = opts.binding ?? SerialPort.binding;
  const port = new SerialPortStream({ binding, path, baudRate: opts.baud, autoOpen: false, hupcl: true });
  let closing = false;
  let modemLines = true;

  try {
    await call((cb) => port.open(cb));
  } catch (e) {
    throw mapOpenError(path, e);
  }
  port.on('data', (chunk: Buffer) => link.queue.push(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength)));
  port.on('close', (err: (Error & { disconnected?: boolean }) | null) => {
    if (!closing) link.fail(new FlashError('link-closed', `${path} went away${err ? ` (${err.message})` : ''}: the USB device was unplugged or reset.`));
  });
  port.on('error', () => undefined);

  const link: QueueLink = new QueueLink({
    description: path,
    clock,
    baud: opts.baud,
    write: async (bytes) => {
      try {
        await call((cb) => port.write(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), cb));
      } catch (e) {
        throw new FlashError('link-closed', `Writing to ${path} failed (${errno(e)}); the device may have been unplugged.`, { cause: e });
      }
    },
    setSignals: async (s) => {
      if (!modemLines) return;
      const set: { dtr?: boolean; rts?: boolean } = {};
      if (s.dataTerminalReady !== undefined) set.dtr = s.dataTerminalReady;
      if (s.requestToSend !== undefined) set.rts = s.requestToSend;
      try {
        await call((cb) => port.set(set, cb));
      } catch (e) {
        const text = e instanceof Error ? e.message : String(e);
        if (!NO_MODEM_LINES.test(text)) throw new FlashError('link-closed', `Setting DTR/RTS on ${path} failed (${text}).`, { cause: e });
        modemLines = false;
        opts.onNote?.(
          `${path} has no modem lines (DTR/RTS: "${text}"), as a pseudo-terminal or some bridges: HexFlash cannot reset the board through it. ` +
            'If no bootloader answers, press the board\'s reset button just before flashing.',
        );
      }
    },
    canReset: () => modemLines,
    setBaud: async (baud) => {
      try {
        await call((cb) => port.update({ baudRate: baud }, cb));
      } catch (e) {
        throw new FlashError('link-closed', `Changing ${path} to ${baud} baud failed (${errno(e)}).`, { cause: e });
      }
    },
    close: async () => {
      closing = true;
      if (port.isOpen) await call((cb) => port.close(cb)).catch(() => undefined);
    },
  });
  return link;
}
