// The several-boards summary: rows from results and errors, the "every board verified" rule, and the
// CSV and Markdown downloads (quoting, escaping), plus the same-image resolver.
import { describe, expect, it } from 'vitest';
import { FlashError } from '../../src/core/errors.js';
import type { FlashResult } from '../../src/core/events.js';
import { allVerified, fleetCsv, fleetMarkdown, fleetRow, sameImage } from '../../src/core/fleet.js';
import type { FirmwareImage } from '../../src/core/hex/image.js';

const result = (written: number, verified: number): FlashResult => ({
  protocol: 'stk500v2',
  baud: 115200,
  signature: '1e 98 01',
  mcu: 'ATmega2560',
  bytesWritten: written,
  bytesVerified: verified,
  ms: { connect: 1, write: 2, verify: 3, total: 6 },
  roundTrips: { setup: 1, write: 1, verify: 1 },
  bytesToBoard: 0,
  bytesFromBoard: 0,
  started: true,
  recovery: { resyncs: 0, repairs: 0, reconnects: 0 },
  warnings: [],
  pipeline: { pages: 0, droppedBack: null, turnaroundMs: null },
  budgetMs: 1000,
});

describe('fleet rows', () => {
  const ok = fleetRow('Arduino Mega 2560 R3 (USB 2341:0042)', { result: result(4096, 4096) }, {}, 12_345);
  const unverified = fleetRow('net:10.0.0.5:2000', { result: result(4096, 0) }, {}, 900);
  const unplugged = fleetRow('CH340, "2nd"', { error: new FlashError('link-closed', 'The USB device went away, mid-write | page 0x100.') }, { mcu: 'ATmega1284P', protocol: 'stk500v1' }, 4_000);
  const cancelled = fleetRow('x', { error: new FlashError('aborted', '') }, {}, 1);
  const refused = fleetRow('y', { error: new FlashError('signature-mismatch', 'No build.'), refused: true }, { mcu: 'ATmega8' }, 1);

  it('says how each board ended, with the chip known before a failure', () => {
    expect(ok).toMatchObject({ chip: 'ATmega2560', protocol: 'STK500V2', result: 'verified', bytesVerified: 4096, error: '' });
    expect(unverified.result).toBe('not verified');
    expect(unplugged).toMatchObject({ chip: 'ATmega1284P', protocol: 'STK500V1', result: 'failed', bytesVerified: 0 });
    expect(unplugged.error).toMatch(/^The board was disconnected\. The USB device went away/);
    expect([cancelled.result, refused.result]).toEqual(['cancelled', 'refused']);
  });

  it('counts as done only when every board was verified', () => {
    expect(allVerified([ok, ok])).toBe(true);
    expect(allVerified([ok, unverified])).toBe(false);
    expect(allVerified([ok, unplugged])).toBe(false);
    expect(allVerified([])).toBe(false);
  });

  it('CSV: a header, one line per board, fields with commas or quotes quoted', () => {
    const lines = fleetCsv([ok, unplugged]).split('\r\n');
    expect(lines[0]).toBe('Board,Chip,Protocol,Result,Bytes verified,Time (s),Error');
    expect(lines[1]).toBe('Arduino Mega 2560 R3 (USB 2341:0042),ATmega2560,STK500V2,verified,4096,12.3,');
    expect(lines[2]).toMatch(/^"CH340, ""2nd""",ATmega1284P,STK500V1,failed,0,4\.0,"The board was disconnected\. The USB device went away, mid-write \| page 0x100\."$/);
    expect(lines[3]).toBe('');
  });

  it('Markdown: a table whose cells cannot break out of their column', () => {
    const lines = fleetMarkdown([ok, unplugged]).trimEnd().split('\n');
    expect(lines[0]).toBe('| Board | Chip | Protocol | Result | Bytes verified | Time (s) | Error |');
    expect(lines[1]).toBe('| --- | --- | --- | --- | --- | --- | --- |');
    expect(lines[3]).toContain('mid-write \\| page 0x100.');
    expect(lines).toHaveLength(4);
  });
});

describe('sameImage', () => {
  it('gives every board the one image and says so without a probe', async () => {
    const image: FirmwareImage = { bytes: new Uint8Array(4), segments: [{ start: 0, end: 4 }], end: 4, dataBytes: 4, warnings: [] };
    const r = sameImage(image);
    expect(r.fixed).toBe(image);
    expect(await r({ signature: '1e 95 0f', protocol: 'stk500v1', baud: 115200 })).toBe(image);
  });
});
