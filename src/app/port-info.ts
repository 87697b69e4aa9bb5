// What the app records about a serial port for the log and bug reports: USB vendor/product IDs.

export interface PortInfo {
  readonly usbVendorId?: number;
  readonly usbProductId?: number;
  /** "USB 2341:0042" or "serial port (no USB IDs)". */
  readonly label: string;
}

const hex4 = (n: number): string => n.toString(16).padStart(4, '0');

export function portInfo(port: Pick<SerialPort, 'getInfo'>): PortInfo {
  let info: SerialPortInfo = {};
  try {
    info = port.getInfo();
  } catch {
    // A port that cannot describe itself is still usable.
  }
  const { usbVendorId, usbProductId } = info;
  const label =
    usbVendorId === undefined ? 'serial port (no USB IDs)' : `USB ${hex4(usbVendorId)}:${usbProductId === undefined ? '????' : hex4(usbProductId)}`;
  return { ...(usbVendorId !== undefined ? { usbVendorId } : {}), ...(usbProductId !== undefined ? { usbProductId } : {}), label };
}
