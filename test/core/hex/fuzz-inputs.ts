// Seeded hex-fuzz inputs: valid files (several segments, comments, CRLF, lower case) put through
// random mutations (truncation, bad digits, swapped or dropped lines, wrong counts, types, addresses,
// disagreeing overlaps) and random text. Shared by the fuzz test and the fault campaign's figures.
import { HexParseError, imageFromSegments, parseIntelHex, toIntelHex, type FirmwareImage } from '../../../src/core/hex/index.js';
import { prng, randomBytes } from '../../helpers/random.js';

let rand = prng(0x1e7f);
const int = (n: number): number => Math.floor(rand() * n);
const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)] as T;
const hexByte = (b: number): string => b.toString(16).toUpperCase().padStart(2, '0');
const ALPHABET = [...':0123456789ABCDEFabcdef0000FFFF\r\n\n ;\t', 'G', 'x', '\0', '\u00ff', '\ufeff', '\u00e9', '\ud83d'];

function rec(type: number, offset: number, data: readonly number[]): string {
  const body = [data.length & 0xff, (offset >> 8) & 0xff, offset & 0xff, type & 0xff, ...data];
  return `:${[...body, -body.reduce((a, b) => a + b, 0) & 0xff].map(hexByte).join('')}`;
}

/** Recomputes the checksum of a record-shaped line, so a mutation gets past the checksum check. */
function fixChecksum(line: string): string {
  if (!/^:([0-9A-Fa-f]{2}){5,}$/.test(line)) return line;
  let sum = 0;
  for (let i = 1; i < line.length - 2; i += 2) sum += parseInt(line.slice(i, i + 2), 16);
  return line.slice(0, -2) + hexByte(-sum & 0xff);
}

function validFile(): string {
  const parts: { address: number; data: Uint8Array }[] = [];
  // Mostly small images: an image reaching 256 KiB costs a 256 KiB buffer per parse.
  for (const [address, chance] of [[int(0x400), 0.9], [0xfff0 + int(32), 0.3], [0x1fff0 + int(32), 0.15], [0x3ff00 + int(0xd0), 0.05]] as const) {
    if (rand() < chance) parts.push({ address, data: randomBytes(1 + int(40), int(1e9)) });
  }
  const disjoint = parts.filter((p, i) => parts.every((q, j) => j >= i || p.address >= q.address + q.data.length));
  let text = toIntelHex(imageFromSegments(disjoint), pick([1, 8, 16, 32]));
  if (rand() < 0.3) text = `; comment\n${rec(0x02, 0, [0x10, 0])}\n${rec(0x03, 0, [0, 0, 0, 0])}\n${rec(0x05, 0, [0, 0, 0, 0])}\n${text}`;
  if (rand() < 0.3) text = text.replace(/\n/g, '\r\n');
  if (rand() < 0.2) text = text.toLowerCase();
  return text;
}


function randomText(): string {
  let s = '';
  const n = int(200);
  for (let i = 0; i < n; i++) s += rand() < 0.9 ? pick(ALPHABET) : String.fromCharCode(int(0x10000));
  return s;
}

function randomRecords(): string {
  const out: string[] = [];
  const n = 1 + int(12);
  for (let i = 0; i < n; i++) {
    const type = rand() < 0.9 ? int(6) : int(256);
    const length = rand() < 0.8 ? [4, 1, 2, 4, 2, 4][type] ?? int(20) : int(20);
    const data = Array.from({ length: length ?? 0 }, () => (type === 4 || type === 2 ? int(rand() < 0.7 ? 5 : 256) : int(256)));
    out.push(rec(type, rand() < 0.5 ? int(0x10000) : int(64), data));
  }
  return out.join(pick(['\n', '\r\n', '\r']));
}

type Mutation = (text: string) => string;

const onLines = (f: (lines: string[]) => void): Mutation => (text) => {
  const lines = text.split('\n');
  f(lines);
  return lines.join('\n');
};
const at = (lines: string[]): number => int(lines.length);

const MUTATIONS: readonly Mutation[] = [
  () => randomText(),
  () => randomRecords(),
  (t) => t.slice(0, int(t.length + 1)),
  (t) => {
    const i = int(t.length);
    return t.slice(0, i) + pick(ALPHABET) + t.slice(i + 1);
  },
  (t) => {
    const i = int(t.length + 1);
    return `${t.slice(0, i)}:${t.slice(i)}`;
  },
  onLines((l) => {
    const i = at(l);
    const j = at(l);
    [l[i], l[j]] = [l[j] ?? '', l[i] ?? ''];
  }),
  onLines((l) => void l.splice(at(l), 1)),
  // a huge or wrong byte count, checksum fixed or not
  onLines((l) => {
    const i = at(l);
    const line = `:${hexByte(128 + int(128))}${(l[i] ?? '').slice(3)}`;
    l[i] = rand() < 0.5 ? fixChecksum(line) : line;
  }),
  // a random record type, checksum fixed or not
  onLines((l) => {
    const i = at(l);
    const s = l[i] ?? '';
    const line = `${s.slice(0, 7)}${hexByte(int(256))}${s.slice(9)}`;
    l[i] = rand() < 0.7 ? fixChecksum(line) : line;
  }),
  // a record repeated with one data digit changed and a good checksum: an overlap that disagrees
  onLines((l) => {
    const i = at(l);
    const s = l[i] ?? '';
    const k = 9 + int(Math.max(1, s.length - 11));
    l.splice(i + 1 + int(3), 0, fixChecksum(`${s.slice(0, k)}${pick([...'0123456789ABCDEF'])}${s.slice(k + 1)}`));
  }),
  // an address field changed, checksum fixed
  onLines((l) => {
    const i = at(l);
    const s = l[i] ?? '';
    l[i] = fixChecksum(`${s.slice(0, 3)}${hexByte(int(256))}${hexByte(int(256))}${s.slice(7)}`);
  }),
  (t) => t + pick(['\n', ':00000001FF\n', randomRecords(), 'garbage', '\x1a']),
];

export const CHECKS = [
  /does not start with ':'/,
  /line ends after \d+ characters/,
  /odd number of hex digits/,
  /at column \d+ is not a hex digit/,
  /byte count says \d+ data bytes but the line holds \d+$/,
  /the file ends here without an end-of-file record/,
  /the file ends after this line without an end-of-file record/,
  /checksum is 0x[0-9A-F]{2}, expected/,
  /unknown record type 0x[0-9A-F]{2}$/,
  /unknown record type .* \(and its checksum/,
  /must hold \d+ data bytes, not \d+/,
  /already given different data on line \d+/,
  /is beyond the largest supported AVR flash/,
];

function checkImage(img: FirmwareImage): string | null {
  if (img.bytes.length !== img.end || img.end > 0x40000) return 'bytes length or end wrong';
  let sum = 0;
  let prev = -1;
  for (const s of img.segments) {
    if (s.start <= prev || s.end <= s.start || s.end > img.end) return 'segments not sorted, merged and inside the image';
    sum += s.end - s.start;
    prev = s.end;
  }
  if (sum !== img.dataBytes) return 'dataBytes is not the sum of the segments';
  if ((img.segments.at(-1)?.end ?? 0) !== img.end) return 'end is not the end of the last segment';
  return null;
}


/** What parsing one input did: parsed (image checked), a HexParseError naming a line, or anything else. */
export type FuzzOutcome = { kind: 'parsed'; problem: string | null } | { kind: 'line-error'; detail: string } | { kind: 'other'; error: string };

export function classify(text: string): FuzzOutcome {
  const lineCount = text.split(/\r\n|\r|\n/).length;
  try {
    return { kind: 'parsed', problem: checkImage(parseIntelHex(text)) };
  } catch (e) {
    const ok =
      e instanceof HexParseError &&
      e.code === 'hex-parse' &&
      Number.isInteger(e.line) &&
      e.line >= 1 &&
      e.line <= lineCount &&
      e.message.includes(`Line ${e.line}: `);
    return ok ? { kind: 'line-error', detail: e.detail } : { kind: 'other', error: String(e) };
  }
}

/** `n` inputs from `seed`: a valid file with one to three mutations each. */
export function* fuzzInputs(n: number, seed = 0x1e7f): Generator<string> {
  rand = prng(seed);
  const valid = Array.from({ length: 200 }, validFile);
  for (let i = 0; i < n; i++) {
    let text = pick(valid);
    for (let k = 1 + (rand() < 0.3 ? int(3) : 0); k > 0; k--) text = pick(MUTATIONS)(text);
    yield text;
  }
}
