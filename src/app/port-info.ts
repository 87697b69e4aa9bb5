// What the app records about a serial port for the log and bug reports: USB vendor/product IDs,
// labelled from the shared USB table (core/usb-ids.ts).
import { usbLabel } from '../core/usb-ids.js';

export interface PortInfo {
  readonly usbVendorId?: number;
  readonly usbProductId?: number;
  /** "Arduino Mega 2560 R3 (USB 2341:0042)", "USB 1234:5678" or "serial port (no USB IDs)". */
  readonly label: string;
}

export function portInfo(port: Pick<SerialPort, 'getInfo'>): PortInfo {
  let info: SerialPortInfo = {};
  try {
    info = port.getInfo();
  } catch {
    // A port that cannot describe itself is still usable.
  }
  const { usbVendorId, usbProductId } = info;
  const label = usbLabel(usbVendorId, usbProductId);
  return { ...(usbVendorId !== undefined ? { usbVendorId } : {}), ...(usbProductId !== undefined ? { usbProductId } : {}), label };
}
