// `hexflash ports`: the local serial ports as a table (or JSON), each with what it probably is.
import { usbIdText } from '../core/usb-ids.js';
import { listSerialPorts, type ListedPort } from '../transports/node-ports.js';
import type { SerialBinding } from '../transports/node-serial.js';
import type { Out } from './report.js';

function row(p: ListedPort): string[] {
  const known = p.known;
  const guess = known?.name ?? '';
  return [p.path, p.vid === undefined ? '-' : usbIdText(p.vid, p.pid), p.manufacturer ?? '-', p.product ?? '-', guess || '-'];
}

export async function runPorts(json: boolean, out: Out, binding?: SerialBinding): Promise<number> {
  const ports = await listSerialPorts(binding);
  if (json) {
    out(JSON.stringify(ports.map((p) => ({ path: p.path, vid: p.vid, pid: p.pid, manufacturer: p.manufacturer, product: p.product, serialNumber: p.serialNumber, probably: p.known?.name, board: p.known?.board, chip: p.known?.chip }))));
    return 0;
  }
  if (ports.length === 0) {
    out('No serial ports found. Check the USB cable (charge-only cables carry no data) and, on Linux, `dmesg` for the adapter.');
    return 0;
  }
  const rows = [['PORT', 'USB ID', 'MAKER', 'PRODUCT', 'PROBABLY'], ...ports.map(row)];
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  for (const r of rows) out(r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  '));
  return 0;
}
