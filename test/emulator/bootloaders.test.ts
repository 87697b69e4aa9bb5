// The real bootloaders: found in the Debian install or built from Debian's sources into the cache.
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { BOOTLOADER_IDS, FLASH_BYTES, bootloaderCacheDir, loadBootloader, type BootloaderId } from './bootloaders.js';

/** Tiny independent Intel HEX reader: address -> byte; throws on bad records and on overlaps. */
function readHex(text: string): Map<number, number> {
  const mem = new Map<number, number>();
  let base = 0;
  for (const [i, raw] of text.split(/\r?\n/).entries()) {
    const line = raw.trim();
    if (!line) continue;
    if (!/^:(?:[0-9A-Fa-f]{2}){5,}$/.test(line)) throw new Error(`line ${i + 1}: not a record`);
    const b = Buffer.from(line.slice(1), 'hex');
    const n = b[0] ?? 0;
    if (b.length !== n + 5) throw new Error(`line ${i + 1}: bad length`);
    if (b.reduce((s, x) => s + x, 0) % 256 !== 0) throw new Error(`line ${i + 1}: bad checksum`);
    const type = b[3];
    if (type === 0x00) {
      for (let j = 0; j < n; j++) {
        const a = base + b.readUInt16BE(1) + j;
        if (mem.has(a)) throw new Error(`line ${i + 1}: 0x${a.toString(16)} written twice`);
        mem.set(a, b[4 + j] ?? 0);
      }
    } else if (type === 0x01) break;
    else if (type === 0x02) base = b.readUInt16BE(4) << 4;
    else if (type === 0x04) base = b.readUInt16BE(4) << 16;
    else if (type !== 0x03 && type !== 0x05) throw new Error(`line ${i + 1}: record type ${type}`);
  }
  return mem;
}

const EXPECTED: Record<BootloaderId, { mcu: string; protocol: string; baud: number; start: number; maxBytes: number; built: boolean }> = {
  'stk500v2-atmega2560': { mcu: 'atmega2560', protocol: 'stk500v2', baud: 115200, start: 0x3e000, maxBytes: 8192, built: false },
  'optiboot-atmega328p': { mcu: 'atmega328p', protocol: 'stk500v1', baud: 115200, start: 0x7e00, maxBytes: 512, built: true },
  'atmegaboot-atmega1280': { mcu: 'atmega1280', protocol: 'stk500v1', baud: 57600, start: 0x1f000, maxBytes: 4096, built: false },
  'atmegaboot-atmega1284p': { mcu: 'atmega1284p', protocol: 'stk500v1', baud: 57600, start: 0x1f800, maxBytes: 2048, built: true },
  'caterina-atmega32u4': { mcu: 'atmega32u4', protocol: 'avr109', baud: 57600, start: 0x7000, maxBytes: 4096, built: true },
  'atmegaboot-diecimila-atmega168': { mcu: 'atmega168', protocol: 'stk500v1', baud: 19200, start: 0x3800, maxBytes: 2048, built: false },
  'atmegaboot-ng-atmega168': { mcu: 'atmega168', protocol: 'stk500v1', baud: 19200, start: 0x3800, maxBytes: 2048, built: false },
  'atmegaboot-atmega8': { mcu: 'atmega8', protocol: 'stk500v1', baud: 19200, start: 0x1c00, maxBytes: 1024, built: false },
};

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const temps: string[] = [];
afterAll(async () => {
  await Promise.all(temps.map((d) => rm(d, { recursive: true, force: true })));
});

describe('bootloaders', () => {
  it('lists every bootloader id', () => {
    expect([...BOOTLOADER_IDS].sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  for (const id of BOOTLOADER_IDS) {
    it(`${id}: loads, parses, and lies within [start, end of flash)`, async () => {
      const info = await loadBootloader(id);
      const want = EXPECTED[id];
      expect(info).toMatchObject({ id, mcu: want.mcu, protocol: want.protocol, baud: want.baud, start: want.start });
      expect(info.flashBytes).toBe(FLASH_BYTES[info.mcu]);
      expect(info.hexText).toBe(await readFile(info.hexPath, 'utf8'));
      if (want.built) {
        expect(info.hexPath.startsWith(bootloaderCacheDir())).toBe(true);
        expect(info.origin).toMatch(/^built from Debian arduino-core-avr .* with avr-gcc .*: avr-gcc .*-mmcu=/);
      } else {
        expect(info.hexPath.startsWith('/usr/share/arduino/')).toBe(true);
        expect(info.origin).toMatch(/^Debian arduino-core-avr /);
      }

      const mem = readHex(info.hexText);
      const addrs = [...mem.keys()];
      expect(mem.size).toBe(info.size);
      expect(Math.min(...addrs)).toBe(info.start);
      expect(Math.max(...addrs)).toBeLessThan(info.flashBytes);
      expect(mem.size).toBeLessThanOrEqual(want.maxBytes);
      expect(info.flashBytes - info.start).toBe(info.bootSectionBytes);
      // The boot section is one of the sizes BOOTSZ can select (a power of two, 512 B .. 8 KiB).
      expect([512, 1024, 2048, 4096, 8192]).toContain(info.bootSectionBytes);
    });
  }

  it('optiboot-atmega328p: the rebuild fits 0x7E00..0x7FFF with its version word at 0x7FFE', async () => {
    const mem = readHex((await loadBootloader('optiboot-atmega328p')).hexText);
    expect(mem.size).toBeLessThanOrEqual(512);
    for (const a of mem.keys()) expect(a >= 0x7e00 && a <= 0x7fff).toBe(true);
    // Optiboot 4.4: version word 0x0404 (major 4, minor 4), little-endian at 0x7FFE.
    expect([mem.get(0x7ffe), mem.get(0x7fff)]).toEqual([4, 4]);
    // The code starts with "clr r1" (eor r1,r1 = 0x2411): no vector table, main() at the boot start.
    expect([mem.get(0x7e00), mem.get(0x7e01)]).toEqual([0x11, 0x24]);
  });

  it('atmegaboot-atmega1284p: jmp at the boot start, ELPM/SPM/RAMPZ in the listing', async () => {
    const info = await loadBootloader('atmegaboot-atmega1284p');
    const mem = readHex(info.hexText);
    // jmp k: 1001 010k kkkk 110k + 16-bit k (word address), here into the boot section.
    const w0 = (mem.get(0x1f800) ?? 0) | ((mem.get(0x1f801) ?? 0) << 8);
    const w1 = (mem.get(0x1f802) ?? 0) | ((mem.get(0x1f803) ?? 0) << 8);
    expect(w0 & 0xfe0e).toBe(0x940c);
    const target = ((((w0 >> 4) & 0x1f) << 17) | ((w0 & 1) << 16) | w1) * 2;
    expect(target).toBeGreaterThanOrEqual(0x1f800);
    expect(target).toBeLessThan(0x20000);
    const listing = await readFile(info.hexPath.replace(/\.hex$/, '.lst'), 'utf8');
    expect(listing).toMatch(/\telpm\t/);
    expect(listing).toMatch(/\tspm\b/);
    expect(listing).toMatch(/\tout\t0x3b, /);
  });

  it("caterina-atmega32u4: Caterina's own code, byte I/O on USART1, Timer1 vector at the boot section", async () => {
    const info = await loadBootloader('caterina-atmega32u4');
    const listing = await readFile(info.hexPath.replace(/\.hex$/, '.lst'), 'utf8');
    for (const fn of ['main', 'CDC_Task', 'StartSketch', '__vector_17']) expect(listing).toContain(`<${fn}>:`);
    expect(listing).not.toMatch(/Endpoint_|USB_Device/);
    // The 8 s timeout runs on TIMER1_COMPA (vector 17): its slot at 0x7000 + 17 * 4 jumps to the ISR.
    expect(listing).toMatch(/^ +7044:\t[0-9a-f ]+\trjmp\t.*<__vector_17>/m);
    expect(info.origin).toContain('FetchNextCommandByte reads USART1');
  });

  it('a second load comes from the cache', async () => {
    for (const id of BOOTLOADER_IDS) {
      const first = await loadBootloader(id);
      const before = await stat(first.hexPath);
      const t0 = performance.now();
      const again = await loadBootloader(id);
      const ms = performance.now() - t0;
      expect(again.hexPath).toBe(first.hexPath);
      expect(again.hexText).toBe(first.hexText);
      expect(again.origin).toBe(first.origin);
      expect((await stat(again.hexPath)).mtimeMs).toBe(before.mtimeMs);
      expect(ms).toBeLessThan(250);
    }
  });

  it('builds are deterministic and safe when several processes build into one empty cache at once', async () => {
    const cache = await mkdtemp(join(tmpdir(), 'hexflash-bl-'));
    temps.push(cache);
    const cli = join(REPO_ROOT, 'test/emulator/bootloaders.ts');
    const runOnce = () =>
      new Promise<string>((resolve, reject) => {
        execFile(
          process.execPath,
          ['--import', 'tsx', cli],
          { cwd: REPO_ROOT, env: { ...process.env, HEXFLASH_CACHE: cache } },
          (err, stdout, stderr) => (err ? reject(new Error(`${String(err)}\n${stderr}`)) : resolve(stdout)),
        );
      });
    await Promise.all([runOnce(), runOnce(), runOnce()]);

    const files = (await readdir(join(cache, 'bootloaders'))).sort();
    expect(files.filter((f) => f.startsWith('.build-'))).toEqual([]);
    for (const id of BOOTLOADER_IDS.filter((i) => EXPECTED[i].built)) {
      const ours = await loadBootloader(id); // the repo cache (or $HEXFLASH_CACHE of this run)
      const name = ours.hexPath.split('/').pop() ?? '';
      expect(files).toContain(name);
      expect(await readFile(join(cache, 'bootloaders', name), 'utf8')).toBe(ours.hexText);
    }
  });
});
