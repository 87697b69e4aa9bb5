// Intel HEX <-> FirmwareImage. Reads what avr-objcopy, Arduino and slicer vendors ship (record types
// 00-05, LF/CRLF/CR, either case, ';' comment lines); rejects anything else naming the line and why.
import { hexAddress, imageFromMemory, MAX_FLASH_BYTES } from './binary.js';
import { HexParseError } from './errors.js';
import type { FirmwareImage } from './image.js';
import { FlashError } from '../errors.js';

const DATA = 0x00;
const END_OF_FILE = 0x01;
const EXTENDED_SEGMENT_ADDRESS = 0x02;
const START_SEGMENT_ADDRESS = 0x03;
const EXTENDED_LINEAR_ADDRESS = 0x04;
const START_LINEAR_ADDRESS = 0x05;

/** Byte count, two address bytes, record type, checksum. */
const RECORD_OVERHEAD = 5;
const MIN_RECORD_CHARS = 1 + 2 * RECORD_OVERHEAD;

const CR = 0x0d;
const LF = 0x0a;
const COLON = 0x3a;
const SEMICOLON = 0x3b;

/** Char code -> nibble value, or -1. */
const NIBBLE = new Int8Array(128).fill(-1);
for (let i = 0; i < 16; i++) {
  NIBBLE['0123456789ABCDEF'.charCodeAt(i)] = i;
  NIBBLE['0123456789abcdef'.charCodeAt(i)] = i;
}

const TYPE_NAMES: Readonly<Record<number, string>> = {
  [END_OF_FILE]: 'end-of-file',
  [EXTENDED_SEGMENT_ADDRESS]: 'extended segment address',
  [START_SEGMENT_ADDRESS]: 'start segment address',
  [EXTENDED_LINEAR_ADDRESS]: 'extended linear address',
  [START_LINEAR_ADDRESS]: 'start linear address',
};
const TYPE_LENGTHS: Readonly<Record<number, number>> = {
  [END_OF_FILE]: 0,
  [EXTENDED_SEGMENT_ADDRESS]: 2,
  [START_SEGMENT_ADDRESS]: 4,
  [EXTENDED_LINEAR_ADDRESS]: 2,
  [START_LINEAR_ADDRESS]: 4,
};

function isSpace(c: number): boolean {
  // ASCII controls and space (this covers a trailing Ctrl-Z and NUL padding), NBSP, and a BOM.
  return c <= 0x20 || c === 0xa0 || c === 0xfeff;
}

function hex2(n: number): string {
  return `0x${n.toString(16).toUpperCase().padStart(2, '0')}`;
}

function preview(text: string, from: number, to: number): string {
  const s = text.slice(from, Math.min(to, from + 24)).replace(/[^\x20-\x7e]/g, '?');
  return to - from > 24 ? `${s}...` : s;
}

function notHex(line: number, c: number, column: number): HexParseError {
  const char = c > 0x20 && c < 0x7f ? `'${String.fromCharCode(c)}'` : `U+${c.toString(16).toUpperCase().padStart(4, '0')}`;
  return new HexParseError(line, `${char} at column ${column} is not a hex digit`);
}

/** A line that stops short: if it is the file's last, say the file may be cut off. */
function truncated(text: string, line: Line, reason: string): HexParseError {
  for (let i = line.next; i < text.length; i++) if (!isSpace(text.charCodeAt(i))) return new HexParseError(line.no, reason);
  return new HexParseError(line.no, `${reason}; the file ends here without an end-of-file record (it may be truncated)`);
}

/** Growable flash buffer (0xFF fill) with, per byte, the line that gave it (0 = not given). */
class Memory {
  bytes = new Uint8Array(0);
  lines = new Uint32Array(0);
  end = 0;

  /** Stores `data[from, to)` at `address`, as given by `line`. */
  write(address: number, data: Uint8Array, from: number, to: number, line: number): void {
    const stop = address + to - from;
    if (stop > MAX_FLASH_BYTES) {
      throw new HexParseError(
        line,
        `address ${hexAddress(Math.max(address, MAX_FLASH_BYTES))} is beyond the largest supported AVR flash (256 KiB); ` +
          'the file may hold EEPROM or fuse data',
      );
    }
    this.reserve(stop);
    const { bytes, lines } = this;
    const shift = from - address;
    for (let a = address; a < stop; a++) {
      const earlier = lines[a] ?? 0;
      if (earlier !== 0 && bytes[a] !== data[a + shift]) throw new HexParseError(line, conflict(lines, a, address, stop, earlier));
    }
    for (let a = address; a < stop; a++) {
      bytes[a] = data[a + shift] ?? 0xff;
      lines[a] = line;
    }
    if (stop > this.end) this.end = stop;
  }

  private reserve(end: number): void {
    if (end <= this.bytes.length) return;
    const size = Math.min(MAX_FLASH_BYTES, Math.max(end, this.bytes.length * 2, 0x1000));
    const bytes = new Uint8Array(size).fill(0xff);
    bytes.set(this.bytes);
    const lines = new Uint32Array(size);
    lines.set(this.lines);
    this.bytes = bytes;
    this.lines = lines;
  }
}

/** Where one line of the file lies: trimmed content in [from, to), the next line at `next`. */
interface Line {
  readonly no: number;
  readonly start: number;
  readonly from: number;
  readonly to: number;
  readonly next: number;
}

/**
 * Decodes and checks one record into `record` (count, address, type, data, checksum): its syntax,
 * byte count, checksum, type, and the length its type demands. Returns the number of data bytes.
 */
function decodeRecord(text: string, line: Line, record: Uint8Array): number {
  const { no, from, to } = line;
  if (text.charCodeAt(from) !== COLON) {
    throw new HexParseError(no, `does not start with ':' (it starts with "${preview(text, from, to)}")`);
  }
  const digits = to - from - 1;
  let n = 0;
  for (let i = from + 1; i < to; i += 2) {
    const c1 = text.charCodeAt(i);
    const hi = c1 < 128 ? (NIBBLE[c1] ?? -1) : -1;
    if (hi < 0) throw notHex(no, c1, i - line.start + 1);
    if (i + 1 >= to) break;
    const c2 = text.charCodeAt(i + 1);
    const lo = c2 < 128 ? (NIBBLE[c2] ?? -1) : -1;
    if (lo < 0) throw notHex(no, c2, i - line.start + 2);
    if (n < record.length) record[n] = (hi << 4) | lo;
    n++;
  }
  if (digits + 1 < MIN_RECORD_CHARS) {
    throw truncated(text, line, `line ends after ${digits + 1} characters; a record needs at least ${MIN_RECORD_CHARS}`);
  }
  if (digits % 2 !== 0) throw truncated(text, line, 'odd number of hex digits');
  const count = record[0] ?? 0;
  const held = n - RECORD_OVERHEAD;
  if (held !== count) {
    const reason = `byte count says ${count} data bytes but the line holds ${held}`;
    throw held < count ? truncated(text, line, reason) : new HexParseError(no, reason);
  }
  let sum = 0;
  for (let i = 0; i < RECORD_OVERHEAD - 1 + count; i++) sum += record[i] ?? 0;
  const expected = -sum & 0xff;
  const given = record[RECORD_OVERHEAD - 1 + count] ?? 0;
  const badSum = given === expected ? '' : `checksum is ${hex2(given)}, expected ${hex2(expected)}`;
  const type = record[3] ?? 0;
  if (type === DATA) {
    if (badSum) throw new HexParseError(no, badSum);
    return count;
  }
  const name = TYPE_NAMES[type];
  const length = TYPE_LENGTHS[type];
  if (name === undefined || length === undefined) {
    throw new HexParseError(no, `unknown record type ${hex2(type)}${badSum ? ` (and its ${badSum})` : ''}`);
  }
  if (badSum) throw new HexParseError(no, badSum);
  if (count !== length) throw new HexParseError(no, `${name} record (type ${hex2(type)}) must hold ${length} data bytes, not ${count}`);
  return count;
}

/** The next line from `start`: LF, CRLF and CR all end a line; spaces around it are trimmed. */
function nextLine(text: string, start: number, no: number): Line {
  let end = start;
  while (end < text.length) {
    const c = text.charCodeAt(end);
    if (c === LF || c === CR) break;
    end++;
  }
  const next = text.charCodeAt(end) === CR && text.charCodeAt(end + 1) === LF ? end + 2 : end + 1;
  let from = start;
  let to = end;
  while (from < to && isSpace(text.charCodeAt(from))) from++;
  while (to > from && isSpace(text.charCodeAt(to - 1))) to--;
  return { no, start, from, to, next };
}

export function parseIntelHex(text: string): FirmwareImage {
  const mem = new Memory();
  const record = new Uint8Array(RECORD_OVERHEAD + 255);
  const warnings: string[] = [];
  let base = 0;
  let lastRecordLine = 0;
  let eofLine = 0;
  // A UTF-8 byte order mark read as latin1 (the CLI reads files so).
  let pos = text.startsWith('\u00ef\u00bb\u00bf') ? 3 : 0;

  for (let no = 1; pos < text.length; no++) {
    const line = nextLine(text, pos, no);
    pos = line.next;
    if (line.from === line.to || text.charCodeAt(line.from) === SEMICOLON) continue;
    if (eofLine !== 0) {
      warnings.push(`Line ${no}: data after the end-of-file record on line ${eofLine} is ignored.`);
      break;
    }
    const count = decodeRecord(text, line, record);
    lastRecordLine = no;
    const type = record[3];
    const value = ((record[4] ?? 0) << 8) | (record[5] ?? 0);
    if (type === DATA) {
      const address = base + (((record[1] ?? 0) << 8) | (record[2] ?? 0));
      if (count > 0) mem.write(address, record, 4, 4 + count, no);
    } else if (type === END_OF_FILE) eofLine = no;
    else if (type === EXTENDED_SEGMENT_ADDRESS) base = value * 16;
    else if (type === EXTENDED_LINEAR_ADDRESS) base = value * 0x10000;
  }

  if (eofLine === 0) {
    // A download cut off at a line end looks exactly like this: refuse it rather than flash half a firmware.
    if (lastRecordLine !== 0) {
      throw new HexParseError(lastRecordLine, 'the file ends after this line without an end-of-file record (:00000001FF); it is probably truncated');
    }
    warnings.push('The file holds no records and no end-of-file record.');
  }
  return imageFromMemory(mem.bytes, mem.lines, mem.end, warnings);
}

/** Names the run of bytes around `a` in [start, stop) that line `earlier` gave. */
function conflict(lines: Uint32Array, a: number, start: number, stop: number, earlier: number): string {
  let lo = a;
  while (lo > start && lines[lo - 1] === earlier) lo--;
  let hi = a + 1;
  while (hi < stop && lines[hi] === earlier) hi++;
  const where = hi - lo === 1 ? `byte at ${hexAddress(lo)} was` : `bytes at ${hexAddress(lo)}-${hexAddress(hi - 1)} were`;
  return `${where} already given different data on line ${earlier}`;
}

const HEX_BYTE = Array.from({ length: 256 }, (_, i) => i.toString(16).toUpperCase().padStart(2, '0'));

function recordLine(type: number, offset: number, data: Uint8Array, from: number, to: number): string {
  let sum = (to - from) + (offset >> 8) + (offset & 0xff) + type;
  let s = `:${HEX_BYTE[to - from]}${HEX_BYTE[offset >> 8]}${HEX_BYTE[offset & 0xff]}${HEX_BYTE[type]}`;
  for (let i = from; i < to; i++) {
    const v = data[i] ?? 0;
    sum += v;
    s += HEX_BYTE[v];
  }
  return `${s}${HEX_BYTE[-sum & 0xff]}\n`;
}

/** Writes the image's segments as Intel HEX (uppercase, LF), as avr-objcopy would with type 04 records. */
export function toIntelHex(image: FirmwareImage, bytesPerRecord = 16): string {
  if (!Number.isInteger(bytesPerRecord) || bytesPerRecord < 1 || bytesPerRecord > 255) {
    throw new FlashError('bad-argument', `Bytes per record must be 1 to 255, not ${bytesPerRecord}.`);
  }
  const out: string[] = [];
  let upper = 0;
  for (const seg of image.segments) {
    let a = seg.start;
    while (a < seg.end) {
      if (a >>> 16 !== upper) {
        upper = a >>> 16;
        out.push(recordLine(EXTENDED_LINEAR_ADDRESS, 0, Uint8Array.of(upper >> 8, upper & 0xff), 0, 2));
      }
      const stop = Math.min(seg.end, a + bytesPerRecord, (upper + 1) * 0x10000);
      out.push(recordLine(DATA, a & 0xffff, image.bytes, a, stop));
      a = stop;
    }
  }
  out.push(':00000001FF\n');
  return out.join('');
}
