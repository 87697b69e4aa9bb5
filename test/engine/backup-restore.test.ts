// Backup and rollback against real bootloaders: a board with an application already in flash is
// read (the application section only), flashed with another image, and restored from the backup's
// Intel HEX; the emulated flash must end byte for byte as it was, and no command sent to the board
// may have addressed the bootloader section (decoded from the bytes on the wire).
import { afterEach, describe, expect, it } from 'vitest';
import { backupHex, restoreImage } from '../../src/core/backup.js';
import { BOARDS, type BoardId } from '../../src/core/boards.js';
import { DEVICES } from '../../src/core/devices.js';
import { imageFromSegments } from '../../src/core/hex/binary.js';
import { parseIntelHex } from '../../src/core/hex/intel-hex.js';
import { readFirmware } from '../../src/core/read-session.js';
import { flashFirmware } from '../../src/core/session.js';
import type { BootloaderId } from '../emulator/bootloaders.js';
import { startBench, type BenchBoard } from '../helpers/bench-board.js';
import { accessesFrom, readCoverage, recordHostCommands, unexplainedRepeats } from '../helpers/command-log.js';
import { randomBytes } from '../helpers/random.js';

let bench: BenchBoard | undefined;
afterEach(async () => {
  await bench?.stop();
  bench = undefined;
});

const CASES: readonly { bootloader: BootloaderId; board: BoardId; original: number; other: number }[] = [
  { bootloader: 'stk500v2-atmega2560', board: 'arduino-mega2560', original: 30_001, other: 70_000 },
  { bootloader: 'optiboot-atmega328p', board: 'arduino-uno', original: 9_001, other: 20_000 },
];

describe('backup, flash another image, restore', () => {
  for (const c of CASES) {
    // About 600 KB cross the wire for the 2560 (the whole application section read, and written back).
    it(`${c.board}: the flash ends as it was; nothing at or above the bootloader was requested`, { timeout: 300_000 }, async () => {
      const mcu = BOARDS[c.board].mcu;
      const page = DEVICES[mcu].pageBytes;
      bench = await startBench(c.bootloader, { speed: 'virtual', application: randomBytes(c.original, 61) });
      const bootStart = bench.bootloader.start;
      const before = bench.board.flash.slice();
      const log = recordHostCommands(bench.board);
      const baud = BOARDS[c.board].baud;

      // "Keep the firmware": the same link reads the application section, then writes the new image.
      const other = imageFromSegments([{ address: 0, data: randomBytes(c.other, 62) }]);
      let link = await bench.open(baud);
      let said = '';
      const read = await readFirmware({ protocol: 'auto' }, { link, clock: bench.board.clock, onEvent: (e) => void (e.state === 'log' && (said += `${e.text}\n`)) });
      const readsOfBackup = log.reads.length;
      await flashFirmware({ image: other, mcu: read.mcuId, protocol: read.protocol, ...(read.baud ? { baud: read.baud } : {}) }, { link, clock: bench.board.clock });
      await link.close();
      expect(read.mcuId).toBe(mcu);
      expect(read.appBytes).toBe(bootStart);
      expect(read.bytes.length).toBe(Math.ceil(c.original / page) * page);
      const backupReads = log.reads.slice(0, readsOfBackup);
      const coverage = readCoverage(backupReads);
      expect(coverage.bytes).toBe(bootStart);
      expect(unexplainedRepeats(coverage.repeatedAt, said)).toEqual([]);
      expect(Math.max(...backupReads.map((r) => r.address + r.length))).toBe(bootStart);
      expect(bench.board.flash.subarray(0, c.other)).toEqual(other.bytes);

      const backup = parseIntelHex(backupHex(read.bytes));
      const image = restoreImage(backup, { mcu: read.mcuId, protocol: read.protocol, appBytes: read.appBytes });
      link = await bench.open(baud);
      try {
        const result = await flashFirmware({ image, mcu: read.mcuId, protocol: read.protocol }, { link, clock: bench.board.clock });
        expect(result.bytesVerified).toBe(result.bytesWritten);
      } finally {
        await link.close();
      }
      const diff = bench.board.flash.findIndex((b, i) => b !== before[i]);
      expect(diff, `first difference at 0x${diff.toString(16)}`).toBe(-1);
      expect(log.reads.length).toBeGreaterThan(readsOfBackup);
      expect(log.accesses.some((a) => a.op === 'write')).toBe(true);
      expect(accessesFrom(log, bootStart)).toEqual([]);
    });
  }
});
