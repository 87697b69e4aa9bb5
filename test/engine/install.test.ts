// The install flow on emulated boards running their real bootloaders, through the Web Serial adapter:
// the chip is read, its build picked from a manifest with Uno, Mega and Mega 1280 builds, and that build
// flashed on the same open port, byte for byte; a board no build fits is left as it was.
import { afterEach, describe, expect, it } from 'vitest';
import { firmwareFromBytes } from '../../src/app/firmware-source.js';
import { runInstall, type InstallDeps, type InstallUpdate } from '../../src/app/install-service.js';
import type { LoadedManifest } from '../../src/app/manifest-source.js';
import { imageFromSegments } from '../../src/core/hex/binary.js';
import { toIntelHex } from '../../src/core/hex/intel-hex.js';
import { openWebSerialLink } from '../../src/transports/web-serial.js';
import type { BootloaderId } from '../emulator/bootloaders.js';
import { startBench, type BenchBoard } from '../helpers/bench-board.js';
import { randomBytes } from '../helpers/random.js';

const images: Record<string, Uint8Array> = { 'uno.hex': randomBytes(6_000, 71), 'mega.hex': randomBytes(9_000, 72), 'mega1280.hex': randomBytes(7_000, 73) };
const full: LoadedManifest = {
  url: 'https://example.org/firmware.json',
  manifest: {
    name: 'Blink',
    version: '3',
    builds: [
      { board: 'arduino-uno', url: 'uno.hex' },
      { board: 'arduino-mega2560', url: 'mega.hex' },
      { board: 'arduino-mega1280', url: 'mega1280.hex' },
    ],
  },
};

let bench: BenchBoard | undefined;
afterEach(async () => {
  await bench?.stop();
  bench = undefined;
});

async function install(id: BootloaderId, m: LoadedManifest) {
  // On virtual time: the flow under test is the build's choice and its flash, not timing. On the
  // wall clock ('adaptive') the Uno's detection after its reset failed now and then under CI load.
  bench = await startBench(id, { speed: 'virtual' });
  const b = bench;
  const fetched: string[] = [];
  const deps: InstallDeps = {
    requestPort: async () => b.port as unknown as SerialPort,
    openLink: (port, o) => openWebSerialLink(port, { baud: o.baud, clock: b.board.clock }),
    clock: b.board.clock,
    fetchBuild: async (_m, build) => {
      fetched.push(build.url);
      const data = images[build.url] ?? new Uint8Array(0);
      return firmwareFromBytes(build.url, new TextEncoder().encode(toIntelHex(imageFromSegments([{ address: 0, data }]))));
    },
  };
  const updates: InstallUpdate[] = [];
  const out = await runInstall({ manifest: m, verbose: false }, deps, (u) => updates.push(u));
  return { out, fetched, picked: updates.find((u) => u.state === 'picked'), flash: b.board.flash };
}

describe('runInstall on emulated boards', () => {
  for (const [id, file, label] of [
    ['stk500v2-atmega2560', 'mega.hex', 'Arduino Mega 2560'],
    ['optiboot-atmega328p', 'uno.hex', 'Arduino Uno'],
    ['atmegaboot-atmega1280', 'mega1280.hex', 'Arduino Mega (ATmega1280)'],
  ] as const) {
    it(`${id}: the ${label} build is picked and flashed verified`, async () => {
      const { out, fetched, picked, flash } = await install(id, full);
      if (out.state !== 'done') throw new Error(`expected done, got ${out.state === 'error' ? out.error.message : out.state}`);
      expect(fetched).toEqual([file]);
      expect(picked?.state === 'picked' && picked.label).toMatch(new RegExp(`^${label.replace(/[()]/g, '\\$&')} `));
      expect(out.result.bytesVerified).toBe(out.result.bytesWritten);
      const want = images[file] as Uint8Array;
      expect(Buffer.from(flash.subarray(0, want.length)).equals(Buffer.from(want))).toBe(true);
    });
  }

  it('a board no build fits is left as it was: nothing downloaded, nothing written', async () => {
    const unoOnly: LoadedManifest = { ...full, manifest: { ...full.manifest, builds: [{ board: 'arduino-uno', url: 'uno.hex' }] } };
    bench = await startBench('stk500v2-atmega2560', { speed: 'virtual' });
    const before = bench.board.flash.slice();
    await bench.stop();
    bench = undefined;
    const { out, fetched, flash } = await install('stk500v2-atmega2560', unoOnly);
    expect(out.state === 'error' && out.error.code).toBe('no-build-fits');
    expect(fetched).toEqual([]);
    expect(Buffer.from(flash).equals(Buffer.from(before))).toBe(true);
  });
});
