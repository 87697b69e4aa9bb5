// Images from raw binaries and from parts: placement, 0xFF gaps, merged segments, the 256 KiB limit.
import { describe, expect, it } from 'vitest';
import { FlashError } from '../../../src/core/errors.js';
import { imageFromBinary, imageFromSegments, MAX_FLASH_BYTES } from '../../../src/core/hex/index.js';

function flashError(f: () => unknown): FlashError {
  try {
    f();
  } catch (e) {
    if (e instanceof FlashError) return e;
    throw e;
  }
  throw new Error('no error');
}

describe('imageFromBinary', () => {
  it('places a .bin at address 0 by default', () => {
    const img = imageFromBinary(Uint8Array.of(1, 2, 3));
    expect(img).toEqual({ bytes: Uint8Array.of(1, 2, 3), segments: [{ start: 0, end: 3 }], end: 3, dataBytes: 3, warnings: [] });
  });

  it('places a .bin at an address, 0xFF below it', () => {
    const img = imageFromBinary(Uint8Array.of(0, 0xff, 7), 0x100);
    expect(img.end).toBe(0x103);
    expect(img.segments).toEqual([{ start: 0x100, end: 0x103 }]);
    expect(img.dataBytes).toBe(3);
    expect(img.bytes.subarray(0, 0x100).every((b) => b === 0xff)).toBe(true);
    expect([...img.bytes.subarray(0x100)]).toEqual([0, 0xff, 7]);
  });

  it('does not share memory with its input', () => {
    const data = Uint8Array.of(1, 2);
    const img = imageFromBinary(data);
    data[0] = 9;
    expect(img.bytes[0]).toBe(1);
  });

  it('reads an empty .bin as an empty image', () => {
    expect(imageFromBinary(new Uint8Array(0), 0x200)).toEqual({ bytes: new Uint8Array(0), segments: [], end: 0, dataBytes: 0, warnings: [] });
  });

  it('accepts exactly 256 KiB and rejects one byte more, naming the numbers', () => {
    expect(MAX_FLASH_BYTES).toBe(256 * 1024);
    expect(imageFromBinary(new Uint8Array(MAX_FLASH_BYTES)).end).toBe(MAX_FLASH_BYTES);
    const e = flashError(() => imageFromBinary(new Uint8Array(MAX_FLASH_BYTES + 1)));
    expect(e.code).toBe('image-too-large');
    expect(e.detail).toBe('262145 bytes at 0x0000 end at 0x40001 (262145 bytes); the largest supported AVR flash is 256 KiB (262144 bytes).');
  });

  it('rejects a .bin whose address pushes it past 256 KiB', () => {
    const e = flashError(() => imageFromBinary(new Uint8Array(0x100), 0x3ff80));
    expect(e.code).toBe('image-too-large');
    expect(e.detail).toContain('256 bytes at 0x3FF80 end at 0x40080');
  });

  it('rejects a negative or fractional address', () => {
    for (const a of [-1, 1.5, Number.NaN]) expect(flashError(() => imageFromBinary(Uint8Array.of(1), a)).code).toBe('bad-argument');
  });
});

describe('imageFromSegments', () => {
  it('sorts parts, merges adjacent ones and leaves gaps 0xFF', () => {
    const img = imageFromSegments([
      { address: 0x20, data: Uint8Array.of(5) },
      { address: 0, data: Uint8Array.of(1, 2) },
      { address: 2, data: Uint8Array.of(3) },
      { address: 0x10, data: new Uint8Array(0) },
    ]);
    expect(img.segments).toEqual([
      { start: 0, end: 3 },
      { start: 0x20, end: 0x21 },
    ]);
    expect(img.end).toBe(0x21);
    expect(img.dataBytes).toBe(4);
    expect(img.bytes[0x10]).toBe(0xff);
  });

  it('spans 64 KiB and 128 KiB boundaries', () => {
    const img = imageFromSegments([
      { address: 0xff00, data: new Uint8Array(0x200).fill(1) },
      { address: 0x1ff00, data: new Uint8Array(0x200).fill(2) },
    ]);
    expect(img.segments).toEqual([
      { start: 0xff00, end: 0x10100 },
      { start: 0x1ff00, end: 0x20100 },
    ]);
    expect(img.bytes.length).toBe(0x20100);
  });

  it('accepts overlapping parts that agree and rejects parts that disagree', () => {
    expect(imageFromSegments([{ address: 0, data: Uint8Array.of(1, 2) }, { address: 1, data: Uint8Array.of(2, 3) }]).dataBytes).toBe(3);
    const e = flashError(() => imageFromSegments([{ address: 0, data: Uint8Array.of(1, 2) }, { address: 1, data: Uint8Array.of(9) }]));
    expect(e.code).toBe('bad-argument');
    expect(e.detail).toBe('Image parts overlap with different data at 0x0001.');
  });

  it('builds an empty image from no parts', () => {
    expect(imageFromSegments([])).toEqual({ bytes: new Uint8Array(0), segments: [], end: 0, dataBytes: 0, warnings: [] });
  });
});
