// Firmware in hand from bytes and URLs: parsed, hashed, and refused with words a user can act on.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { firmwareFromBytes, firmwareFromUrl, MAX_FIRMWARE_BYTES } from '../../src/app/firmware-source.js';
import { Problem } from '../../src/app/problem.js';
import { imageFromSegments } from '../../src/core/hex/binary.js';
import { toIntelHex } from '../../src/core/hex/intel-hex.js';

const text = toIntelHex(imageFromSegments([{ address: 0, data: Uint8Array.of(1, 2, 3, 4) }]));
const file = new TextEncoder().encode(text);

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('firmware source', () => {
  it('parses a hex file and hashes the file bytes', async () => {
    const fw = await firmwareFromBytes('blink.hex', file);
    expect(fw.image.dataBytes).toBe(4);
    expect(fw.image.bytes.subarray(0, 4)).toEqual(Uint8Array.of(1, 2, 3, 4));
    expect(fw.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(fw.data).toBe(file);
  });

  it('refuses a file that is not Intel HEX with the hex-parse words', async () => {
    const p = await firmwareFromBytes('page.html', new TextEncoder().encode('<html>not firmware</html>')).catch((e: unknown) => e);
    expect(p).toBeInstanceOf(Problem);
    expect(p).toMatchObject({ code: 'hex-parse', title: 'The firmware file is not a valid Intel HEX file.' });
  });

  it('refuses a hex file cut off at a line end (no EOF record), naming its last line', async () => {
    const cut = new TextEncoder().encode(text.replace(':00000001FF\n', ''));
    const p = await firmwareFromBytes('cut.hex', cut).catch((e: unknown) => e);
    expect(p).toMatchObject({ code: 'hex-parse', detail: expect.stringMatching(/^Line 1: .*without an end-of-file record.*truncated/) });
  });

  it('refuses a huge file before reading it as text', async () => {
    await expect(firmwareFromBytes('big.hex', new Uint8Array(MAX_FIRMWARE_BYTES + 1))).rejects.toMatchObject({ title: 'This file is too large to be AVR firmware.' });
  });

  it('downloads from an https URL, named after its last path segment', async () => {
    const fetchMock = vi.fn(async () => new Response(file, { status: 200 }));
    vi.stubGlobal('fetch', fetchMock);
    const fw = await firmwareFromUrl('https://example.org/fw/Marlin%202.1.hex?x=1', 'http://127.0.0.1:4173/');
    expect(fw.name).toBe('Marlin 2.1.hex');
    expect(fetchMock).toHaveBeenCalledWith('https://example.org/fw/Marlin%202.1.hex?x=1', { credentials: 'omit' });
  });

  it('explains plain http, CORS/network failures and HTTP errors', async () => {
    await expect(firmwareFromUrl('http://example.org/a.hex', 'https://hexflash.example/')).rejects.toMatchObject({
      title: 'Only https addresses can be downloaded.',
    });
    vi.stubGlobal('fetch', async () => {
      throw new TypeError('Failed to fetch');
    });
    await expect(firmwareFromUrl('https://example.org/a.hex', 'https://hexflash.example/')).rejects.toMatchObject({
      hint: expect.stringMatching(/CORS/),
    });
    vi.stubGlobal('fetch', async () => new Response('no', { status: 404, statusText: 'Not Found' }));
    await expect(firmwareFromUrl('https://example.org/a.hex', 'https://hexflash.example/')).rejects.toMatchObject({
      detail: expect.stringMatching(/HTTP 404/),
    });
  });
});
