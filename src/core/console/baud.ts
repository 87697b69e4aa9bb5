// The console's baud choices and the "Auto" rule: 250000 and 115200 first (Marlin's two), then the
// rates the Arduino IDE's serial monitor offers; Auto tries the common ones in order and keeps the
// first whose output reads as text (at a wrong rate a UART turns text into mostly unprintable bytes).

export const FIRST_RATES = [250000, 115200] as const;

/** The Arduino IDE serial monitor's list, slowest first. */
export const MONITOR_RATES = [300, 1200, 2400, 4800, 9600, 19200, 38400, 57600, 74880, 115200, 230400, 250000, 500000, 1000000, 2000000] as const;

/** What the baud menu offers, in order: Marlin's two, then the rest of the monitor's rates. */
export const CONSOLE_RATES: readonly number[] = [...FIRST_RATES, ...MONITOR_RATES.filter((r) => !(FIRST_RATES as readonly number[]).includes(r))];

/** What Auto tries, most likely first. */
export const AUTO_RATES: readonly number[] = [250000, 115200, 57600, 9600, 19200, 38400, 230400, 500000, 74880];

/** Bytes Auto needs before it judges a rate. */
export const AUTO_MIN_BYTES = 8;
/** Share of printable bytes at or above which output counts as text. */
export const AUTO_TEXT_SHARE = 0.9;

export type LineEnding = 'none' | 'lf' | 'cr' | 'crlf';

export const LINE_ENDINGS: Readonly<Record<LineEnding, { readonly label: string; readonly bytes: readonly number[] }>> = {
  none: { label: 'No line ending', bytes: [] },
  lf: { label: 'Newline (LF)', bytes: [0x0a] },
  cr: { label: 'Carriage return (CR)', bytes: [0x0d] },
  crlf: { label: 'Both (CR LF)', bytes: [0x0d, 0x0a] },
};

export function isLineEnding(s: string | null): s is LineEnding {
  return s !== null && Object.hasOwn(LINE_ENDINGS, s);
}

/** The bytes to send for a typed line: UTF-8 of the text plus the line ending. */
export function encodeLine(text: string, ending: LineEnding): Uint8Array {
  const bytes: number[] = [];
  for (const ch of text) {
    const cp = ch.codePointAt(0) ?? 0;
    if (cp < 0x80) bytes.push(cp);
    else if (cp < 0x800) bytes.push(0xc0 | (cp >> 6), 0x80 | (cp & 63));
    else if (cp < 0x10000) bytes.push(0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63));
    else bytes.push(0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 63), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63));
  }
  return Uint8Array.from([...bytes, ...LINE_ENDINGS[ending].bytes]);
}

/** Share of bytes that are printable ASCII, tab, CR or LF (0 for no bytes). */
export function textShare(bytes: Uint8Array): number {
  if (bytes.length === 0) return 0;
  let n = 0;
  for (const b of bytes) if ((b >= 0x20 && b < 0x7f) || b === 0x0a || b === 0x0d || b === 0x09) n++;
  return n / bytes.length;
}

export interface RateTry {
  readonly baud: number;
  readonly bytes: number;
  readonly share: number;
}

/** Auto's verdict on one try: enough bytes, and nearly all of them text. */
export function readsAsText(t: RateTry): boolean {
  return t.bytes >= AUTO_MIN_BYTES && t.share >= AUTO_TEXT_SHARE;
}

/** When no try read as text: the best-looking rate that sent anything, or null when none did. */
export function bestTry(tries: readonly RateTry[]): RateTry | null {
  let best: RateTry | null = null;
  for (const t of tries) if (t.bytes > 0 && (!best || t.share > best.share)) best = t;
  return best;
}
