// The console's line decoder and ring: no byte dropped (the text reads back to the very bytes, CR LF
// read as a line end), escapes for what is not printable, chunks split anywhere, a bounded ring that
// keeps the newest lines, and Auto's text rule.
import { describe, expect, it } from 'vitest';
import { AUTO_RATES, CONSOLE_RATES, encodeLine, readsAsText, textShare } from '../../../src/core/console/baud.js';
import { LineDecoder } from '../../../src/core/console/line-decoder.js';
import { LineRing } from '../../../src/core/console/line-ring.js';
import { prng, randomBytes } from '../../helpers/random.js';

const bytesOf = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, 'latin1'));

/** Reads the console's text back into bytes: \xNN and \\ escapes, other characters as UTF-8. */
function unescape(text: string): number[] {
  const out: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i] ?? '';
    if (c === '\\' && text[i + 1] === '\\') {
      out.push(0x5c);
      i++;
    } else if (c === '\\' && text[i + 1] === 'x') {
      out.push(Number.parseInt(text.slice(i + 2, i + 4), 16));
      i += 3;
    } else {
      const cp = text.codePointAt(i) ?? 0;
      if (cp > 0xffff) i++;
      out.push(...Buffer.from(String.fromCodePoint(cp), 'utf8'));
    }
  }
  return out;
}

/** The bytes as the console should read them back: CR LF is a line end like LF. */
function normalised(bytes: Uint8Array): number[] {
  const out: number[] = [];
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] === 0x0d && bytes[i + 1] === 0x0a) continue;
    out.push(bytes[i] ?? 0);
  }
  return out;
}

function feed(ring: LineRing, data: Uint8Array, seed: number): void {
  const r = prng(seed);
  for (let i = 0; i < data.length; ) {
    const n = 1 + Math.floor(r() * 700);
    ring.push(data.subarray(i, i + n), i);
    i += n;
  }
}

describe('LineDecoder', () => {
  it('shows text as it is and escapes what is not printable', () => {
    const d = new LineDecoder();
    const lines = d.push(Uint8Array.from([...bytesOf('ok \\ T:21.5 '), 0x00, 0x1b, 0x7f, 0xff, 0x0d, 0x0a, ...bytesOf('a\rb\n')]), 5);
    expect(lines.map((l) => l.text)).toEqual(['ok \\\\ T:21.5 \\x00\\x1b\\x7f\\xff', 'a\\x0db']);
    expect(lines[0]?.escaped).toBe(4);
    expect(lines[0]?.at).toBe(5);
    expect(d.partial).toBeNull();
  });

  it('decodes UTF-8 split across chunks and escapes broken sequences byte by byte', () => {
    const d = new LineDecoder();
    const deg = Buffer.from('22.0°C', 'utf8');
    expect(d.push(deg.subarray(0, 5), 1)).toEqual([]);
    expect(d.partial?.text).toBe('22.0\\xc2');
    const lines = d.push(Uint8Array.from([...deg.subarray(5), 0xc3, 0x41, 0xe2, 0x82, 0x0a]), 2);
    expect(lines.map((l) => l.text)).toEqual(['22.0°C\\xc3A\\xe2\\x82']);
  });

  it('holds a CR at the end of a chunk until it knows whether LF follows', () => {
    const d = new LineDecoder();
    expect(d.push(bytesOf('echo:start\r'), 1)).toEqual([]);
    expect(d.push(bytesOf('\nok\r'), 2).map((l) => l.text)).toEqual(['echo:start']);
    expect(d.push(bytesOf('x'), 3)).toEqual([]);
    expect(d.partial?.text).toBe('ok\\x0dx');
  });

  it('cuts an endless line into continuation lines without losing a byte', () => {
    const d = new LineDecoder(100);
    const lines = d.push(new Uint8Array(250).fill(0x41), 0);
    expect(lines.map((l) => [l.text.length, l.cut])).toEqual([
      [100, true],
      [100, true],
    ]);
    expect(d.partial?.text.length).toBe(50);
  });
});

describe('LineRing', () => {
  it('reads back every byte of seeded random data split at random places', () => {
    const data = randomBytes(60_000, 41);
    const ring = new LineRing(100_000, 300);
    feed(ring, data, 42);
    expect(ring.bytes).toBe(data.length);
    expect(unescape(ring.text()).slice(0, -1)).toEqual(normalised(data));
  });

  it('keeps only the newest lines, counts the dropped ones, and its text stays bounded', () => {
    const ring = new LineRing(1000);
    const total = 25_000;
    let text = '';
    for (let i = 0; i < total; i++) text += `echo: line ${i} T:${(i % 300) / 10}\r\n`;
    feed(ring, bytesOf(text), 43);
    expect(ring.length).toBe(1000);
    expect(ring.dropped).toBe(total - 1000);
    expect(ring.line(0)?.text).toBe(`echo: line ${total - 1000} T:${((total - 1000) % 300) / 10}`);
    expect(ring.line(999)?.text).toBe(`echo: line ${total - 1} T:${((total - 1) % 300) / 10}`);
    expect(ring.slice(998, 2000).length).toBe(2);
    ring.clear();
    expect([ring.length, ring.dropped, ring.bytes, ring.text()]).toEqual([0, 0, 0, '']);
  });

  it("ends the board's open line before a note of its own, and the next bytes start a new line", () => {
    const ring = new LineRing(10);
    ring.push(bytesOf('T:21.5 /0'), 1);
    ring.note('-- closed --', 2);
    ring.push(bytesOf('start\n'), 3);
    expect(ring.slice(0, 10).map((l) => [l.text, l.note === true])).toEqual([
      ['T:21.5 /0', false],
      ['-- closed --', true],
      ['start', false],
    ]);
  });

  it('puts a time stamp before each line when asked', () => {
    const ring = new LineRing(10);
    ring.push(bytesOf('a\nb'), 7);
    expect(ring.text((at) => `[${at}]`)).toBe('[7] a\n[7] b\n');
  });
});

describe('baud choices and Auto', () => {
  it('offers 250000 and 115200 first, each rate once, and tries them first', () => {
    expect(CONSOLE_RATES.slice(0, 2)).toEqual([250000, 115200]);
    expect(new Set(CONSOLE_RATES).size).toBe(CONSOLE_RATES.length);
    expect(CONSOLE_RATES).toContain(300);
    expect(CONSOLE_RATES).toContain(2000000);
    expect(AUTO_RATES.slice(0, 2)).toEqual([250000, 115200]);
  });

  it('tells text from what a UART makes of it at a wrong rate', () => {
    const banner = bytesOf('HexFlash console test, 250000 baud\r\n');
    const garbled = banner.map((b) => ((b * 0x9d) ^ 0x5a) & 0xff);
    expect(readsAsText({ baud: 1, bytes: banner.length, share: textShare(banner) })).toBe(true);
    expect(readsAsText({ baud: 1, bytes: garbled.length, share: textShare(garbled) })).toBe(false);
    expect(readsAsText({ baud: 1, bytes: 3, share: 1 })).toBe(false);
  });

  it('encodes a typed line as UTF-8 with the chosen ending', () => {
    expect([...encodeLine('M115', 'crlf')]).toEqual([0x4d, 0x31, 0x31, 0x35, 0x0d, 0x0a]);
    expect([...encodeLine('°', 'none')]).toEqual([0xc2, 0xb0]);
    expect([...encodeLine('', 'lf')]).toEqual([0x0a]);
  });
});
