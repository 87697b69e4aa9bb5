// Which port help a flash's end calls for, read from the actual error (its DOMException name) and
// the port's USB IDs: the chooser closed without a port, the system refused to open the port
// (NetworkError), the port is open elsewhere in this browser (InvalidStateError), or a failure on a
// USB device HexFlash does not know. Small and text-free, so it stays in the app shell; the help
// itself (port-help.ts) is loaded only when one of these happens.
import { identifyUsb } from '../core/usb-ids.js';
import type { FlashView } from './flash-view.js';
import type { Platform } from './platform.js';

export type HelpKind = 'empty-chooser' | 'open-refused' | 'open-in-use' | 'unknown-adapter';

export interface UsbIdsSeen {
  readonly vid?: number;
  readonly pid?: number;
}

export interface HelpInput {
  readonly kind: HelpKind;
  /** The port's USB IDs; null when no port was chosen. */
  readonly usb: UsbIdsSeen | null;
  readonly platform: Platform;
}

/** The help a finished flash calls for, or null when its own message says enough. */
export function helpFor(view: FlashView, platform: Platform): HelpInput | null {
  if (view.noPort) return { kind: 'empty-chooser', usb: null, platform };
  const p = view.problem;
  if (!p || view.running || p.code === 'aborted' || !view.port) return null;
  const usb: UsbIdsSeen = {
    ...(view.port.usbVendorId !== undefined ? { vid: view.port.usbVendorId } : {}),
    ...(view.port.usbProductId !== undefined ? { pid: view.port.usbProductId } : {}),
  };
  if (p.code === 'port-busy') {
    return { kind: causeNamed(p, 'InvalidStateError') ? 'open-in-use' : 'open-refused', usb, platform };
  }
  if (!identifyUsb(usb.vid, usb.pid)) return { kind: 'unknown-adapter', usb, platform };
  return null;
}

/** Whether an error in the cause chain (Problem -> FlashError -> DOMException) has this name. */
function causeNamed(e: unknown, name: string): boolean {
  for (let c: unknown = e, depth = 0; c instanceof Error && depth < 5; c = c.cause, depth++) {
    if (c.name === name) return true;
  }
  return false;
}
