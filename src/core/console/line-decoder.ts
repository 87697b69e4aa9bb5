// Serial console bytes -> lines of text, binary-safe: printable ASCII and valid UTF-8 are shown as
// they are; every other byte is written as \xNN (a literal backslash as \\), so no byte is ever
// dropped or hidden and the text reads back unambiguously. Lines end at LF or CR LF; a lone CR is
// shown as \x0d. A line longer than `maxLineChars` is cut into continuation lines. Chunks may split
// anywhere, UTF-8 sequences and CR LF included.

export interface ConsoleLine {
  /** When the line's first byte arrived (the caller's clock). */
  readonly at: number;
  readonly text: string;
  /** How many bytes of the line were escaped (0: plain text). */
  readonly escaped: number;
  /** The line did not end in the data: it was cut at `maxLineChars` and goes on in the next one. */
  readonly cut?: boolean;
  /** Not from the board: the console's own remark ("port opened"). */
  readonly note?: boolean;
}

export const MAX_LINE_CHARS = 2000;

const HEX = '0123456789abcdef';

function escapeByte(b: number): string {
  return `\\x${HEX[b >> 4] ?? '0'}${HEX[b & 15] ?? '0'}`;
}

/** Bytes of a UTF-8 sequence that begins with `lead`; 0 when `lead` cannot begin one. */
function sequenceLength(lead: number): number {
  if (lead >= 0xc2 && lead <= 0xdf) return 2;
  if (lead >= 0xe0 && lead <= 0xef) return 3;
  if (lead >= 0xf0 && lead <= 0xf4) return 4;
  return 0;
}

/** The code point of a complete sequence, or -1 when it is not valid UTF-8 or is a C1 control. */
function decodeSequence(seq: readonly number[]): number {
  const n = seq.length;
  const lead = seq[0] ?? 0;
  let cp = n === 2 ? lead & 0x1f : n === 3 ? lead & 0x0f : lead & 0x07;
  for (let i = 1; i < n; i++) {
    const c = seq[i] ?? 0;
    if ((c & 0xc0) !== 0x80) return -1;
    cp = (cp << 6) | (c & 0x3f);
  }
  const min = n === 2 ? 0x80 : n === 3 ? 0x800 : 0x10000;
  if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff) || cp < 0xa0) return -1;
  return cp;
}

export class LineDecoder {
  private text = '';
  private escaped = 0;
  private startedAt: number | null = null;
  private pendingCr = false;
  private seq: number[] = [];
  private seqLength = 0;

  constructor(private readonly maxLineChars = MAX_LINE_CHARS) {}

  /** Decodes `bytes` received at `at`; returns the lines they completed (the open one stays inside). */
  push(bytes: Uint8Array, at: number): ConsoleLine[] {
    const out: ConsoleLine[] = [];
    let runStart = -1;
    const flushRun = (end: number): void => {
      if (runStart < 0) return;
      this.append(String.fromCharCode(...bytes.subarray(runStart, end)), 0, at, out);
      runStart = -1;
    };
    for (let i = 0; i < bytes.length; i++) {
      const b = bytes[i] ?? 0;
      const plain = b >= 0x20 && b < 0x7f && b !== 0x5c && !this.pendingCr && this.seqLength === 0;
      if (plain) {
        if (runStart < 0) runStart = i;
        // Long runs go out in slices, so a cut line is found and the argument list stays short.
        if (i - runStart >= 512) flushRun(i);
        if (runStart < 0) runStart = i;
        continue;
      }
      flushRun(i);
      this.byte(b, at, out);
    }
    flushRun(bytes.length);
    return out;
  }

  /** The line still open (no LF yet), or null when there is none. */
  get partial(): ConsoleLine | null {
    if (this.startedAt === null) return null;
    const tail = this.pendingCr ? '\\x0d' : '';
    const held = this.seq.map(escapeByte).join('');
    return { at: this.startedAt, text: this.text + held + tail, escaped: this.escaped + this.seq.length + (this.pendingCr ? 1 : 0) };
  }

  /** Ends the open line where it is (the port closed or changed), so what follows starts a new one. */
  flush(): ConsoleLine | null {
    const p = this.partial;
    this.text = '';
    this.escaped = 0;
    this.startedAt = null;
    this.pendingCr = false;
    this.seq = [];
    this.seqLength = 0;
    return p;
  }

  private byte(b: number, at: number, out: ConsoleLine[]): void {
    if (this.seqLength > 0) {
      if ((b & 0xc0) === 0x80) {
        this.seq.push(b);
        if (this.seq.length < this.seqLength) return;
        const cp = decodeSequence(this.seq);
        if (cp >= 0) this.append(String.fromCodePoint(cp), 0, at, out);
        else this.flushSequence(at, out);
        this.seq = [];
        this.seqLength = 0;
        return;
      }
      this.flushSequence(at, out);
    }
    if (this.pendingCr) {
      this.pendingCr = false;
      if (b === 0x0a) {
        this.end(out);
        return;
      }
      this.append('\\x0d', 1, at, out);
    }
    if (b === 0x0a) {
      this.touch(at);
      this.end(out);
    } else if (b === 0x0d) {
      this.touch(at);
      this.pendingCr = true;
    } else if (b === 0x5c) {
      this.append('\\\\', 0, at, out);
    } else if (b >= 0x20 && b < 0x7f) {
      this.append(String.fromCharCode(b), 0, at, out);
    } else if (b === 0x09) {
      this.append('\t', 0, at, out);
    } else if (sequenceLength(b) > 0) {
      this.touch(at);
      this.seq = [b];
      this.seqLength = sequenceLength(b);
    } else {
      this.append(escapeByte(b), 1, at, out);
    }
  }

  /** A UTF-8 sequence broke off: its bytes are shown escaped. */
  private flushSequence(at: number, out: ConsoleLine[]): void {
    const held = this.seq;
    this.seq = [];
    this.seqLength = 0;
    for (const h of held) this.append(escapeByte(h), 1, at, out);
  }

  private touch(at: number): void {
    this.startedAt ??= at;
  }

  private append(s: string, escaped: number, at: number, out: ConsoleLine[]): void {
    this.touch(at);
    this.text += s;
    this.escaped += escaped;
    while (this.text.length > this.maxLineChars) {
      out.push({ at: this.startedAt ?? at, text: this.text.slice(0, this.maxLineChars), escaped: this.escaped, cut: true });
      this.text = this.text.slice(this.maxLineChars);
      this.escaped = 0;
      this.startedAt = at;
    }
  }

  private end(out: ConsoleLine[]): void {
    out.push({ at: this.startedAt ?? 0, text: this.text, escaped: this.escaped });
    this.text = '';
    this.escaped = 0;
    this.startedAt = null;
  }
}
