// Intel HEX parsing and writing: every record type, both ways of addressing past 64 KiB, the text
// variants real files come in, each rejection with its line and reason, and round trips.
import { describe, expect, it } from 'vitest';
import { FlashError } from '../../../src/core/errors.js';
import { HexParseError, imageFromSegments, parseIntelHex, toIntelHex, type FirmwareImage } from '../../../src/core/hex/index.js';
import { prng, randomBytes } from '../../helpers/random.js';

/** One record with a correct checksum, written independently of toIntelHex. */
function rec(type: number, offset: number, data: readonly number[] = []): string {
  const body = [data.length, offset >> 8, offset & 0xff, type, ...data];
  const sum = body.reduce((a, b) => a + b, 0);
  return `:${[...body, -sum & 0xff].map((b) => b.toString(16).toUpperCase().padStart(2, '0')).join('')}`;
}

const EOF = ':00000001FF';
const lines = (...l: string[]): string => `${l.join('\n')}\n`;

/** toEqual walks typed arrays element by element, far too slowly for 256 KiB; compare bytes as a Buffer. */
function expectSameImage(actual: FirmwareImage, expected: FirmwareImage): void {
  expect({ ...actual, bytes: null }).toEqual({ ...expected, bytes: null });
  expect(Buffer.compare(actual.bytes, expected.bytes)).toBe(0);
}

function parseError(text: string): HexParseError {
  try {
    parseIntelHex(text);
  } catch (e) {
    if (e instanceof HexParseError) return e;
    throw e;
  }
  throw new Error('parsed without error');
}

describe('parseIntelHex: records', () => {
  it('reads a data record as avr-objcopy writes it (the start of an Arduino vector table)', () => {
    const img = parseIntelHex(lines(':100000000C9434000C9446000C9446000C9446006A', EOF));
    expect(img.end).toBe(16);
    expect(img.dataBytes).toBe(16);
    expect(img.segments).toEqual([{ start: 0, end: 16 }]);
    expect([...img.bytes.subarray(0, 4)]).toEqual([0x0c, 0x94, 0x34, 0x00]);
    expect(img.warnings).toEqual([]);
  });

  it('accepts start segment (03) and start linear (05) address records and ignores them', () => {
    const img = parseIntelHex(lines(rec(0x03, 0, [0, 0, 0x12, 0x34]), rec(0x05, 0, [0, 0, 0, 0]), rec(0, 0x10, [1, 2]), EOF));
    expect(img.segments).toEqual([{ start: 0x10, end: 0x12 }]);
    expect(img.bytes.length).toBe(0x12);
    expect(img.bytes[0]).toBe(0xff);
  });

  it('ignores a data record with no bytes', () => {
    const img = parseIntelHex(lines(rec(0, 0x200, []), EOF));
    expect(img.end).toBe(0);
    expect(img.dataBytes).toBe(0);
  });

  it('places data above 64 KiB and 128 KiB with type 02 (base = value * 16) as avr-objcopy does', () => {
    const img = parseIntelHex(
      lines(rec(0, 0, [1]), rec(0x02, 0, [0x10, 0x00]), rec(0, 0x0004, [2, 3]), rec(0x02, 0, [0x20, 0x00]), rec(0, 0xfffe, [4, 5]), EOF),
    );
    expect(img.segments).toEqual([
      { start: 0, end: 1 },
      { start: 0x10004, end: 0x10006 },
      { start: 0x2fffe, end: 0x30000 },
    ]);
    expect([img.bytes[0x10004], img.bytes[0x10005], img.bytes[0x2fffe], img.bytes[0x2ffff]]).toEqual([2, 3, 4, 5]);
    expect(img.dataBytes).toBe(5);
  });

  it('type 02 bases need not be 64 KiB aligned', () => {
    const img = parseIntelHex(lines(rec(0x02, 0, [0x10, 0x01]), rec(0, 0, [9]), EOF));
    expect(img.segments).toEqual([{ start: 0x10010, end: 0x10011 }]);
  });

  it('places data above 64 KiB and 128 KiB with type 04 (base = value << 16), same image as with 02', () => {
    const with04 = parseIntelHex(lines(rec(0, 0, [1]), rec(0x04, 0, [0, 1]), rec(0, 4, [2, 3]), rec(0x04, 0, [0, 2]), rec(0, 0xfffe, [4, 5]), EOF));
    const with02 = parseIntelHex(lines(rec(0, 0, [1]), rec(0x02, 0, [0x10, 0]), rec(0, 4, [2, 3]), rec(0x02, 0, [0x20, 0]), rec(0, 0xfffe, [4, 5]), EOF));
    expectSameImage(with04, with02);
    expect(with04.end).toBe(0x30000);
  });

  it('an 04 record replaces an earlier 02 base and back', () => {
    const img = parseIntelHex(lines(rec(0x02, 0, [0x10, 0]), rec(0x04, 0, [0, 0]), rec(0, 0, [7]), rec(0x02, 0, [0x10, 0]), rec(0, 0, [8]), EOF));
    expect(img.segments).toEqual([
      { start: 0, end: 1 },
      { start: 0x10000, end: 0x10001 },
    ]);
  });
});

describe('parseIntelHex: text variants', () => {
  const plain = lines(rec(0, 0, [0xde, 0xad]), rec(0, 2, [0xbe, 0xef]), EOF);
  const expected = parseIntelHex(plain);

  it.each([
    ['CRLF', plain.replace(/\n/g, '\r\n')],
    ['CR', plain.replace(/\n/g, '\r')],
    ['lower case', plain.toLowerCase()],
    ['no final newline', plain.trimEnd()],
    ['leading and trailing spaces and tabs', plain.replace(/^/gm, ' \t').replace(/\n/g, '  \n')],
    ['blank lines', `\n\n${plain.replace(/\n/g, '\n\n')}`],
    ['; comment lines (PrusaSlicer)', `; Prusa firmware 3.13\n;\n${plain}`],
    ['a UTF-8 byte order mark', `\ufeff${plain}`],
    ['a byte order mark decoded as latin1', `\u00ef\u00bb\u00bf${plain}`],
    ['a Ctrl-Z after the EOF record', `${plain}\x1a`],
  ])('%s', (_, text) => {
    expect(parseIntelHex(text)).toEqual(expected);
  });

  it('merges adjacent records into one segment and keeps gaps as 0xFF', () => {
    const img = parseIntelHex(lines(rec(0, 0, [1, 2]), rec(0, 2, [3]), rec(0, 0x100, [4]), EOF));
    expect(img.segments).toEqual([
      { start: 0, end: 3 },
      { start: 0x100, end: 0x101 },
    ]);
    expect(img.bytes.length).toBe(0x101);
    expect(img.bytes.subarray(3, 0x100).every((b) => b === 0xff)).toBe(true);
    expect(img.dataBytes).toBe(4);
  });

  it('sorts records given out of order', () => {
    const img = parseIntelHex(lines(rec(0, 0x20, [2]), rec(0, 0x10, [1]), EOF));
    expect(img.segments).toEqual([
      { start: 0x10, end: 0x11 },
      { start: 0x20, end: 0x21 },
    ]);
  });
});

describe('parseIntelHex: overlaps, end of file', () => {
  it('accepts overlapping records that agree, counting each byte once', () => {
    const img = parseIntelHex(lines(rec(0, 0, [1, 2, 3, 4]), rec(0, 2, [3, 4, 5]), EOF));
    expect(img.dataBytes).toBe(5);
    expect(img.segments).toEqual([{ start: 0, end: 5 }]);
  });

  it('rejects overlapping records that disagree, naming both lines and the bytes', () => {
    const text = lines(rec(0, 0, [0]), rec(0, 2, [0]), rec(0, 0xf0, []), rec(0, 0x100, [1, 2, 3, 4]), rec(0, 0xfe, [0, 0, 1, 2, 9, 4]), EOF);
    const e = parseError(text);
    expect(e.line).toBe(5);
    expect(e.detail).toBe('Line 5: bytes at 0x0100-0x0103 were already given different data on line 4');
    expect(parseError(lines(rec(0, 0, [1]), rec(0, 0, [2]))).detail).toBe('Line 2: byte at 0x0000 was already given different data on line 1');
  });

  it('ignores what follows the first EOF record, with a warning naming the line', () => {
    const img = parseIntelHex(lines(rec(0, 0, [1]), EOF, '; trailer', rec(0, 0, [2]), 'garbage'));
    expect([...img.bytes]).toEqual([1]);
    expect(img.warnings).toEqual(['Line 4: data after the end-of-file record on line 2 is ignored.']);
  });

  it('refuses a file whose EOF record is missing though the last line is whole (a download cut off at a line end)', () => {
    const e = parseError(lines(rec(0, 0, [1]), '; note', rec(0, 1, [2]), ''));
    expect(e.line).toBe(3);
    expect(e.message).toBe(
      'The firmware file is not a valid Intel HEX file. Line 3: the file ends after this line without an end-of-file record (:00000001FF); it is probably truncated',
    );
    expect(parseError(lines(rec(4, 0, [0, 1]))).line).toBe(1);
  });

  it('reads an empty file as an empty image with a warning (the session refuses it as image-empty)', () => {
    for (const text of ['', '\n\n', '; only a comment\n']) {
      const img = parseIntelHex(text);
      expect(img).toEqual({ bytes: new Uint8Array(0), segments: [], end: 0, dataBytes: 0, warnings: ['The file holds no records and no end-of-file record.'] });
    }
    expect(parseIntelHex(EOF).warnings).toEqual([]);
  });
});

describe('parseIntelHex: rejections name the line and the reason', () => {
  const good = rec(0, 0, [1, 2, 3]);
  const cases: [string, string, number, string][] = [
    ['no colon', lines(good, 'hello world', EOF), 2, `does not start with ':' (it starts with "hello world")`],
    ['a saved web page', '<!DOCTYPE html><html><head><title>x</title>\n', 1, `does not start with ':' (it starts with "<!DOCTYPE html><html><he...")`],
    ['a short line', lines(':10000000', EOF), 1, 'line ends after 9 characters; a record needs at least 11'],
    ['odd digits', lines(`${good}0`, EOF), 1, 'odd number of hex digits'],
    ['a non-hex character', lines(good, ':0300000G010203F9', EOF), 2, "'G' at column 9 is not a hex digit"],
    ['a space inside a record', lines(':03000000 010203F7', EOF), 1, 'U+0020 at column 10 is not a hex digit'],
    ['column counts leading spaces', lines(`  ${good.slice(0, 5)}x`), 1, "'x' at column 8 is not a hex digit"],
    ['fewer bytes than the count', lines(':100000000C9434000C9446000C94460096', EOF), 1, 'byte count says 16 data bytes but the line holds 12'],
    ['more bytes than the count', lines(':0200000001020304F6', EOF), 1, 'byte count says 2 data bytes but the line holds 4'],
    ['a bad checksum', lines(good, ':100000000C9434000C9446000C9446000C944600AA', EOF), 2, 'checksum is 0xAA, expected 0x6A'],
    ['an unknown record type', lines(rec(0x07, 0, [1, 2])), 1, 'unknown record type 0x07'],
    ['an unknown type, wrong checksum too', lines(':100000070C9434000C9446000C9446000C9446006A'), 1, 'unknown record type 0x07 (and its checksum is 0x6A, expected 0x63)'],
    ['EOF with data', lines(rec(0x01, 0, [1])), 1, 'end-of-file record (type 0x01) must hold 0 data bytes, not 1'],
    ['02 of 1 byte', lines(rec(0x02, 0, [1])), 1, 'extended segment address record (type 0x02) must hold 2 data bytes, not 1'],
    ['03 of 2 bytes', lines(rec(0x03, 0, [1, 2])), 1, 'start segment address record (type 0x03) must hold 4 data bytes, not 2'],
    ['04 of 3 bytes', lines(rec(0x04, 0, [0, 1, 2])), 1, 'extended linear address record (type 0x04) must hold 2 data bytes, not 3'],
    ['05 of 0 bytes', lines(rec(0x05, 0, [])), 1, 'start linear address record (type 0x05) must hold 4 data bytes, not 0'],
    [
      'EEPROM data at 0x810000 (avr-gcc .eeprom section)',
      lines(good, rec(0x04, 0, [0x00, 0x81]), rec(0, 0, [1])),
      3,
      'address 0x810000 is beyond the largest supported AVR flash (256 KiB); the file may hold EEPROM or fuse data',
    ],
    [
      'a record that runs past 256 KiB',
      lines(rec(0x04, 0, [0, 3]), rec(0, 0xfffe, [1, 2, 3])),
      2,
      'address 0x40000 is beyond the largest supported AVR flash (256 KiB); the file may hold EEPROM or fuse data',
    ],
    [
      'a 02 base past 256 KiB',
      lines(rec(0x02, 0, [0x40, 0x00]), rec(0, 0x10, [1])),
      2,
      'address 0x40010 is beyond the largest supported AVR flash (256 KiB); the file may hold EEPROM or fuse data',
    ],
  ];

  it.each(cases)('%s', (_, text, line, reason) => {
    const e = parseError(text);
    expect(e).toBeInstanceOf(FlashError);
    expect(e.code).toBe('hex-parse');
    expect(e.line).toBe(line);
    expect(e.detail).toBe(`Line ${line}: ${reason}`);
    expect(e.message).toContain(`Line ${line}: ${reason}`);
  });

  it('counts lines the same with CRLF, CR and blank lines', () => {
    const text = lines('', good, '; note', '', 'oops', EOF);
    for (const t of [text, text.replace(/\n/g, '\r\n'), text.replace(/\n/g, '\r')]) expect(parseError(t).line).toBe(5);
  });

  it('says the file may be truncated when the cut-off line is the last one', () => {
    expect(parseError(':020000040000FA\n:10000000\n').detail).toBe(
      'Line 2: line ends after 9 characters; a record needs at least 11; the file ends here without an end-of-file record (it may be truncated)',
    );
    expect(parseError(`${good}\n:1000000001020304  \n\n`).detail).toMatch(/^Line 2: byte count says 16 data bytes but the line holds 3; the file ends here/);
    expect(parseError(`${good}\n${good.slice(0, 12)}`).detail).toBe(
      'Line 2: odd number of hex digits; the file ends here without an end-of-file record (it may be truncated)',
    );
  });
});

function randomImage(seed: number): FirmwareImage {
  const r = prng(seed);
  const parts: { address: number; data: Uint8Array }[] = [];
  const n = 1 + Math.floor(r() * 6);
  for (let i = 0; i < n; i++) {
    const length = 1 + Math.floor(r() * 3000);
    const address = Math.floor(r() * (0x40000 - length));
    if (parts.some((p) => address < p.address + p.data.length && p.address < address + length)) continue;
    parts.push({ address, data: randomBytes(length, seed * 31 + i) });
  }
  return imageFromSegments(parts);
}

describe('toIntelHex', () => {
  it('writes uppercase LF records, 04 records at 64 KiB boundaries, and the EOF record', () => {
    const img = imageFromSegments([
      { address: 0xfffe, data: Uint8Array.of(0xaa, 0xbb, 0xcc) },
      { address: 0x20000, data: Uint8Array.of(0x0d) },
    ]);
    expect(toIntelHex(img)).toBe(
      [':02FFFE00AABB9C', ':020000040001F9', ':01000000CC33', ':020000040002F8', ':010000000DF2', ':00000001FF', ''].join('\n'),
    );
  });

  it('splits segments into records of the given size', () => {
    const img = imageFromSegments([{ address: 0, data: new Uint8Array(40) }]);
    const recs = toIntelHex(img, 32).trimEnd().split('\n');
    expect(recs.map((l) => l.slice(1, 3))).toEqual(['20', '08', '00']);
    expect(toIntelHex(parseIntelHex(''))).toBe(':00000001FF\n');
  });

  it('rejects record sizes outside 1-255', () => {
    const img = imageFromSegments([{ address: 0, data: new Uint8Array(4) }]);
    for (const n of [0, 256, 1.5]) expect(() => toIntelHex(img, n)).toThrow(/Bytes per record must be 1 to 255/);
  });

  it('round-trips random images with gaps, at several record sizes', () => {
    for (let seed = 1; seed <= 40; seed++) {
      const img = randomImage(seed);
      const size = [1, 16, 32, 255][seed % 4];
      expectSameImage(parseIntelHex(toIntelHex(img, size)), img);
    }
  });

  it('round-trips a full 256 KiB image', () => {
    const img = imageFromSegments([{ address: 0, data: randomBytes(0x40000, 9) }]);
    const text = toIntelHex(img);
    expect(text.length).toBeGreaterThan(700_000);
    expectSameImage(parseIntelHex(text), img);
  });
});
