// When the next page command may leave without waiting for the answer to the one before: learnt from
// the session's first round trips, one command at a time. A short command's round trip, less its
// bytes on the wire, is what the link and host add (the least of them is the link's own delay); a page
// command's round trip less that is what the bootloader needs before it listens again (its bytes on
// the wire, its page erase and write, its answer leaving its UART). The next page goes that long after
// the one before, plus a margin, so it reaches the bootloader just after it is ready. One Pacer serves
// a whole session: once it drops back, every later pass runs one command at a time.
import { median, range, stretched, withoutLargest } from './ranges.js';
import { AnswerStarts } from './answer-starts.js';
import { readClearAfter, writeClearAfter, type ClearContext } from './clear-times.js';
import { Dither } from './dither.js';
import { LinkDelays, STEADY_AFTER } from './link-delays.js';
import { Turnarounds } from './turnarounds.js';

export type PageKind = 'write' | 'read';

/** Page round trips learnt one at a time before pipelining starts, per kind. */
export const LEARN_PAGES = 12;
/** Short round trips that measure the link's own delay, at least, before pipelining. */
const LINK_SAMPLES = 24;
/**
 * Commands sent and not yet answered, at most, when the host's timers space them: one ahead. A queue
 * on the way that holds a page and then lets it go (a bridge, a busy host) bunches at most the one
 * page behind it.
 */
export const HOST_TIMED_IN_FLIGHT = 2;
/**
 * The same for self-paced commands (leadBytes), which may bunch without harm: two ahead, so the
 * wire stays busy while an adapter holds the tail of a long answer (FTDI: up to 16 ms of a read's).
 */
export const MAX_IN_FLIGHT = 3;
/**
 * How much faster than its nominal baud a host's adapter may send: a 16U2 sends "115200" at 117,647
 * (as the board's own UART), FTDI and CH340 at 115,385. Filler sized at this lasts the gap on all.
 */
const FASTEST_WIRE = 1.025;
/** The margin on top of the learnt interval: a fixed part and a share of the bootloader's own time. */
const MARGIN_MS = 0.3;
const MARGIN_SHARE = 0.01;
/** Pages learnt on a steady link, whose round trips do not vary. */
const STEADY_LEARN_PAGES = 3;
/**
 * An answer later than the slowest learnt round trip by this much (or by the spread) is late. A host
 * that stalls for tens of milliseconds (a garbage collection, a busy machine) must not cost the rest
 * of the session, and waiting longer sends nothing more: one page at most is ahead.
 */
const LATE_SLACK_MS = 60;

export interface PacerStats {
  /** Page commands sent before the answer to the one before them. */
  pipelined: number;
  /** Why the session went back to one command at a time; null while it has not. */
  droppedBack: string | null;
}

export class Pacer {
  readonly stats: PacerStats = { pipelined: 0, droppedBack: null };
  /** The host's own part of each round trip, from an answer to the next command. */
  readonly turnarounds = new Turnarounds();
  /** The varying waits before learning samples. */
  private readonly dither = new Dither();
  private readonly link = new LinkDelays();
  private readonly pages: Record<PageKind, number[]> = { write: [], read: [] };
  /** The least of each kind's pages, kept as they come (pageClearAfter asks for it on every page). */
  private readonly leastPage: Record<PageKind, number> = { write: Infinity, read: Infinity };
  private readonly wireBytes: Record<PageKind, number> = { write: 0, read: 0 };
  private readonly starts = new AnswerStarts();
  private readonly warmups = { link: 0 };
  /** The client's page commands each carry a short round trip (see linkFromPages): no short samples sent. */
  private fromPages = false;

  /** One byte's time on the bootloader's wire (10 bits); unknown, the link's delay counts as 0: slower, never early. */
  private byteMs: number | null = null;
  /** For clearAfter: the link and the byte times, set with the baud. */
  private clear: ClearContext = { link: this.link, byteMs: 0, fastestByteMs: 0 };

  /** `enabled` false: one command at a time throughout. */
  constructor(private enabled = true) {}

  /** The bootloader's baud, once known. The nominal rate is a little slower than the real one, which errs on the late side. */
  useBaud(baud: number | undefined): void {
    if (baud === undefined || baud <= 0) return;
    this.byteMs = 10_000 / baud;
    this.clear = { link: this.link, byteMs: this.byteMs, fastestByteMs: this.byteMs / FASTEST_WIRE };
  }

  get active(): boolean {
    return this.enabled;
  }

  /** A command answered one at a time: `ms` from its last byte written to its answer's last byte read. */
  trip(ms: number, bytesOut: number, bytesIn: number): void {
    if (this.byteMs === null) return;
    // The session's first round trip also carries the host's own warm-up (code compiled on first use).
    if (this.warmups.link++ === 0) return;
    this.link.add(ms - (bytesOut + bytesIn) * this.byteMs);
  }

  /**
   * The client sends each page's address and page command in one write, and the address's answer
   * comes first: a short round trip of its own (trip), on every page answered one at a time. The link
   * is then learnt from the pages the flash needs anyway, not from commands sent only to measure it.
   */
  linkFromPages(): void {
    this.fromPages = true;
  }

  /** Whether the client should pass on its pages' short round trips (see linkFromPages). */
  get wantsLinkSamples(): boolean {
    return this.fromPages && this.learning && !this.link.full;
  }

  /** Before a short command sent only to measure the link: how long to wait first; null when enough are known. */
  sampleWait(): number | null {
    if (!this.learning || this.link.calm || (this.link.count >= LINK_SAMPLES && this.starts.known)) return null;
    if (this.fromPages && !this.wantsStart) return null;
    return this.varyingWait();
  }

  /**
   * Whether a sample should be a long answer (a page read), for answerStart: once short ones have
   * shown whether the link is calm (a calm link needs none).
   */
  get wantsStart(): boolean {
    return this.link.count >= STEADY_AFTER && !this.link.calm && !this.starts.known;
  }

  /**
   * A long answer, read one at a time: `ms` from its command's last byte written to when the
   * bootloader started answering, worked out from when each chunk came and how many bytes it held
   * (a chunk cannot come before its last byte left the board). An adapter's timer delays only the
   * chunks it holds, so the spread of these is the way to the board's own (a USB frame, a Wi-Fi hop).
   * `read`: the answer is a page read's, whose whole round trip counts as one of those (page).
   */
  answerStart(ms: number, read?: { readonly ms: number; readonly wireBytes: number }): void {
    // A page read one at a time (the address loaded before it): one of those learnt for the reads.
    if (this.starts.add(ms) && read) this.page('read', read.ms, read.wireBytes);
  }

  get byteTimeMs(): number | null {
    return this.byteMs;
  }

  /** One byte's time at the fastest an adapter or the bootloader's UART may send (FASTEST_WIRE). */
  get fastestByteMs(): number | null {
    return this.byteMs === null ? null : this.byteMs / FASTEST_WIRE;
  }

  /** Before a page command of `kind` answered one at a time: how long to wait first (0 once learnt). */
  learnWait(kind: PageKind): number {
    const more = this.pages[kind].length < this.learnPages || (this.fromPages && this.link.count < LINK_SAMPLES);
    return this.learning && !this.link.calm && more ? this.varyingWait() : 0;
  }

  private get learnPages(): number {
    return this.link.calm ? STEADY_LEARN_PAGES : LEARN_PAGES;
  }

  private get learning(): boolean {
    return this.enabled && this.byteMs !== null && !this.link.fast;
  }

  /** A wait before a learning sample (see Dither). */
  varyingWait(): number {
    return this.dither.next();
  }

  /**
   * A page command of `kind` answered one at a time, `ms` after it was written; `wireBytes`, the
   * command's and its answer's, are on the wire for a time that does not vary (see bootloaderShare).
   */
  page(kind: PageKind, ms: number, wireBytes = 0): void {
    const list = this.pages[kind];
    if (list.length < 64) {
      list.push(ms);
      this.leastPage[kind] = Math.min(this.leastPage[kind], ms);
    }
    this.wireBytes[kind] = wireBytes;
  }

  /**
   * The share of a page's busy time kept as a margin: of the bootloader's own part (a page erase and
   * write may take longer on one page than another), not of its bytes on the wire, whose rate does
   * not change within a session (and for filler, FASTEST_WIRE covers any adapter's).
   */
  private bootloaderShare(kind: PageKind, busy: number): number {
    return MARGIN_SHARE * Math.max(0, busy - this.wireBytes[kind] * (this.byteMs ?? 0));
  }

  /**
   * The least time between sending two page commands of `kind`, or null while still learning or
   * dropped back. `selfPaced`: for commands led by filler (leadBytes), which the wire paces, so a
   * way to the board that varies cannot bring one closer to the one before; only the learnt gap's
   * own error needs a margin then (unless the link is jittery).
   */
  interval(kind: PageKind, selfPaced = false): number | null {
    const list = this.pages[kind];
    if (!this.enabled || this.link.fast || list.length < this.learnPages) return null;
    if (this.learning && !this.link.calm && !(this.link.count >= LINK_SAMPLES && this.starts.known)) return null;
    const link = this.link.least;
    // What the way to the board may take longer for one page than for the next.
    // The range of n samples falls short of the whole range by about 2 / (n + 1) of it: stretched back.
    const spread = this.link.calm ? this.calmSpread(list) : !this.starts.known ? this.spread(kind) : selfPaced && !this.starts.jittery ? 0 : this.starts.spread(this.link.kept);
    const busy = this.leastPage[kind] - link;
    // The least of n samples overstates the least delay there is by about spread / (n + 1); a page
    // whose answer came without that delay (a long one fills a packet) would be timed that much early.
    const unseen = this.link.unseenMs;
    const interval = this.link.steady ? busy + MARGIN_MS : busy + spread + unseen + MARGIN_MS + this.bootloaderShare(kind, busy);
    // On a link that varies this much, one command at a time is as fast: nothing to gain, only risk.
    // Self-paced, a command and its filler take up to FASTEST_WIRE longer than the interval on the wire.
    return interval * (selfPaced ? FASTEST_WIRE : 1) < median(list) ? interval : null;
  }

  /**
   * Idle filler to lead each pipelined command of `kind` with (`commandBytes` long), for a bootloader
   * that skips it while it waits for a command to start (stk500boot: anything but 0x1B): as long on
   * the wire as its gap after a command (its page written, its answer sent; with the interval's
   * spread and margins, as the gap is learnt from noisy round trips), and a byte more (a busy
   * receiver keeps the first bytes it got, so the command's own must come after). Every command leads
   * with it, so however soon one follows the one before (a queue on the way may deliver them back
   * to back), only filler reaches the bootloader in that gap: such commands may go at once, the wire
   * paces them (see PipelinedCommands.selfPaced), and the filler costs only its margin.
   */
  leadBytes(kind: PageKind, commandBytes: number, answerBytes?: number): number {
    const interval = this.interval(kind, true);
    if (this.byteMs === null || interval === null) return 0;
    // The interval is the learnt gap and the command's own bytes (on the wire as fast as they may
    // have gone), with the spread and margins on top.
    const fastest = this.byteMs / FASTEST_WIRE;
    const gap = answerBytes !== undefined && this.starts.known ? this.answerGap(commandBytes, answerBytes) : interval - commandBytes * fastest;
    return gap > 0 ? Math.ceil(gap / fastest) + 1 : 0;
  }

  /**
   * The gap after a command whose answer is long (a page read, `answerBytes`), from the long
   * answers' starts rather than round trips: each start (answerStart, bounded at the fastest rate)
   * is at least the command's bytes and the bootloader's own time before its answer begins, and it
   * listens again once that answer is out (at the nominal rate, slower than any real UART's). An
   * adapter's timer, which holds an answer's tail, does not enter; the way to the board's delay
   * does, and only makes it longer. For page reads of the same size as the long answers sampled.
   */
  private answerGap(commandBytes: number, answerBytes: number): number {
    const byte = this.byteMs ?? 0;
    return this.starts.least - commandBytes * (byte / FASTEST_WIRE) + answerBytes * byte + MARGIN_MS;
  }

  /**
   * Filler for page reads (`commandBytes` long, answered with `answerBytes`) where commands led by it
   * go faster than ones the host's timers space, else 0: they need no margin for the way to the
   * board's spread, but their filler may last FASTEST_WIRE longer on the wire than it needs (what
   * each costs is counted at the nominal rate, as on an adapter no faster than that).
   */
  readLeadBytes(commandBytes: number, answerBytes: number): number {
    const timed = this.interval('read');
    const lead = this.leadBytes('read', commandBytes, answerBytes);
    return timed !== null && lead > 0 && (lead + commandBytes) * (this.byteMs ?? 0) < timed ? lead : 0;
  }

  /** The earliest the next page read may leave while the answer before it arrives (see readClearAfter). */
  clearAfter(lastAt: number, got: number, total: number): number {
    return readClearAfter(this.clear, lastAt, got, total);
  }

  /**
   * The earliest the next page write may leave (writeClearAfter), less the link's round-trip range,
   * which the interval's margin covers: only an answer held longer than any learnt moves the next
   * page. -Infinity where an adapter's timer holds answers (answer starts learnt): they say nothing.
   */
  pageClearAfter(lastAt: number, got: number, before: number): number | null {
    if (this.starts.known) return -Infinity;
    return got === 0 ? null : writeClearAfter(this.clear, lastAt, before, this.leastPage.write - this.link.least) - this.link.range;
  }

  /** How long after it was written a pipelined command's answer counts as late. */
  lateAfter(kind: PageKind): number {
    const list = this.pages[kind];
    return Math.max(...list) + Math.max(LATE_SLACK_MS, this.spread(kind));
  }

  /** Told once, when the session drops back (for its log). */
  onDropBack: ((reason: string) => void) | null = null;

  /** Back to one command at a time for the rest of the session. */
  dropBack(reason: string): void {
    if (!this.enabled) return;
    this.enabled = false;
    this.stats.droppedBack = reason;
    // A link too fast to pipeline never was: nothing to tell.
    if (!this.link.fast) this.onDropBack?.(reason);
  }

  /** On a calm link: its round trips' range, or its pages', each stretched for how few they are. */
  private calmSpread(pages: readonly number[]): number {
    return Math.max(stretched(withoutLargest(this.link.kept)), stretched(pages));
  }

  private spread(kind: PageKind): number {
    const list = this.pages[kind];
    return Math.max(range(list), this.link.range);
  }
}
