// The behaviour every FirmwareLibrary must have, run against each implementation.
import { describe, expect, it } from 'vitest';
import { MAX_RECENT, StoreError, type FirmwareLibrary } from '../../src/store/firmware-library.js';
import { sha256Hex } from '../../src/store/sha256.js';

export interface Clocked {
  readonly lib: FirmwareLibrary;
  /** Advances the library's clock. */
  tick(ms: number): void;
}

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);

export function libraryContract(name: string, make: () => Clocked): void {
  describe(`${name}: FirmwareLibrary contract`, () => {
    it('stores an image with its name, size and SHA-256, and gives it back', async () => {
      const { lib } = make();
      const data = bytes(':00000001FF\n');
      const sha = await sha256Hex(data);
      const meta = await lib.add('blink.hex', data, sha);
      expect(meta).toMatchObject({ sha256: sha, name: 'blink.hex', size: data.length });
      const got = await lib.get(sha);
      expect(got?.data).toEqual(data);
      expect(got?.meta.name).toBe('blink.hex');
    });

    it('stores the same bytes once and moves them to the top', async () => {
      const c = make();
      const a = bytes('a');
      const b = bytes('b');
      await c.lib.add('a.hex', a, await sha256Hex(a));
      c.tick(10);
      await c.lib.add('b.hex', b, await sha256Hex(b));
      c.tick(10);
      const again = await c.lib.add('a-copy.hex', a, await sha256Hex(a));
      const list = await c.lib.list();
      expect(list.map((m) => m.name)).toEqual(['a.hex', 'b.hex']);
      expect(again.name).toBe('a.hex');
      expect(again.usedAt).toBeGreaterThan(again.addedAt);
    });

    it('renames, records the last flash, and deletes', async () => {
      const c = make();
      const a = bytes('a');
      const sha = await sha256Hex(a);
      await c.lib.add('a.hex', a, sha);
      await c.lib.rename(sha, '  Marlin 2.1  ');
      c.tick(5);
      await c.lib.markFlashed(sha, { board: 'Arduino Uno', at: 12345, ok: true, summary: 'ATmega328P' });
      const [m] = await c.lib.list();
      expect(m).toMatchObject({ name: 'Marlin 2.1', lastFlash: { board: 'Arduino Uno', ok: true, summary: 'ATmega328P' } });
      await c.lib.remove(sha);
      expect(await c.lib.list()).toEqual([]);
      expect(await c.lib.get(sha)).toBeUndefined();
    });

    it('sorts by last use: a flash moves an entry to the top', async () => {
      const c = make();
      const shas: string[] = [];
      for (const n of ['x', 'y', 'z']) {
        const d = bytes(n);
        shas.push(await sha256Hex(d));
        await c.lib.add(`${n}.hex`, d, shas[shas.length - 1] as string);
        c.tick(10);
      }
      await c.lib.markFlashed(shas[0] as string, { board: 'b', at: 1e12, ok: false, summary: 'No bootloader answered.' });
      expect((await c.lib.list()).map((m) => m.name)).toEqual(['x.hex', 'z.hex', 'y.hex']);
    });

    it(`keeps at most ${MAX_RECENT} images, dropping the least recently used`, async () => {
      const c = make();
      for (let i = 0; i < MAX_RECENT + 2; i++) {
        const d = bytes(`image ${i}`);
        await c.lib.add(`${i}.hex`, d, await sha256Hex(d));
        c.tick(1);
      }
      const list = await c.lib.list();
      expect(list).toHaveLength(MAX_RECENT);
      expect(list.at(-1)?.name).toBe('2.hex');
      expect(await c.lib.get(await sha256Hex(bytes('image 0')))).toBeUndefined();
    });

    it('keeps a backup with where it came from, and never evicts it for newer images', async () => {
      const c = make();
      const d = bytes('backup');
      const sha = await sha256Hex(d);
      const info = { mcu: 'atmega2560', mcuName: 'ATmega2560', signature: '1e 98 01', protocol: 'stk500v2', baud: 115200, appBytes: 0x3e000, port: 'CH340', at: 5 };
      await c.lib.add('Backup of ATmega2560', d, sha, info);
      for (let i = 0; i < MAX_RECENT + 1; i++) {
        c.tick(1);
        const x = bytes(`newer ${i}`);
        await c.lib.add(`${i}.hex`, x, await sha256Hex(x));
      }
      const list = await c.lib.list();
      expect(list).toHaveLength(MAX_RECENT + 1);
      expect(list.at(-1)).toMatchObject({ name: 'Backup of ATmega2560', backup: info });
      expect((await c.lib.get(sha))?.data).toEqual(d);
    });

    it('refuses to rename or mark an entry that is gone, with a StoreError', async () => {
      const { lib } = make();
      await expect(lib.rename('0'.repeat(64), 'x')).rejects.toBeInstanceOf(StoreError);
      await expect(lib.markFlashed('0'.repeat(64), { board: 'b', at: 1, ok: true, summary: '' })).rejects.toMatchObject({ kind: 'missing' });
    });

    it('cleans names: control characters removed, empty becomes firmware.hex', async () => {
      const { lib } = make();
      const d = bytes('n');
      const sha = await sha256Hex(d);
      await lib.add('a\u0000b\nc.hex', d, sha);
      expect((await lib.list())[0]?.name).toBe('abc.hex');
      await lib.rename(sha, '   ');
      expect((await lib.list())[0]?.name).toBe('firmware.hex');
    });
  });
}
