// The local serial ports, for `hexflash ports`: path and USB facts from the serialport bindings,
// named from the shared USB table. On Linux the bindings ask udevadm; where there is none (a
// minimal container), the same facts are read from sysfs instead.
import { existsSync, readdirSync, readFileSync, realpathSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { SerialPort } from 'serialport';
import { identifyUsb, type UsbDevice } from '../core/usb-ids.js';
import type { SerialBinding } from './node-serial.js';

export interface ListedPort {
  readonly path: string;
  readonly vid: number | undefined;
  readonly pid: number | undefined;
  readonly manufacturer: string | undefined;
  /** The USB product string, where the system tells it (Linux sysfs). */
  readonly product: string | undefined;
  readonly serialNumber: string | undefined;
  /** The table's row for the IDs: what it probably is. */
  readonly known: UsbDevice | undefined;
}

export interface RawPort {
  readonly path: string;
  readonly vendorId?: string | undefined;
  readonly productId?: string | undefined;
  readonly manufacturer?: string | undefined;
  readonly product?: string | undefined;
  readonly serialNumber?: string | undefined;
}

const hexId = (s: string | undefined): number | undefined => {
  const n = s === undefined ? NaN : parseInt(s, 16);
  return Number.isFinite(n) ? n : undefined;
};

function onPath(program: string): boolean {
  return (process.env.PATH ?? '').split(delimiter).some((d) => d !== '' && existsSync(join(d, program)));
}

function readTrimmed(dir: string, f: string): string | undefined {
  try {
    return readFileSync(join(dir, f), 'utf8').trim();
  } catch {
    return undefined;
  }
}

/** The USB device directory in sysfs behind a tty name (ttyUSB0), or undefined. */
function usbDeviceDir(name: string, root = '/sys/class/tty'): string | undefined {
  let dir: string;
  try {
    dir = realpathSync(join(root, name, 'device'));
  } catch {
    return undefined;
  }
  while (dir !== '/' && !existsSync(join(dir, 'idVendor'))) dir = dirname(dir);
  return dir === '/' ? undefined : dir;
}

/** /sys/class/tty/<name>/device, walked up to the USB device that has idVendor. */
export function sysfsPorts(root = '/sys/class/tty'): RawPort[] {
  const ports: RawPort[] = [];
  for (const name of readdirSync(root)) {
    if (!/^tty(USB|ACM|AMA)\d+$/.test(name)) continue;
    const dir = usbDeviceDir(name, root);
    if (!dir) {
      ports.push({ path: `/dev/${name}` });
      continue;
    }
    ports.push({
      path: `/dev/${name}`,
      vendorId: readTrimmed(dir, 'idVendor'),
      productId: readTrimmed(dir, 'idProduct'),
      manufacturer: readTrimmed(dir, 'manufacturer'),
      product: readTrimmed(dir, 'product'),
      serialNumber: readTrimmed(dir, 'serial'),
    });
  }
  return ports;
}

/** The USB product string of a Linux /dev/tty* port, which the serialport bindings do not report. */
function productOf(path: string): string | undefined {
  if (process.platform !== 'linux' || !path.startsWith('/dev/')) return undefined;
  const dir = usbDeviceDir(path.slice('/dev/'.length));
  return dir ? readTrimmed(dir, 'product') : undefined;
}

export async function listSerialPorts(binding?: SerialBinding): Promise<ListedPort[]> {
  const useSysfs = !binding && process.platform === 'linux' && !onPath('udevadm');
  const raw: RawPort[] = useSysfs ? (existsSync('/sys/class/tty') ? sysfsPorts() : []) : await (binding ?? SerialPort.binding).list();
  return raw
    .map((p) => {
      const vid = hexId(p.vendorId);
      const pid = hexId(p.productId);
      const product = p.product ?? (binding ? undefined : productOf(p.path));
      return { path: p.path, vid, pid, manufacturer: p.manufacturer, product, serialNumber: p.serialNumber, known: identifyUsb(vid, pid) };
    })
    .sort((a, b) => a.path.localeCompare(b.path));
}
