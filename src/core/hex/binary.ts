// Firmware images from raw bytes: a .bin placed at an address, or a list of parts (tests build
// images this way), plus the dense-memory-to-image step the Intel HEX parser shares.
import { FlashError } from '../errors.js';
import type { FirmwareImage, Segment } from './image.js';

/** The largest flash of a supported AVR (ATmega2560, 256 KiB); no image reaches past it. */
export const MAX_FLASH_BYTES = 0x40000;

export function hexAddress(a: number): string {
  return `0x${a.toString(16).toUpperCase().padStart(4, '0')}`;
}

/**
 * Builds the image from a memory buffer (0xFF where nothing was given) and a parallel mask that is
 * non-zero where the file gave a byte. Only `[0, end)` of both is read.
 */
export function imageFromMemory(
  memory: Uint8Array,
  given: Uint32Array,
  end: number,
  warnings: readonly string[],
): FirmwareImage {
  const segments: Segment[] = [];
  let dataBytes = 0;
  let a = 0;
  while (a < end) {
    if (!given[a]) {
      a++;
      continue;
    }
    const start = a;
    while (a < end && given[a]) a++;
    segments.push({ start, end: a });
    dataBytes += a - start;
  }
  return { bytes: memory.slice(0, end), segments, end, dataBytes, warnings: [...warnings] };
}

export function imageFromSegments(parts: readonly { address: number; data: Uint8Array }[]): FirmwareImage {
  let end = 0;
  for (const p of parts) {
    checkFits(p.address, p.data.length);
    if (p.data.length > 0) end = Math.max(end, p.address + p.data.length);
  }
  const memory = new Uint8Array(end).fill(0xff);
  const given = new Uint32Array(end);
  for (const p of parts) {
    for (let i = 0; i < p.data.length; i++) {
      const a = p.address + i;
      const v = p.data[i] ?? 0xff;
      if (given[a] && memory[a] !== v) {
        throw new FlashError('bad-argument', `Image parts overlap with different data at ${hexAddress(a)}.`);
      }
      memory[a] = v;
      given[a] = 1;
    }
  }
  return imageFromMemory(memory, given, end, []);
}

/** A raw binary (.bin) whose first byte goes to `address`. */
export function imageFromBinary(bytes: Uint8Array, address = 0): FirmwareImage {
  return imageFromSegments([{ address, data: bytes }]);
}

function checkFits(address: number, length: number): void {
  if (!Number.isSafeInteger(address) || address < 0) {
    throw new FlashError('bad-argument', `The load address ${address} is not a non-negative whole number.`);
  }
  if (address + length > MAX_FLASH_BYTES) {
    throw new FlashError(
      'image-too-large',
      `${length} bytes at ${hexAddress(address)} end at ${hexAddress(address + length)} (${address + length} bytes); ` +
        `the largest supported AVR flash is 256 KiB (${MAX_FLASH_BYTES} bytes).`,
    );
  }
}
