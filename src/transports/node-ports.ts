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
  readonly serialNumber: string | undefined;
  /** The table's row for the IDs: what it probably is. */
  readonly known: UsbDevice | undefined;
}

interface RawPort {
  readonly path: string;
  readonly vendorId?: string | undefined;
  readonly productId?: string | undefined;
  readonly manufacturer?: string | undefined;
  readonly serialNumber?: string | undefined;
}

const hexId = (s: string | undefined): number | undefined => {
  const n = s === undefined ? NaN : parseInt(s, 16);
  return Number.isFinite(n) ? n : undefined;
};

function onPath(program: string): boolean {
  return (process.env.PATH ?? '').split(delimiter).some((d) => d !== '' && existsSync(join(d, program)));
}

/** /sys/class/tty/<name>/device, walked up to the USB device that has idVendor. */
function sysfsPorts(root = '/sys/class/tty'): RawPort[] {
  const read = (dir: string, f: string): string | undefined => {
    try {
      return readFileSync(join(dir, f), 'utf8').trim();
    } catch {
      return undefined;
    }
  };
  const ports: RawPort[] = [];
  for (const name of readdirSync(root)) {
    if (!/^tty(USB|ACM|AMA)\d+$/.test(name)) continue;
    let dir: string;
    try {
      dir = realpathSync(join(root, name, 'device'));
    } catch {
      continue;
    }
    while (dir !== '/' && !existsSync(join(dir, 'idVendor'))) dir = dirname(dir);
    ports.push({ path: `/dev/${name}`, vendorId: read(dir, 'idVendor'), productId: read(dir, 'idProduct'), manufacturer: read(dir, 'manufacturer'), serialNumber: read(dir, 'serial') });
  }
  return ports;
}

export async function listSerialPorts(binding?: SerialBinding): Promise<ListedPort[]> {
  const useSysfs = !binding && process.platform === 'linux' && !onPath('udevadm');
  const raw: RawPort[] = useSysfs ? (existsSync('/sys/class/tty') ? sysfsPorts() : []) : await (binding ?? SerialPort.binding).list();
  return raw
    .map((p) => {
      const vid = hexId(p.vendorId);
      const pid = hexId(p.productId);
      return { path: p.path, vid, pid, manufacturer: p.manufacturer, serialNumber: p.serialNumber, known: identifyUsb(vid, pid) };
    })
    .sort((a, b) => a.path.localeCompare(b.path));
}
