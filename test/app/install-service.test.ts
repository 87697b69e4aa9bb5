// The install flow (chooser -> open -> identify -> pick -> download and check -> flash on the same
// port -> close) against a scripted optiboot; fetchBuild's SHA-256 check and the link's build choice.
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { FlashDeps } from '../../src/app/flash-service.js';
import { firmwareFromBytes, type LoadedFirmware } from '../../src/app/firmware-source.js';
import { runInstall, type InstallUpdate } from '../../src/app/install-service.js';
import { buildFor } from '../../src/app/launch-link.js';
import { fetchBuild, manifestFromUrl, type LoadedManifest } from '../../src/app/manifest-source.js';
import { imageFromSegments } from '../../src/core/hex/binary.js';
import { toIntelHex } from '../../src/core/hex/intel-hex.js';
import { FlashError, isFlashError } from '../../src/core/errors.js';
import { systemClock } from '../../src/transports/system-clock.js';
import { memoryOptiboot } from './memory-optiboot.js';

const port = { getInfo: () => ({ usbVendorId: 0x2341, usbProductId: 0x0043 }) } as unknown as SerialPort;
const bytes = Uint8Array.from({ length: 700 }, (_, i) => (i * 13) & 0xff);
const hexText = toIntelHex(imageFromSegments([{ address: 0, data: bytes }]));
const manifest = (builds: LoadedManifest['manifest']['builds']): LoadedManifest => ({ url: 'https://example.org/fw/firmware.json', manifest: { name: 'Blink', version: '2', builds } });

function setup() {
  const board = memoryOptiboot();
  const calls = { opened: 0, closed: 0, fetched: [] as string[] };
  const close = board.link.close.bind(board.link);
  (board.link as { close: () => Promise<void> }).close = async () => {
    calls.closed++;
    await close();
  };
  const deps: FlashDeps & { fetchBuild: typeof fetchBuild } = {
    requestPort: async () => port,
    openLink: async () => {
      calls.opened++;
      return board.link;
    },
    clock: systemClock,
    fetchBuild: async (_m, build): Promise<LoadedFirmware> => {
      calls.fetched.push(build.url);
      return firmwareFromBytes(build.url, new TextEncoder().encode(hexText));
    },
  };
  return { board, calls, deps };
}

describe('runInstall', () => {
  it('reads the chip, picks its build, downloads it and flashes it on the same port', async () => {
    const { board, calls, deps } = setup();
    const updates: InstallUpdate[] = [];
    const out = await runInstall({ manifest: manifest([{ board: 'arduino-mega2560', url: 'mega.hex' }, { board: 'arduino-uno', url: 'uno.hex' }]), verbose: false }, deps, (u) => updates.push(u));
    expect(out.state).toBe('done');
    expect(calls).toEqual({ opened: 1, closed: 1, fetched: ['uno.hex'] });
    expect(board.flash.subarray(0, bytes.length)).toEqual(bytes);
    const states = updates.map((u) => u.state);
    // Picked after the signature, downloaded before the first byte is written.
    expect(states.indexOf('connected')).toBeLessThan(states.indexOf('picked'));
    expect(states.indexOf('fetched')).toBeLessThan(states.indexOf('writing'));
    expect(updates.find((u) => u.state === 'picked')).toMatchObject({ label: 'Arduino Uno (ATmega328P, STK500V1)', mcu: 'ATmega328P', signature: '1e 95 0f' });
  });

  it('no build for the chip: says so, downloads and writes nothing, releases the port', async () => {
    const { board, calls, deps } = setup();
    const out = await runInstall({ manifest: manifest([{ board: 'arduino-mega2560', url: 'mega.hex' }]), verbose: false }, deps, () => undefined);
    expect(out.state === 'error' && out.error.code).toBe('no-build-fits');
    expect(out.state === 'error' && out.error.message).toMatch(/builds for Arduino Mega 2560 .*The board is ATmega328P \(signature 1e 95 0f\) with an STK500V1 bootloader\. Nothing was written\.$/);
    expect(calls).toEqual({ opened: 1, closed: 1, fetched: [] });
    expect(board.flash.every((b) => b === 0xff)).toBe(true);
  });

  it('a download that is refused (wrong SHA-256) writes nothing', async () => {
    const { board, calls, deps } = setup();
    deps.fetchBuild = () => Promise.reject(new FlashError('firmware-mismatch', 'uno.hex differs.'));
    const out = await runInstall({ manifest: manifest([{ board: 'arduino-uno', url: 'uno.hex' }]), verbose: false }, deps, () => undefined);
    expect(out.state === 'refused' && out.problem.code).toBe('firmware-mismatch');
    expect(calls.closed).toBe(1);
    expect(board.flash.every((b) => b === 0xff)).toBe(true);
  });
});

describe('manifest-source', () => {
  afterEach(() => vi.unstubAllGlobals());
  const serve = (files: Record<string, string>): string[] => {
    const seen: string[] = [];
    vi.stubGlobal('fetch', async (url: string) => {
      seen.push(url);
      const body = files[url];
      return body === undefined ? new Response('', { status: 404 }) : new Response(body);
    });
    return seen;
  };

  it('resolves build URLs against the manifest and refuses a file whose SHA-256 differs', async () => {
    const good = await firmwareFromBytes('x', new TextEncoder().encode(hexText));
    const seen = serve({
      'https://example.org/fw/firmware.json': JSON.stringify({ name: 'Blink', version: '2', builds: [{ board: 'arduino-uno', url: 'uno.hex', sha256: good.sha256 }, { signature: '1e9801', url: '../mega.hex', sha256: '0'.repeat(64) }] }),
      'https://example.org/fw/uno.hex': hexText,
      'https://example.org/mega.hex': hexText,
    });
    const m = await manifestFromUrl('fw/firmware.json', 'https://example.org/');
    const [uno, mega] = m.manifest.builds;
    expect((await fetchBuild(m, uno ?? { url: '' })).sha256).toBe(good.sha256);
    const e = await fetchBuild(m, mega ?? { url: '' }).catch((x: unknown) => x);
    expect(isFlashError(e, 'firmware-mismatch') && e.message).toMatch(/https:\/\/example\.org\/mega\.hex has SHA-256 [0-9a-f]{64}; the manifest names 0{64}\./);
    expect(seen).toEqual(['https://example.org/fw/firmware.json', 'https://example.org/fw/uno.hex', 'https://example.org/mega.hex']);
  });

  it('a manifest with a schema error is refused naming the field', async () => {
    serve({ 'https://example.org/m.json': JSON.stringify({ name: 'B', version: '1', builds: [{ board: 'arduino-uno', url: 'u.hex', sha256: 'abc' }] }) });
    await expect(manifestFromUrl('https://example.org/m.json', 'https://example.org/')).rejects.toThrow(/builds\[0\]\.sha256: must be 64 hex digits/);
  });
});

describe("the app link's build", () => {
  const m = manifest([{ board: 'arduino-uno', url: 'uno.hex' }, { board: 'arduino-mega2560', url: 'mega.hex' }]).manifest;
  it("is the named board's, or the only one, or a refusal that asks for &board=", () => {
    expect(buildFor(m, 'arduino-mega2560').url).toBe('mega.hex');
    expect(buildFor({ ...m, builds: [{ board: 'arduino-uno', url: 'only.hex' }] }, null).url).toBe('only.hex');
    expect(() => buildFor(m, null)).toThrow(/add &board=/);
    expect(() => buildFor(m, 'arduino-leonardo')).toThrow(/None of the firmware builds offered is for this board/);
  });
});
