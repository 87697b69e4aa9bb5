// The 1200-baud touch's port directory in Node (core/touch.ts runs the sequence): the OS port list
// as `hexflash ports` reads it, polled, and the touch as open-at-1200-and-close through serialport.
// Each listing gives new port objects, so a bootloader that comes back under the sketch's path
// (/dev/ttyACM0 again) is still told apart from the sketch by its product ID.
import { realpathSync } from 'node:fs';
import { SerialPortStream } from '@serialport/stream';
import { SerialPort } from 'serialport';
import type { Clock } from '../core/link/clock.js';
import { sleep } from '../core/link/clock.js';
import type { PortDirectory } from '../core/touch.js';
import { listSerialPorts, type ListedPort } from './node-ports.js';
import type { SerialBinding } from './node-serial.js';

function call(fn: (cb: (e: Error | null | undefined) => void) => void): Promise<void> {
  return new Promise((resolve, reject) => fn((e) => (e ? reject(e) : resolve())));
}

/** The path with symlinks (/dev/serial/by-id/...) resolved, where it exists. */
function canonical(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

export function nodePortDirectory(clock: Clock, binding?: SerialBinding): PortDirectory<ListedPort> {
  return {
    list: () => listSerialPorts(binding),
    ids: (p) => ({ ...(p.vid !== undefined ? { vid: p.vid } : {}), ...(p.pid !== undefined ? { pid: p.pid } : {}) }),
    touch: async (p, baud) => {
      const port = new SerialPortStream({ binding: binding ?? SerialPort.binding, path: p.path, baudRate: baud, autoOpen: false, hupcl: true });
      port.on('error', () => undefined);
      await call((cb) => port.open(cb));
      await call((cb) => port.close(cb));
    },
    changed: (ms, signal) => sleep(clock, ms, signal).catch(() => undefined),
  };
}

/** The listed port that `path` names, or a bare entry without USB facts when the list has none. */
export async function findListedPort(path: string, binding?: SerialBinding): Promise<ListedPort> {
  const want = canonical(path);
  const listed = await listSerialPorts(binding).catch(() => []);
  return (
    listed.find((p) => p.path === path || canonical(p.path) === want) ?? {
      path,
      vid: undefined,
      pid: undefined,
      manufacturer: undefined,
      product: undefined,
      serialNumber: undefined,
      known: undefined,
    }
  );
}
