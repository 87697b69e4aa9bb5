// Applications the emulated boards run after their bootloader hands over, built at test time with
// Debian's avr-gcc from our own sources in test/emulator/firmware/ (no committed binaries). Today:
// console-echo.c, the serial console's test firmware, for a given MCU and baud. Builds are cached
// beside the bootloaders' (<cache>/firmware/, the name carrying a hash of the source and flags) and
// renamed into place when complete, so parallel workers never read half a file.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseIntelHex } from '../../src/core/hex/intel-hex.js';
import { bootloaderCacheDir, run, toolVersion } from './bootloaders.js';

const SOURCE = fileURLToPath(new URL('./firmware/console-echo.c', import.meta.url));

export type ConsoleFirmwareMcu = 'atmega328p' | 'atmega2560';

export interface TestFirmware {
  readonly hexText: string;
  /** Dense from address 0. */
  readonly bytes: Uint8Array;
  /** The first line the firmware prints. */
  readonly banner: string;
}

const inflight = new Map<string, Promise<TestFirmware>>();

/** The console test firmware for `mcu` at `baud` (16 MHz, U2X). */
export function loadConsoleFirmware(mcu: ConsoleFirmwareMcu, baud: number): Promise<TestFirmware> {
  const key = `${mcu}-${baud}`;
  let p = inflight.get(key);
  if (!p) {
    p = build(mcu, baud);
    inflight.set(key, p);
    p.catch(() => inflight.delete(key));
  }
  return p;
}

async function build(mcu: ConsoleFirmwareMcu, baud: number): Promise<TestFirmware> {
  const source = await readFile(SOURCE, 'utf8');
  const flags = ['-Os', `-mmcu=${mcu}`, '-DF_CPU=16000000UL', `-DBAUD=${baud}`, '-Wall', '-Werror'];
  const hash = createHash('sha256').update(source).update(flags.join(' ')).digest('hex').slice(0, 12);
  const dir = join(dirname(bootloaderCacheDir()), 'firmware');
  const hexPath = join(dir, `console-echo-${mcu}-${baud}-${hash}.hex`);
  if (!existsSync(hexPath)) {
    await mkdir(dir, { recursive: true });
    await toolVersion('avr-gcc', 'gcc-avr');
    const work = await mkdtemp(join(dir, '.build-'));
    try {
      await run('avr-gcc', [...flags, '-o', 'app.elf', SOURCE], work, 'gcc-avr');
      await run('avr-objcopy', ['-j', '.text', '-j', '.data', '-O', 'ihex', 'app.elf', 'app.hex'], work, 'binutils-avr');
      await rename(join(work, 'app.hex'), hexPath);
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  }
  const hexText = await readFile(hexPath, 'utf8');
  const image = parseIntelHex(hexText);
  return { hexText, bytes: image.bytes, banner: `HexFlash console test firmware, ${baud} baud. Type a line: it comes back.` };
}
