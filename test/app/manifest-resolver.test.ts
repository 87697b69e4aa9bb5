// Each board's build from a manifest, for several boards at once: the chip, protocol and baud that
// answered pick the build; each build is downloaded and SHA-256-checked once; a board no build fits is
// refused with what the manifest offers; a build whose SHA-256 is not the manifest's never becomes an image.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { manifestResolver } from '../../src/app/manifest-resolver.js';
import type { LoadedManifest } from '../../src/app/manifest-source.js';
import { isRefusal } from '../../src/core/fleet.js';
import { imageFromSegments } from '../../src/core/hex/binary.js';
import { toIntelHex } from '../../src/core/hex/intel-hex.js';
import { sha256Hex } from '../../src/store/sha256.js';

const uno = toIntelHex(imageFromSegments([{ address: 0, data: Uint8Array.of(1, 2, 3, 4) }]));
const mega = toIntelHex(imageFromSegments([{ address: 0, data: Uint8Array.of(9, 8, 7, 6, 5) }]));
const files: Record<string, string> = { 'https://pub.example/fw/uno.hex': uno, 'https://pub.example/fw/mega.hex': mega };

afterEach(() => vi.unstubAllGlobals());

async function loaded(megaSha?: string): Promise<LoadedManifest> {
  return {
    url: 'https://pub.example/fw/firmware.json',
    manifest: {
      name: 'Blink',
      version: '3',
      builds: [
        { board: 'arduino-uno', url: 'uno.hex', sha256: await sha256Hex(new TextEncoder().encode(uno)) },
        { board: 'arduino-mega2560', url: 'mega.hex', sha256: megaSha ?? (await sha256Hex(new TextEncoder().encode(mega))) },
      ],
    },
  };
}

function serve(): string[] {
  const fetched: string[] = [];
  vi.stubGlobal('fetch', async (url: string) => {
    fetched.push(url);
    const body = files[url];
    return body === undefined ? new Response('', { status: 404 }) : new Response(body, { status: 200 });
  });
  return fetched;
}

const megaBoard = { signature: '1e 98 01', protocol: 'stk500v2', baud: 115200 } as const;
const unoBoard = { signature: '1e 95 0f', protocol: 'stk500v1', baud: 115200 } as const;

describe('manifestResolver', () => {
  it('gives each board the build for its chip, downloading each build once', async () => {
    const fetched = serve();
    const resolve = manifestResolver(await loaded());
    const [a, b, c] = await Promise.all([resolve(megaBoard), resolve(unoBoard), resolve(megaBoard)]);
    expect(a && !isRefusal(a) && Array.from(a.bytes.subarray(0, 5))).toEqual([9, 8, 7, 6, 5]);
    expect(b && !isRefusal(b) && Array.from(b.bytes.subarray(0, 4))).toEqual([1, 2, 3, 4]);
    expect(c).toBe(a);
    expect(fetched.sort()).toEqual(['https://pub.example/fw/mega.hex', 'https://pub.example/fw/uno.hex']);
  });

  it('refuses a board no build fits, naming the offers and the board, and downloads nothing', async () => {
    const fetched = serve();
    const r = await manifestResolver(await loaded())({ signature: '1e 97 05', protocol: 'stk500v1', baud: 115200 });
    expect(isRefusal(r)).toBe(true);
    expect(isRefusal(r) && r.refused).toMatch(/Blink 3 has builds for Arduino Uno .*Arduino Mega 2560.*; the board is ATmega1284P/);
    expect(fetched).toEqual([]);
  });

  it('a build whose SHA-256 is not the manifest\'s is refused with firmware-mismatch', async () => {
    serve();
    const resolve = manifestResolver(await loaded('0'.repeat(64)));
    await expect(resolve(megaBoard)).rejects.toMatchObject({ code: 'firmware-mismatch' });
    const other = await resolve(unoBoard);
    expect(isRefusal(other)).toBe(false);
  });
});
