// Shared by test/engine/flash-*.test.ts. The engine against real bootloaders: each bench board is flashed through the core and the real
// Web Serial adapter, and the emulated flash must equal the image byte for byte (0xFF in gaps and
// above, the bootloader untouched), with the protocol given and with protocol auto.
import { afterEach, describe, expect, it } from 'vitest';
import { imageFromSegments } from '../../src/core/hex/binary.js';
import type { FirmwareImage } from '../../src/core/hex/image.js';
import { DEVICES } from '../../src/core/devices.js';
import { BOARDS, type BoardId } from '../../src/core/boards.js';
import { flashFirmware } from '../../src/core/session.js';
import type { BootloaderId } from '../emulator/bootloaders.js';
import { startBench, type BenchBoard } from '../helpers/bench-board.js';
import { randomBytes } from '../helpers/random.js';

export interface BenchCase {
  readonly bootloader: BootloaderId;
  readonly board: BoardId;
  /** Only these images (names as in images()), for a second bootloader build of a chip already covered. */
  readonly only?: readonly string[];
}

function images(c: BenchCase): Record<string, FirmwareImage> {
  const b = BOARDS[c.board];
  const d = DEVICES[b.mcu];
  const app = d.flashBytes - b.bootloaderBytes;
  const full = Math.floor(app * 0.92);
  const out: Record<string, FirmwareImage> = {
    'random image filling 92% of the application section': imageFromSegments([{ address: 0, data: randomBytes(full, 1) }]),
    'image with gaps': imageFromSegments([
      { address: 0, data: randomBytes(300, 2) },
      { address: d.pageBytes * 5 + 7, data: randomBytes(d.pageBytes * 2, 3) },
      { address: Math.floor(app / 4), data: randomBytes(1000, 4) },
    ]),
    'one-page image': imageFromSegments([{ address: 0, data: randomBytes(d.pageBytes, 5) }]),
  };
  if (d.flashBytes > 0x20000) {
    out['image crossing 64 KiB and 128 KiB'] = imageFromSegments([
      { address: 0, data: randomBytes(512, 6) },
      { address: 0xff00, data: randomBytes(0x200, 7) },
      { address: 0x1ff00, data: randomBytes(0x200, 8) },
    ]);
  }
  return out;
}

function expectFlashEquals(bench: BenchBoard, image: FirmwareImage): void {
  const flash = bench.board.flash;
  const bootStart = bench.bootloader.start;
  const expected = new Uint8Array(bootStart).fill(0xff);
  expected.set(image.bytes.subarray(0, bootStart));
  const app = flash.subarray(0, bootStart);
  let firstDiff = -1;
  for (let i = 0; i < bootStart; i++) {
    if (app[i] !== expected[i]) {
      firstDiff = i;
      break;
    }
  }
  expect(firstDiff, `first difference at 0x${firstDiff.toString(16)}`).toBe(-1);
}

export function defineFlashTests(c: BenchCase): void {
  let bench: BenchBoard | undefined;
  afterEach(async () => {
    await bench?.stop();
    bench = undefined;
  });
  describe(`${c.board} with ${c.bootloader}`, () => {
    for (const [name, image] of Object.entries(images(c)).filter(([n]) => !c.only || c.only.includes(n))) {
      for (const protocol of ['given', 'auto'] as const) {
        it(`${name}, protocol ${protocol}`, async () => {
          bench = await startBench(c.bootloader, { speed: 'virtual' });
          const bootBefore = bench.board.flash.slice(bench.bootloader.start);
          const link = await bench.open(BOARDS[c.board].baud);
          try {
            const result = await flashFirmware(
              protocol === 'given' ? { image, board: c.board } : { image, protocol: 'auto', mcu: BOARDS[c.board].mcu },
              { link, clock: bench.board.clock },
            );
            expect(result.protocol).toBe(bench.bootloader.protocol);
            expect(result.baud).toBe(bench.bootloader.baud);
            expect(result.bytesVerified).toBe(result.bytesWritten);
          } finally {
            await link.close();
          }
          expectFlashEquals(bench, image);
          expect(bench.board.flash.subarray(bench.bootloader.start)).toEqual(bootBefore);
        });
      }
    }
  });
}
