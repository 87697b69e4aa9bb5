// Opens what a CLI port name names: "net:HOST:PORT" (a TCP serial bridge) or a local serial port
// (/dev/ttyUSB0, /dev/ttyACM0, COM3). The CLI and tests open every link through here.
import { FlashError } from '../core/errors.js';
import type { Clock } from '../core/link/clock.js';
import type { QueueLink } from '../core/link/queue-link.js';
import { isLocalPortPath, openNodeSerialLink, type SerialBinding } from './node-serial.js';
import { systemClock } from './system-clock.js';
import { openTcpLink, parseNetPort } from './tcp.js';

export interface NodeLinkOptions {
  /** The baud to open a local port at; the session switches as it needs. */
  readonly baud: number;
  readonly clock?: Clock;
  readonly binding?: SerialBinding;
  readonly onNote?: (text: string) => void;
}

/** Throws a bad-argument error naming the accepted forms when `spec` is neither. */
export function checkPortSpec(spec: string): void {
  if (spec.startsWith('net:')) parseNetPort(spec);
  else if (!isLocalPortPath(spec)) {
    throw new FlashError('bad-argument', `Port "${spec}" is neither a serial port (/dev/ttyUSB0, /dev/ttyACM0, COM3) nor a TCP bridge (net:HOST:PORT).`);
  }
}

export function openNodeLink(spec: string, opts: NodeLinkOptions): Promise<QueueLink> {
  checkPortSpec(spec);
  const clock = opts.clock ?? systemClock;
  if (spec.startsWith('net:')) return openTcpLink(spec, clock);
  return openNodeSerialLink(spec, { baud: opts.baud, clock, ...(opts.binding ? { binding: opts.binding } : {}), ...(opts.onNote ? { onNote: opts.onNote } : {}) });
}
