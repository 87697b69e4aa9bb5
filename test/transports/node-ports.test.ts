// The sysfs fallback of `hexflash ports` (Linux without udevadm): a tty's USB facts are found by
// walking up from /sys/class/tty/<name>/device to the directory that holds idVendor.
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { sysfsPorts } from '../../src/transports/node-ports.js';

it('reads vendor, product and strings of USB ttys from a sysfs tree, and skips other ttys', () => {
  const root = mkdtempSync(join(tmpdir(), 'hexflash-sysfs-'));
  const usb = join(root, 'devices/pci0000:00/usb1/1-1');
  const iface = join(usb, '1-1:1.0/ttyUSB0');
  mkdirSync(iface, { recursive: true });
  for (const [f, v] of [['idVendor', '1a86'], ['idProduct', '7523'], ['manufacturer', 'QinHeng'], ['product', 'USB Serial']] as const) writeFileSync(join(usb, f), `${v}\n`);
  const tty = join(root, 'class/tty');
  for (const name of ['ttyUSB0', 'ttyS0', 'ttyACM3']) mkdirSync(join(tty, name), { recursive: true });
  symlinkSync(iface, join(tty, 'ttyUSB0', 'device'));
  expect(sysfsPorts(tty).sort((a, b) => a.path.localeCompare(b.path))).toEqual([
    { path: '/dev/ttyACM3' },
    { path: '/dev/ttyUSB0', vendorId: '1a86', productId: '7523', manufacturer: 'QinHeng', product: 'USB Serial', serialNumber: undefined },
  ]);
});
