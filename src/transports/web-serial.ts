// Web Serial adapter: turns a W3C SerialPort into a ByteLink. One reader pump per open feeds the
// queue; reads wait on the queue and never cancel the stream. Recoverable read errors (overrun,
// framing, parity, break) re-acquire the readable; anything else means the device is gone.
import { FlashError } from '../core/errors.js';
import { QueueLink } from '../core/link/queue-link.js';
import { usbLabel } from '../core/usb-ids.js';
import type { Clock } from '../core/link/clock.js';
import { systemClock } from './system-clock.js';

/** The default 255-byte buffer overflows with STK500v2's 265-byte read replies. */
export const SERIAL_BUFFER_BYTES = 16 * 1024;

const RECOVERABLE = new Set(['BufferOverrunError', 'FramingError', 'ParityError', 'BreakError']);

export interface WebSerialOptions {
  readonly baud: number;
  readonly clock?: Clock;
  /** Called when the device disappears (unplugged) while the link is open. */
  readonly onDisconnect?: () => void;
}

export function describePort(port: SerialPort): string {
  const info = port.getInfo();
  return usbLabel(info.usbVendorId, info.usbProductId);
}

/** Opens `port` and returns a link over it. Maps open failures to 'port-busy' / 'port-unreachable'. */
export async function openWebSerialLink(port: SerialPort, opts: WebSerialOptions): Promise<QueueLink> {
  const clock = opts.clock ?? systemClock;
  let reader: ReadableStreamDefaultReader<Uint8Array> | null = null;
  let pump: Promise<void> = Promise.resolve();
  let closing = false;
  let generation = 0;

  const open = async (baud: number): Promise<void> => {
    try {
      await port.open({ baudRate: baud, bufferSize: SERIAL_BUFFER_BYTES });
    } catch (e) {
      throw mapOpenError(e);
    }
  };

  const startPump = (gen: number): void => {
    pump = (async () => {
      while (!closing && gen === generation && port.readable) {
        reader = port.readable.getReader();
        try {
          for (;;) {
            const { value, done } = await reader.read();
            if (done) break;
            if (value) link.queue.push(value);
          }
        } catch (e) {
          const name = e instanceof Error ? e.name : '';
          if (closing || gen !== generation) break;
          if (RECOVERABLE.has(name)) continue; // the port offers a fresh readable
          link.fail(new FlashError('link-closed', `The device stopped responding (${name || 'read error'}).`, { cause: e }));
          break;
        } finally {
          reader.releaseLock();
          reader = null;
        }
      }
    })();
  };

  const release = async (): Promise<void> => {
    generation++;
    const r = reader as ReadableStreamDefaultReader<Uint8Array> | null;
    if (r) await r.cancel().catch(() => undefined);
    await pump.catch(() => undefined);
    await port.close().catch(() => undefined);
  };

  const onDisconnect = (): void => {
    link.fail(new FlashError('link-closed', 'The USB device was unplugged or reset.'));
    opts.onDisconnect?.();
  };

  const writeBytes = async (bytes: Uint8Array): Promise<void> => {
    const w = port.writable?.getWriter();
    if (!w) throw new FlashError('link-closed', 'The port is not writable.');
    try {
      await w.write(bytes);
    } catch (e) {
      throw new FlashError('link-closed', 'Writing to the port failed; the device may have been unplugged.', { cause: e });
    } finally {
      w.releaseLock();
    }
  };

  let currentBaud = opts.baud;
  const link: QueueLink = new QueueLink({
    description: `Web Serial ${describePort(port)}`,
    clock,
    baud: opts.baud,
    write: writeBytes,
    setSignals: async (s) => {
      try {
        await port.setSignals(s);
      } catch (e) {
        throw new FlashError('link-closed', 'Setting DTR/RTS failed; the device may have been unplugged.', { cause: e });
      }
    },
    setBaud: async (baud) => {
      if (baud === currentBaud) return;
      await release();
      await open(baud);
      currentBaud = baud;
      startPump(generation);
    },
    close: async () => {
      closing = true;
      port.removeEventListener('disconnect', onDisconnect);
      await release();
    },
  });

  await open(opts.baud);
  port.addEventListener('disconnect', onDisconnect);
  startPump(generation);
  return link;
}

function mapOpenError(e: unknown): FlashError {
  const name = e instanceof Error ? e.name : '';
  if (name === 'InvalidStateError') {
    return new FlashError('port-busy', 'The port is already open in this page or another tab.', { cause: e });
  }
  if (name === 'NetworkError') {
    return new FlashError(
      'port-busy',
      'The system refused to open it (NetworkError): another program holds it, or, on Linux, your user may not open serial ports yet.',
      { cause: e },
    );
  }
  return new FlashError('port-unreachable', e instanceof Error ? e.message : String(e), { cause: e });
}
