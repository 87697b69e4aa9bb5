// An emulated Arduino Leonardo as the host sees it: Caterina's own command loop on an emulated
// ATmega32U4 with an old sketch in flash (so Caterina's 8 s timeout runs), behind a USB device model
// that shows the sketch's port (2341:8036) and changes identity on the 1200-baud touch. `sink`
// receives its ports: the Web Serial look-alike's hub, or the CLI's mock serialport bindings.
import { parseIntelHex } from '../../src/core/hex/intel-hex.js';
import { EmulatedBoard } from '../emulator/board.js';
import { loadBootloader } from '../emulator/bootloaders.js';
import type { PortSink } from '../emulator/serial-hub.js';
import { UsbCdcDevice } from '../emulator/usb-device.js';
import { randomBytes } from './random.js';

export const LEONARDO_IDS = { vid: 0x2341, sketchPid: 0x8036, bootloaderPid: 0x0036 };

/** Plugs the board in and resolves once its sketch's port shows; `stop` unplugs it and stops the MCU. */
export async function plugLeonardo(sink: PortSink): Promise<{ device: UsbCdcDevice; stop: () => Promise<void> }> {
  const info = await loadBootloader('caterina-atmega32u4');
  const board = new EmulatedBoard({
    mcu: 'atmega32u4',
    bootloader: { bytes: parseIntelHex(info.hexText).bytes, start: info.start },
    speed: 'adaptive',
    usbCdc: true,
    application: randomBytes(2048, 9),
  });
  board.start();
  const device = new UsbCdcDevice(board, LEONARDO_IDS, sink);
  const stop = async (): Promise<void> => {
    device.unplug();
    await board.stop();
  };
  try {
    await device.settled('sketch');
  } catch (e) {
    await stop();
    throw e;
  }
  return { device, stop };
}
