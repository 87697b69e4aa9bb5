// Checks an image against a device before a byte is written: not empty, smaller than the
// application section, clear of the bootloader.
import { FlashError } from './errors.js';
import type { Device } from './devices.js';
import type { FirmwareImage } from './hex/image.js';

export interface WritePlan {
  /** Page-aligned range to write and verify: from 0 (the 'wiring' bootloader erases pages from 0 up) to past the image. */
  readonly start: number;
  readonly end: number;
  readonly appBytes: number;
}

export function assertNotEmpty(image: FirmwareImage): void {
  if (image.dataBytes === 0) throw new FlashError('image-empty', 'The file contains no data records.');
}

export function planWrite(image: FirmwareImage, device: Device, bootloaderBytes: number): WritePlan {
  assertNotEmpty(image);
  const appBytes = device.flashBytes - bootloaderBytes;
  const kb = (n: number): string => `${(n / 1024).toFixed(1)} KiB`;
  if (image.dataBytes > appBytes || image.end > device.flashBytes) {
    throw new FlashError(
      'image-too-large',
      `It needs ${kb(image.dataBytes)} up to address 0x${image.end.toString(16)}; the ${device.name} has ${kb(appBytes)} ` +
        `(${kb(device.flashBytes)} flash minus a ${bootloaderBytes}-byte bootloader).`,
    );
  }
  if (image.end > appBytes) {
    const first = image.segments.find((s) => s.end > appBytes);
    const from = Math.max(first?.start ?? appBytes, appBytes);
    throw new FlashError(
      'image-overlaps-bootloader',
      `It has data at 0x${from.toString(16)}, but the bootloader of this ${device.name} starts at 0x${appBytes.toString(16)}.`,
    );
  }
  const page = device.pageBytes;
  return { start: 0, end: Math.ceil(image.end / page) * page, appBytes };
}
