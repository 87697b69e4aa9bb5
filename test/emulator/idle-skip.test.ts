// Skipping polling loops (idle-skip.ts) changes nothing the MCU does: the same flash on virtual time,
// with and without it, takes the same emulated time to the cycle, with every log line at the same
// moment and the same bytes lost; Caterina (timer interrupts, USB CDC) answers the same bytes at the
// same cycles. And it does skip: most of a bootloader's cycles are in such loops.
import { describe, expect, it } from 'vitest';
import { parseIntelHex } from '../../src/core/hex/intel-hex.js';
import { sleep } from '../../src/core/link/clock.js';
import { flashThrough, type PipelineRun } from '../pipeline/rig.js';
import { randomBytes } from '../helpers/random.js';
import { imageFromSegments } from '../../src/core/hex/binary.js';
import { flashFirmware } from '../../src/core/session.js';
import { systemClock } from '../../src/transports/system-clock.js';
import { startBench } from '../helpers/bench-board.js';
import { EmulatedBoard } from './board.js';
import { loadBootloader } from './bootloaders.js';

const RUNS: readonly PipelineRun[] = [
  // These two, the bench's, showed a loop body checked over one path and a turn that took another.
  { bootloader: 'optiboot-atmega328p', board: 'arduino-uno', link: 'fixed', latencyMs: 4, imageBytes: 28 * 1024, seed: 42 },
  { bootloader: 'optiboot-atmega328p', board: 'arduino-uno', link: 'wifi', imageBytes: 4 * 1024, seed: 6 },
  { bootloader: 'stk500v2-atmega2560', board: 'arduino-mega2560', link: 'ftdi', imageBytes: 30 * 1024, seed: 42 },
  { bootloader: 'atmegaboot-atmega1284p', board: 'anet-a8', link: 'ch340', imageBytes: 4 * 1024, seed: 8 },
  { bootloader: 'atmegaboot-atmega8', board: 'arduino-atmega8', link: 'fixed', latencyMs: 1, imageBytes: 2 * 1024, seed: 9 },
];

describe('skipping idle loops on the emulated board', () => {
  for (const run of RUNS) {
    it(`${run.bootloader} over ${run.link}: the same flash to the cycle, with most cycles skipped`, async () => {
      const plain = await flashThrough({ ...run, idleSkip: false });
      let skipped = 0;
      const fast = await flashThrough({ ...run, onBoard: (b) => (skipped = b.idle?.stats.cycles ?? 0) });
      expect(plain.equal && fast.equal).toBe(true);
      expect(fast.virtualMs).toBe(plain.virtualMs);
      expect(fast.bootloaderMs).toBe(plain.bootloaderMs);
      expect(fast.bytesLost).toBe(plain.bytesLost);
      expect(fast.result.pipeline).toEqual(plain.result.pipeline);
      expect(fast.log).toEqual(plain.log);
      expect(skipped / ((fast.virtualMs * 16_000_000) / 1000)).toBeGreaterThan(0.3);
    }, 60_000);
  }

  it('Caterina (interrupts on, USB CDC) sends the same bytes at the same cycles', async () => {
    const info = await loadBootloader('caterina-atmega32u4');
    const data = randomBytes(128, 11);
    const script = [[0x53], [0x62], [0x41, 0, 0], [0x42, 0, 128, 0x46, ...data], [0x41, 0, 0], [0x67, 0, 128, 0x46]];
    const trace = async (idleSkip: boolean): Promise<{ bytes: string[]; skipped: number }> => {
      const board = new EmulatedBoard({ mcu: 'atmega32u4', bootloader: { bytes: parseIntelHex(info.hexText).bytes, start: info.start }, speed: 'virtual', usbCdc: true, idleSkip });
      const bytes: string[] = [];
      board.onHostData = (b) => bytes.push(`${board.cycles}: ${[...b].join(',')}`);
      board.start();
      try {
        await sleep(board.clock, 300);
        for (const command of script) {
          board.hostWrite(Uint8Array.from(command), 57600);
          await sleep(board.clock, 40);
        }
        return { bytes, skipped: board.idle?.stats.cycles ?? 0 };
      } finally {
        await board.stop();
      }
    };
    const plain = await trace(false);
    const fast = await trace(true);
    expect(fast.bytes).toEqual(plain.bytes);
    // The page read back is the page written: the script did what it says.
    expect(plain.bytes.map((b) => b.split(': ')[1]).join(',')).toContain([...data].join(','));
    expect(fast.skipped).toBeGreaterThan(0);
  }, 60_000);

  it('a board on the wall clock sleeps while it polls and wakes for the event that ends the loop: a flash read back in full', async () => {
    // ATmegaBOOT answers a page read byte by byte, each after a wait for UDRE. A proof of idleness
    // made before that flag's event once outlived it: the board slept at every byte and the reads timed out.
    const bench = await startBench('atmegaboot-atmega1284p', { speed: 'realtime' });
    try {
      const image = imageFromSegments([{ address: 0, data: randomBytes(2048, 12) }]);
      const link = await bench.open(57600);
      try {
        const result = await flashFirmware({ image, board: 'anet-a8' }, { link, clock: systemClock });
        expect(result.bytesVerified).toBe(2048);
        expect(result.recovery).toEqual({ resyncs: 0, repairs: 0, reconnects: 0 });
      } finally {
        await link.close();
      }
      expect(bench.board.flash.subarray(0, 2048)).toEqual(image.bytes.subarray(0, 2048));
      expect(bench.board.stats.idleSleeps).toBeGreaterThan(0);
    } finally {
      await bench.stop();
    }
  }, 60_000);
});
