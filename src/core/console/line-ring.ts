// The console's bounded memory: a ring of the last `capacity` lines plus the decoder's open line.
// Older lines fall off the front and are counted, so the view can say how many it no longer holds.
// Counts bytes in, for the status line and the bench.
import { LineDecoder, MAX_LINE_CHARS, type ConsoleLine } from './line-decoder.js';

export const DEFAULT_RING_LINES = 10_000;

export class LineRing {
  private readonly slots: (ConsoleLine | undefined)[];
  private head = 0;
  private count = 0;
  private decoder: LineDecoder;
  /** Lines that fell off the front since the last clear. */
  dropped = 0;
  /** Bytes received since the last clear. */
  bytes = 0;
  /** Goes up on every change, for a view that redraws once per frame. */
  version = 0;

  constructor(
    readonly capacity = DEFAULT_RING_LINES,
    private readonly maxLineChars = MAX_LINE_CHARS,
  ) {
    if (!(capacity >= 1)) throw new RangeError('a ring holds at least one line');
    this.slots = new Array<ConsoleLine | undefined>(capacity);
    this.decoder = new LineDecoder(maxLineChars);
  }

  push(bytes: Uint8Array, at: number): void {
    if (bytes.length === 0) return;
    this.bytes += bytes.length;
    for (const line of this.decoder.push(bytes, at)) this.add(line);
    this.version++;
  }

  /** A line of the console's own (port opened, closed), after the board's open line, which it ends. */
  note(text: string, at: number): void {
    const open = this.decoder.flush();
    if (open) this.add(open);
    this.add({ at, text, escaped: 0, note: true });
    this.version++;
  }

  private add(line: ConsoleLine): void {
    const at = (this.head + this.count) % this.capacity;
    this.slots[at] = line;
    if (this.count < this.capacity) this.count++;
    else {
      this.head = (this.head + 1) % this.capacity;
      this.dropped++;
    }
  }

  /** Complete lines held plus the open one. */
  get length(): number {
    return this.count + (this.decoder.partial ? 1 : 0);
  }

  /** Line `i` (0: the oldest held); the last index is the open line when there is one. */
  line(i: number): ConsoleLine | undefined {
    if (i < 0) return undefined;
    if (i < this.count) return this.slots[(this.head + i) % this.capacity];
    return i === this.count ? (this.decoder.partial ?? undefined) : undefined;
  }

  /** Lines `from` to `to` (exclusive), for the visible part of the view. */
  slice(from: number, to: number): ConsoleLine[] {
    const out: ConsoleLine[] = [];
    const end = Math.min(to, this.length);
    for (let i = Math.max(0, from); i < end; i++) {
      const l = this.line(i);
      if (l) out.push(l);
    }
    return out;
  }

  clear(): void {
    this.slots.fill(undefined);
    this.head = 0;
    this.count = 0;
    this.dropped = 0;
    this.bytes = 0;
    this.decoder = new LineDecoder(this.maxLineChars);
    this.version++;
  }

  /** Everything held as text, one line per line (cut lines joined again), `stamp` before each when given. */
  text(stamp?: (at: number) => string): string {
    const parts: string[] = [];
    for (let i = 0; i < this.length; i++) {
      const l = this.line(i);
      if (!l) continue;
      const prev = i > 0 ? this.line(i - 1) : undefined;
      const continued = prev?.cut === true;
      parts.push(continued ? l.text : `${i > 0 ? '\n' : ''}${stamp ? `${stamp(l.at)} ` : ''}${l.text}`);
    }
    return parts.length > 0 ? `${parts.join('')}\n` : '';
  }
}
