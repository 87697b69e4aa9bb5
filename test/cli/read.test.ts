// `hexflash read --port PORT OUT` as a separate process against emulated boards with an application
// in flash: the file holds the application section up to its last used page, nothing at or above
// the bootloader was requested (decoded from the bytes on the wire), .bin is raw; and the exit
// status is non-zero, with no file written, unless the read completed.
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseIntelHex } from '../../src/core/hex/intel-hex.js';
import { startBridgedBoard, type BridgedBoard } from '../helpers/bridged-board.js';
import { runCli } from '../helpers/cli-process.js';
import { accessesFrom, readCoverage, recordHostCommands, unexplainedRepeats } from '../helpers/command-log.js';
import { randomBytes } from '../helpers/random.js';

const dir = mkdtempSync(join(tmpdir(), 'hexflash-read-'));
let running: BridgedBoard | null = null;
afterEach(async () => {
  await running?.stop();
  running = null;
});

describe('hexflash read', () => {
  it('reads the 2560 application section to a .hex that equals the flash, trimmed after the last used page, and exits 0', async () => {
    running = await startBridgedBoard('stk500v2-atmega2560');
    const app = randomBytes(20_000, 71);
    running.board.flash.set(app, 0);
    const log = recordHostCommands(running.board);
    const out = join(dir, 'mega.hex');
    const r = await runCli(['read', '--port', running.spec, out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.summary).toMatchObject({ ok: true, file: out, mcu: 'ATmega2560', protocol: 'stk500v2', bytesRead: 0x3e000, bytesInFile: 20_224 });
    const image = parseIntelHex(readFileSync(out, 'latin1'));
    expect(image.end).toBe(20_224);
    expect(image.bytes).toEqual(running.board.flash.subarray(0, 20_224));
    const coverage = readCoverage(log.reads);
    expect(coverage.bytes).toBe(0x3e000);
    expect(unexplainedRepeats(coverage.repeatedAt, r.stderr)).toEqual([]);
    expect(accessesFrom(log, running.info.start)).toEqual([]);
  });

  it('writes raw bytes for OUT.bin (328p, optiboot)', async () => {
    running = await startBridgedBoard('optiboot-atmega328p');
    const app = randomBytes(5_000, 72);
    running.board.flash.set(app, 0);
    const out = join(dir, 'uno.bin');
    const r = await runCli(['read', '--port', running.spec, '--board', 'arduino-uno', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('the bootloader left out');
    expect(new Uint8Array(readFileSync(out))).toEqual(running.board.flash.subarray(0, 5_120));
  });

  it('exits 1 and writes no file when no bootloader answers; 2 without an output file', async () => {
    running = await startBridgedBoard('optiboot-atmega328p', { bootloader: false });
    const out = join(dir, 'none.hex');
    const r = await runCli(['read', '--port', running.spec, '--board', 'arduino-uno', out]);
    expect(r.code).toBe(1);
    expect(r.summary).toMatchObject({ ok: false, code: 'no-bootloader' });
    expect(existsSync(out)).toBe(false);
    const bad = await runCli(['read', '--port', running.spec]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('Give exactly one output file');
  });
});
