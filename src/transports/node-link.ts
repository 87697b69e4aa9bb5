// Opens what a CLI port name names: "net:HOST:PORT" (a raw TCP serial bridge), "rfc2217://HOST:PORT"
// (a serial port served over telnet COM-PORT-OPTION: baud and DTR/RTS over the network) or a local
// serial port (/dev/ttyUSB0, /dev/ttyACM0, COM3). The CLI and tests open every link through here.
import { FlashError } from '../core/errors.js';
import type { Clock } from '../core/link/clock.js';
import type { QueueLink } from '../core/link/queue-link.js';
import { isLocalPortPath, openNodeSerialLink, type SerialBinding } from './node-serial.js';
import { openRfc2217Link, parseRfc2217Port } from './rfc2217.js';
import { systemClock } from './system-clock.js';
import { openTcpLink, parseNetPort } from './tcp.js';

export interface NodeLinkOptions {
  /** The baud to open a local port (or an RFC 2217 server's port) at; the session switches as it needs. */
  readonly baud: number;
  readonly clock?: Clock;
  readonly binding?: SerialBinding;
  readonly onNote?: (text: string) => void;
  /** Told each step a network transport takes (RFC 2217 negotiation, baud confirmed), for verbose logs. */
  readonly onLog?: (text: string) => void;
}

const isRfc2217 = (spec: string): boolean => /^rfc2217:/i.test(spec);

/** Throws a bad-argument error naming the accepted forms when `spec` is none of them. */
export function checkPortSpec(spec: string): void {
  if (spec.startsWith('net:')) parseNetPort(spec);
  else if (isRfc2217(spec)) parseRfc2217Port(spec);
  else if (!isLocalPortPath(spec)) {
    throw new FlashError(
      'bad-argument',
      `Port "${spec}" is neither a serial port (/dev/ttyUSB0, /dev/ttyACM0, COM3), a TCP bridge (net:HOST:PORT) nor an RFC 2217 server (rfc2217://HOST:PORT).`,
    );
  }
}

export function openNodeLink(spec: string, opts: NodeLinkOptions): Promise<QueueLink> {
  checkPortSpec(spec);
  const clock = opts.clock ?? systemClock;
  const told = { ...(opts.onNote ? { onNote: opts.onNote } : {}) };
  if (spec.startsWith('net:')) return openTcpLink(spec, clock);
  if (isRfc2217(spec)) return openRfc2217Link(spec, { baud: opts.baud, clock, ...told, ...(opts.onLog ? { onLog: opts.onLog } : {}) });
  return openNodeSerialLink(spec, { baud: opts.baud, clock, ...(opts.binding ? { binding: opts.binding } : {}), ...told });
}
