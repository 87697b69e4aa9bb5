// hexflash in avrdude's place, as separate processes the way OctoPrint-FirmwareUpdater runs avrdude:
// its default command line with a wrong programmer type (the Anet A8 set up as 'wiring'), the right
// one on a 57600 board, a read to a file, and failures that must exit 1 with "ERROR:".
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseIntelHex } from '../../src/core/hex/intel-hex.js';
import { startBridgedBoard, type BridgedBoard } from '../helpers/bridged-board.js';
import { runCli } from '../helpers/cli-process.js';
import { writeFirmware } from '../helpers/firmware-file.js';
import { randomBytes } from '../helpers/random.js';

const dir = mkdtempSync(join(tmpdir(), 'hexflash-avrdude-'));
let running: BridgedBoard | null = null;
afterEach(async () => {
  await running?.stop();
  running = null;
});

const firmware = (bytes: number, seed: number): { file: string; data: Uint8Array } => writeFirmware(dir, bytes, seed);

/** OctoPrint-FirmwareUpdater's default avrdude command line (methods/avrdude.py), filled in. */
function octoprint(mcu: string, programmer: string, port: string, baud: number, file: string): string[] {
  return ['-v', '-q', '-p', mcu, '-c', programmer, '-P', port, '-D', '-C', '/etc/avrdude.conf', '-b', String(baud), '-U', `flash:w:${file}:i`];
}

function flashEquals(b: BridgedBoard, data: Uint8Array): boolean {
  return Buffer.compare(Buffer.from(b.board.flash.subarray(0, data.length)), Buffer.from(data)) === 0;
}

describe('hexflash in avrdude\'s place', () => {
  it("the seed's setup: -p m1284p -c wiring -b 115200 on an Anet A8 (STK500v1 at 57600) flashes and exits 0", async () => {
    running = await startBridgedBoard('atmegaboot-atmega1284p', { clients: 'one-at-a-time' });
    const fw = firmware(24_000, 51);
    const r = await runCli(octoprint('m1284p', 'wiring', running.spec, 115200, fw.file));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/writing flash \(\d+ bytes\):/);
    expect(r.stderr).toContain('reading on-chip flash data');
    expect(r.stderr).toMatch(/\d+ bytes of flash verified/);
    expect(r.stderr.indexOf('writing flash')).toBeLessThan(r.stderr.indexOf('reading on-chip flash data'));
    expect(r.stderr).toContain('the bootloader answered STK500V1');
    expect(r.stderr.toLowerCase()).not.toContain('timeout communicating with programmer');
    expect(r.stdout).toBe('');
    expect(flashEquals(running, fw.data)).toBe(true);
  });

  it('-c arduino -b 57600 on a 57600 board (Mega 1280, ATmegaBOOT) flashes and exits 0', async () => {
    running = await startBridgedBoard('atmegaboot-atmega1280');
    const fw = firmware(16_000, 52);
    const r = await runCli(octoprint('m1280', 'arduino', running.spec, 57600, fw.file));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/\d+ bytes of flash verified/);
    expect(r.stderr).not.toContain('not the -c/-b given');
    expect(flashEquals(running, fw.data)).toBe(true);
  });

  it('-U flash:r:out.hex:i writes a file equal to the flash below the bootloader', async () => {
    running = await startBridgedBoard('optiboot-atmega328p');
    const data = randomBytes(9000, 53);
    running.board.flash.set(data, 0);
    const out = join(dir, 'read.hex');
    const r = await runCli(['-p', 'm328p', '-c', 'arduino', '-P', running.spec, '-b', '115200', '-U', `flash:r:${out}:i`]);
    expect(r.code, r.stderr).toBe(0);
    const app = 0x8000 - 512;
    const got = Buffer.alloc(app, 0xff);
    got.set(parseIntelHex(readFileSync(out, 'latin1')).bytes.subarray(0, app));
    expect(Buffer.compare(got, Buffer.from(running.board.flash.subarray(0, app)))).toBe(0);
  });

  it('-V: a finished write without verify exits 0 and says verification was skipped', async () => {
    running = await startBridgedBoard('optiboot-atmega328p');
    const fw = firmware(3000, 54);
    const r = await runCli(['-p', 'atmega328p', '-carduino', `-P${running.spec}`, '-V', `-Uflash:w:${fw.file}`]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('verification skipped (-V)');
    expect(r.stderr).not.toContain('bytes of flash verified');
  });

  it('failures exit 1 with ERROR:, unknown options and parts included', async () => {
    running = await startBridgedBoard('stk500v2-atmega2560', { bootloader: false });
    const fw = firmware(1000, 55);
    const none = await runCli(octoprint('m2560', 'wiring', running.spec, 115200, fw.file));
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/ERROR: No bootloader answered\. Tried STK500V2/);
    expect(none.stderr.toLowerCase()).not.toContain('timeout communicating with programmer');
    for (const [args, words] of [
      [['-p', 'm2560', '-c', 'wiring', '-P', running.spec, '-x', 'foo', '-U', `flash:w:${fw.file}:i`], /Option -x is not supported/],
      [['-p', 'm9999', '-c', 'wiring', '-P', running.spec, '-U', `flash:w:${fw.file}:i`], /-p m9999 is not a part HexFlash knows/],
      [['-p', 'm2560', '-c', 'usbasp', '-P', running.spec, '-U', `flash:w:${fw.file}:i`], /-c usbasp is not a serial bootloader protocol/],
      [['-p', 'm2560', '-c', 'wiring', '-P', running.spec, '-U', `eeprom:w:${fw.file}:i`], /only the flash memory/],
      [['-p', 'm2560', '-c', 'wiring', '-P', running.spec], /Nothing to do/],
    ] as const) {
      const r = await runCli([...args]);
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.stderr).toMatch(/^hexflash: ERROR: /m);
      expect(r.stderr).toMatch(words);
    }
  });
});
