// The 1200-baud touch's port directory in a browser (core/touch.ts runs the sequence): Web Serial's
// granted ports (getPorts) and its connect events, the touch as open-at-1200-and-close, and the
// "choose the bootloader's port" step the page shows, passed in as `ask`.
import { FlashError } from '../core/errors.js';
import type { Clock } from '../core/link/clock.js';
import type { PortDirectory } from '../core/touch.js';

/** The part of navigator.serial the touch needs. */
export interface SerialPorts {
  getPorts(): Promise<SerialPort[]>;
  addEventListener(type: 'connect', listener: () => void): void;
  removeEventListener(type: 'connect', listener: () => void): void;
}

export function webSerialPorts(serial: SerialPorts, clock: Clock, ask?: PortDirectory<SerialPort>['ask']): PortDirectory<SerialPort> {
  return {
    list: () => serial.getPorts(),
    ids: (p) => {
      const i = p.getInfo();
      return { ...(i.usbVendorId !== undefined ? { vid: i.usbVendorId } : {}), ...(i.usbProductId !== undefined ? { pid: i.usbProductId } : {}) };
    },
    touch: async (p, baud) => {
      try {
        await p.open({ baudRate: baud });
      } catch (e) {
        throw new FlashError('port-busy', `Opening the port at ${baud} baud for the reset failed (${e instanceof Error ? e.name : String(e)}).`, { cause: e });
      }
      // Closing drops DTR at 1200 baud: that is what the sketch's USB code reacts to.
      await p.close();
    },
    changed: (ms, signal) =>
      new Promise<void>((resolve) => {
        const done = (): void => {
          cancel();
          serial.removeEventListener('connect', done);
          signal?.removeEventListener('abort', done);
          resolve();
        };
        const cancel = clock.setTimer(ms, done);
        serial.addEventListener('connect', done);
        signal?.addEventListener('abort', done, { once: true });
      }),
    ...(ask ? { ask } : {}),
  };
}
