// The app's backup flow against a scripted optiboot with an application in flash: a flash with
// "Keep the firmware" reads first on the same port and hands the backup over before writing; a
// backup that cannot be read or stored stops the flash with nothing written, and says so. Plus the
// library entry's name and the restore plan (its chip only, the rest of the application erased).
import { describe, expect, it } from 'vitest';
import { backupEntry, restorePlan } from '../../src/app/backup-entry.js';
import { runFlash, type FlashDeps, type FlashUpdate } from '../../src/app/flash-service.js';
import { FlashError } from '../../src/core/errors.js';
import { imageFromSegments } from '../../src/core/hex/binary.js';
import { parseIntelHex } from '../../src/core/hex/intel-hex.js';
import type { ReadResult } from '../../src/core/read-session.js';
import { systemClock } from '../../src/transports/system-clock.js';
import { randomBytes } from '../helpers/random.js';
import { memoryOptiboot } from './memory-optiboot.js';

const port = { getInfo: () => ({ usbVendorId: 0x1a86, usbProductId: 0x7523 }) } as unknown as SerialPort;
const image = imageFromSegments([{ address: 0, data: randomBytes(2000, 81) }]);

function setup() {
  const board = memoryOptiboot();
  const original = randomBytes(3000, 82);
  board.flash.set(original);
  let closed = 0;
  const deps: FlashDeps = {
    requestPort: async () => port,
    openLink: async () => {
      const close = board.link.close.bind(board.link);
      (board.link as { close: () => Promise<void> }).close = async () => {
        closed++;
        await close();
      };
      return board.link;
    },
    clock: systemClock,
  };
  return { board, original, deps, closed: () => closed };
}

describe('flash with "Keep the firmware that is on the board now"', () => {
  it('reads the application section first on the same port, hands it over, then writes', async () => {
    const s = setup();
    const kept: ReadResult[] = [];
    const updates: FlashUpdate[] = [];
    const out = await runFlash(
      { image, request: { board: 'arduino-uno' }, verbose: false, keep: { store: async (r) => void kept.push(r) } },
      s.deps,
      (u) => updates.push(u),
    );
    expect(out.state).toBe('done');
    expect(kept).toHaveLength(1);
    // Trimmed after the last used 128-byte page: 3000 bytes and 0xFF to 3072.
    expect(kept[0]?.bytes).toEqual(Uint8Array.from([...s.original, ...new Array<number>(72).fill(0xff)]));
    expect(kept[0]).toMatchObject({ mcuId: 'atmega328p', appBytes: 0x7e00, bytesRead: 0x7e00 });
    const states = updates.map((u) => u.state);
    expect(states.indexOf('reading')).toBeGreaterThan(-1);
    expect(states.lastIndexOf('reading')).toBeLessThan(states.indexOf('writing'));
    expect(s.board.flash.subarray(0, 2000)).toEqual(image.bytes);
    expect(s.closed()).toBe(1);
  });

  it('writes nothing when the backup cannot be stored, and says so', async () => {
    const s = setup();
    const store = async (): Promise<void> => {
      throw new FlashError('backup-not-kept', 'It was read, but the browser did not store it: quota.');
    };
    const out = await runFlash({ image, request: { board: 'arduino-uno' }, verbose: false, keep: { store } }, s.deps, () => undefined);
    expect(out.state === 'error' && out.error.code).toBe('backup-not-kept');
    expect(out.state === 'error' && out.error.message).toMatch(/nothing was written/);
    expect(s.board.flash.subarray(0, 3000)).toEqual(s.original);
    expect(s.closed()).toBe(1);
  });

  it('writes nothing when the backup cannot be read (another chip than chosen), and says so', async () => {
    const s = setup();
    let stored = 0;
    const out = await runFlash(
      { image, request: { board: 'arduino-mega2560', protocol: 'stk500v1' }, verbose: false, keep: { store: async () => void stored++ } },
      s.deps,
      () => undefined,
    );
    expect(out.state === 'error' && out.error.code).toBe('signature-mismatch');
    expect(out.state === 'error' && out.error.detail).toMatch(/Reading the firmware on the board for the backup failed, so nothing was written\./);
    expect(stored).toBe(0);
    expect(s.board.flash.subarray(0, 3000)).toEqual(s.original);
  });
});

describe('backup entries', () => {
  const read: ReadResult = {
    protocol: 'stk500v2', baud: 115200, signature: '1e 98 01', mcu: 'ATmega2560', mcuId: 'atmega2560',
    bytes: randomBytes(512, 83), bytesRead: 0x3e000, appBytes: 0x3e000, ms: 1,
  };

  it('are named after the chip, the date and the port, and hold the Intel HEX of the bytes read', () => {
    const at = new Date(2026, 11, 1, 14, 5).getTime();
    const e = backupEntry(read, 'CH340 USB-serial adapter (USB 1a86:7523)', at);
    expect(e.name).toBe('Backup of ATmega2560, 2026-12-01 14:05, CH340 USB-serial adapter (USB 1a86:7523)');
    expect(e.fileName).toBe('backup-atmega2560-202612011405.hex');
    expect(parseIntelHex(new TextDecoder().decode(e.data)).bytes).toEqual(read.bytes);
    expect(e.info).toMatchObject({ mcu: 'atmega2560', protocol: 'stk500v2', appBytes: 0x3e000, at });
  });

  it('restore to their own chip, erasing the application section past the backup (up to the 2560 region its bootloader cannot erase)', () => {
    const e = backupEntry(read, 'p', 0);
    const plan = restorePlan(parseIntelHex(new TextDecoder().decode(e.data)), e.info);
    expect(plan.request).toMatchObject({ mcu: 'atmega2560', protocol: 'stk500v2', baud: 115200, bootloaderBytes: 0x2000 });
    expect(plan.image.end).toBe(0x3c000);
    expect(plan.image.bytes.subarray(0, 512)).toEqual(read.bytes);
    expect(plan.image.bytes.subarray(512).every((b) => b === 0xff)).toBe(true);
    const uno = restorePlan(imageFromSegments([{ address: 0, data: randomBytes(100, 84) }]), { ...e.info, mcu: 'atmega328p', protocol: 'stk500v1', appBytes: 0x7e00 });
    expect(uno.image.end).toBe(0x7e00);
    expect(() => restorePlan(plan.image, { ...e.info, mcu: 'atmega9000' })).toThrow(/cannot be restored here/);
  });
});
