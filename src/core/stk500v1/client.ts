// STK500v1 client for optiboot and ATmegaBOOT (ATmega328p/168/1280/1284p), per AN2525.
// Each page goes out as LOAD_ADDRESS + PROG_PAGE (or READ_PAGE) in one write, and both answers are
// read together: the bootloader answers LOAD_ADDRESS at once and stalls only after PROG_PAGE's data is
// in, so nothing overflows its 2-byte UART buffer. Once the session's Pacer has learnt the timing,
// pages go out before the answer to the one before (pipelined.ts). After a failure the client
// re-synchronises and falls back to one command per round trip.
import { FlashError, isFlashError } from '../errors.js';
import { AnswerTimer } from '../link/answer-timer.js';
import { alsoResync } from '../retry.js';
import { hexBytes } from '../link/hexdump.js';
import { SILENT, type ClientOptions, type FlashGeometry, type LinkStats, type Logger, type Programmer } from '../programmer.js';
import * as K from './constants.js';
import { Pacer, type PageKind } from '../pipeline/pacer.js';
import { learnWait, sampleLink } from '../pipeline/waits.js';
import { linkWire, needReset, noteTrip, pipelinedPages, sampleLongAnswer, type PageCommands, type V1Wire } from './pipelined.js';
import { joined, misdirectTargets, pageCommands } from './addresses.js';
import { probeSync } from './probe.js';

/** Garbled resyncs in a row before giving up, and tries of one command on a link that keeps damaging them. */
const RETRIES = 3;
const MAX_ATTEMPTS = 10;
/**
 * A page's answer takes about 20 ms (46 ms for 256 bytes at 57600). Waiting less than optiboot's 1 s
 * watchdog, which each received byte restarts, lets a resync reach the bootloader before it leaves
 * for the application.
 */
const COMMAND_TIMEOUT_MS = 500;
/** The shortest learnt deadline: room for a busy host on top of the slowest answer. */
const LEARNT_FLOOR_MS = 150;

export interface Stk500v1Options extends ClientOptions {
  /** Send the address and the page command in one write (default true). */
  readonly pipeline?: boolean;
}

export class Stk500v1Client implements Programmer {
  readonly protocol = 'stk500v1' as const;
  readonly stats: LinkStats = { roundTrips: 0, bytesOut: 0, bytesIn: 0, resyncs: 0 };
  /** Optiboot and ATmegaBOOT erase each page at its own address before writing it. */
  readonly erasesInOrder = false;
  readonly logger: Logger;
  readonly pacer: Pacer;
  /** The last exchange's time from its bytes written to its last answer read. */
  private lastTripMs = 0;
  private readonly timer: AnswerTimer;
  private pipeline: boolean;
  private extendedByte = -1;
  /** What the client is doing, in a user's words, for error messages. */
  private doing = 'talking to the bootloader';

  constructor(private readonly opts: Stk500v1Options) {
    this.logger = opts.logger ?? SILENT;
    this.timer = new AnswerTimer(LEARNT_FLOOR_MS, opts.commandTimeoutMs ?? COMMAND_TIMEOUT_MS);
    this.pipeline = opts.pipeline ?? true;
    this.pacer = opts.pacer ?? new Pacer(this.pipeline);
    this.pacer.useBaud(opts.link.baud ?? opts.wireBaud);
    if (this.pipeline) this.pacer.linkFromPages();
  }

  /** One GET_SYNC, waited for up to `timeoutMs` (see probeSync). */
  probe(timeoutMs: number): Promise<string> {
    return probeSync(this.opts, this.stats, timeoutMs);
  }

  async restartErase(): Promise<void> {
    /* Each page is erased at its own address: nothing to restart. */
  }

  async readSignature(): Promise<Uint8Array> {
    this.doing = "reading the chip's signature";
    const [reply] = await this.retrying(() => this.exchange([Uint8Array.of(K.Cmnd_STK_READ_SIGN, K.Sync_CRC_EOP)], [3]));
    return reply ?? new Uint8Array(3);
  }

  async enterProgramming(): Promise<void> {
    this.doing = 'entering programming mode';
    await this.retrying(() => this.exchange([Uint8Array.of(K.Cmnd_STK_ENTER_PROGMODE, K.Sync_CRC_EOP)], [0]));
  }

  async leaveProgramming(): Promise<void> {
    this.doing = 'starting the firmware';
    await this.exchange([Uint8Array.of(K.Cmnd_STK_LEAVE_PROGMODE, K.Sync_CRC_EOP)], [0]);
  }

  async writeFlash(bytes: Uint8Array, start: number, end: number, g: FlashGeometry, onPage: (done: number) => void): Promise<void> {
    const n = g.pageBytes;
    const prog = new Uint8Array(n + 5);
    prog.set([K.Cmnd_STK_PROG_PAGE, n >> 8, n & 0xff, K.MEMTYPE_FLASH]);
    prog[n + 4] = K.Sync_CRC_EOP;
    const fill = (address: number): Uint8Array => {
      const data = bytes.subarray(address, address + n);
      if (data.length < n) prog.fill(0xff, 4, n + 4);
      prog.set(data, 4);
      return prog;
    };
    needReset(this.opts.link, this.pacer);
    for (let address = start; address < end; ) {
      if (this.pacer.interval('write') !== null) {
        const first = address;
        const out = await pipelinedPages(this.pipe(), 'write', first, end, n, (a) => this.oneWrite(a, g, fill(a), 0), (a) => onPage(a + n - start));
        address = first + out.answered * n;
        if (!out.clean) await this.afterUnclean('write');
        continue;
      }
      fill(address);
      await sampleLink(this.pacer, this.opts.clock, this.opts.signal, () => this.retrying(() => this.linkSample(g)));
      await learnWait(this.pacer, 'write', this.opts.clock, this.opts.signal);
      await this.retrying(() => {
        this.doing = `writing page 0x${address.toString(16)}`;
        return this.addressed(address, g, prog, 0);
      });
      this.pacer.page('write', this.lastTripMs);
      address += n;
      onPage(address - start);
    }
  }

  misdirectTargets(page: number, g: FlashGeometry): readonly number[] {
    return misdirectTargets(page, g);
  }

  async readFlash(start: number, end: number, g: FlashGeometry, onPage: (address: number, data: Uint8Array) => void): Promise<void> {
    const n = g.pageBytes;
    const read = Uint8Array.of(K.Cmnd_STK_READ_PAGE, n >> 8, n & 0xff, K.MEMTYPE_FLASH, K.Sync_CRC_EOP);
    needReset(this.opts.link, this.pacer);
    await sampleLink(this.pacer, this.opts.clock, this.opts.signal, () => this.retrying(() => this.linkSample(g)));
    for (let address = start; address < end; ) {
      if (this.pacer.interval('read') !== null) {
        const first = address;
        const out = await pipelinedPages(this.pipe(), 'read', first, end, n, (a) => this.oneWrite(a, g, read, n), onPage);
        address = first + out.answered * n;
        if (!out.clean) await this.afterUnclean('read');
        continue;
      }
      await learnWait(this.pacer, 'read', this.opts.clock, this.opts.signal);
      const data = await this.retrying(() => {
        this.doing = `reading page 0x${address.toString(16)}`;
        return this.addressed(address, g, read, n);
      });
      this.pacer.page('read', this.lastTripMs);
      onPage(address, data);
      address += n;
    }
  }

  /**
   * After a pipelined page went wrong: answers on their way are dropped, the extended address is sent
   * again, and one GET_SYNC, waited for as long as a late answer, tells whether the bootloader is still
   * there (a page that reached it busy makes it leave): silence goes to the session's reset at once.
   */
  private async afterUnclean(kind: PageKind): Promise<void> {
    this.extendedByte = -1;
    const late = Math.min(200, Math.max(50, Math.ceil(this.pacer.lateAfter(kind))));
    await this.opts.link.drain(late, this.opts.signal);
    await this.probe(Math.min(this.timer.timeoutMs, late)).catch((e: unknown) => {
      throw isFlashError(e, 'link-timeout') ? new FlashError('link-timeout', 'The bootloader stopped answering after a page sent ahead reached it while it was busy.', { cause: e }) : e;
    });
  }

  /** One sample for the Pacer: GET_SYNC (changes nothing), or while it wants long answers, page 0 read. */
  private async linkSample(g: FlashGeometry): Promise<void> {
    this.doing = 'measuring the link';
    if (!this.pacer.wantsStart) {
      await this.exchange([Uint8Array.of(K.Cmnd_STK_GET_SYNC, K.Sync_CRC_EOP)], [0]);
      return;
    }
    const n = g.pageBytes;
    const read = Uint8Array.of(K.Cmnd_STK_READ_PAGE, n >> 8, n & 0xff, K.MEMTYPE_FLASH, K.Sync_CRC_EOP);
    await sampleLongAnswer(this.opts, this.pacer, this.stats, this.oneWrite(0, g, read, n), this.timer.timeoutMs);
  }

  private pipe(): V1Wire {
    return linkWire(this.opts, this.pacer, this.logger, this.stats, this.timer.timeoutMs);
  }

  /** A page's commands as one write, for the pipeline (the extended address noted as sent). */
  private oneWrite(address: number, g: FlashGeometry, command: Uint8Array, payload: number): PageCommands {
    const c = pageCommands(address, g, command, payload, this.extendedByte);
    this.extendedByte = address >>> 17;
    this.doing = `${payload > 0 ? 'reading' : 'writing'} page 0x${address.toString(16)}`;
    return { bytes: joined(c.commands), lengths: c.commands.map((x) => x.length), payloads: c.payloads };
  }

  private async addressed(address: number, g: FlashGeometry, command: Uint8Array, payload: number): Promise<Uint8Array> {
    const { commands, payloads } = pageCommands(address, g, command, payload, this.extendedByte);
    let replies: Uint8Array[];
    if (this.pipeline) {
      replies = await this.exchange(commands, payloads);
    } else {
      replies = [];
      for (let i = 0; i < commands.length; i++) {
        const [r] = await this.exchange([commands[i] ?? new Uint8Array(0)], [payloads[i] ?? 0]);
        replies.push(r ?? new Uint8Array(0));
      }
    }
    if (commands.length === 3) this.extendedByte = address >>> 17;
    return replies[replies.length - 1] ?? new Uint8Array(0);
  }

  /**
   * Runs `op`, and after a lost or damaged answer re-synchronises and runs it again, up to
   * MAX_ATTEMPTS times while the bootloader answers GET_SYNC. Silence after GET_SYNC means it has
   * left (optiboot starts the application after a bad end byte or 1 s without input): only a reset
   * brings it back, so that is said at once.
   */
  private async retrying<T>(op: () => Promise<T>): Promise<T> {
    let garbledResyncs = 0;
    for (let attempt = 1; ; attempt++) {
      try {
        return await op();
      } catch (e) {
        if (!(e instanceof FlashError) || (e.code !== 'link-timeout' && e.code !== 'protocol-error') || attempt >= MAX_ATTEMPTS) throw e;
        this.logger.log('info', `STK500v1: ${e.technical ?? e.detail} Re-synchronising (attempt ${attempt + 1} of at most ${MAX_ATTEMPTS}).`);
        this.stats.resyncs++;
        this.pacer.dropBack(`a lost or damaged answer (${e.technical ?? e.detail})`);
        if (this.pipeline) {
          this.pipeline = false;
          this.logger.log('info', 'STK500v1: sending one command per round trip from now on.');
        }
        try {
          await this.resync();
          garbledResyncs = 0;
        } catch (r) {
          if (!(r instanceof FlashError) || r.code !== 'protocol-error' || ++garbledResyncs >= RETRIES) throw alsoResync(e, r);
        }
      }
    }
  }

  private async resync(): Promise<void> {
    this.doing = 're-synchronising with the bootloader';
    this.extendedByte = -1;
    await this.opts.link.drain(30, this.opts.signal);
    await this.exchange([Uint8Array.of(K.Cmnd_STK_GET_SYNC, K.Sync_CRC_EOP)], [0]);
  }

  /**
   * Writes all `commands` at once, then reads one answer per command: INSYNC, `payloads[i]` bytes, OK.
   * Returns the payloads.
   */
  private async exchange(commands: Uint8Array[], payloads: number[]): Promise<Uint8Array[]> {
    const { link, signal, clock } = this.opts;
    const timeoutMs = this.timer.timeoutMs;
    const out = commands.length === 1 && commands[0] ? commands[0] : joined(commands);
    if (this.logger.debug) this.logger.log('debug', `> ${hexBytes(out)}`);
    this.stats.roundTrips++;
    this.stats.bytesOut += out.length;
    this.pacer.turnarounds.sending(clock.now());
    await link.write(out);
    const t0 = clock.now();
    const replies: Uint8Array[] = [];
    let firstAt = -1;
    for (let i = 0; i < commands.length; i++) {
      const size = (payloads[i] ?? 0) + 2;
      const answer = await link.read(size, timeoutMs, signal).catch((e: unknown) => {
        if (e instanceof FlashError && e.code === 'link-timeout') {
          this.timer.timedOut();
          throw new FlashError('link-timeout', `No answer within ${timeoutMs} ms while ${this.doing}.`, {
            technical: `No answer to command 0x${(commands[i]?.[0] ?? 0).toString(16)} within ${timeoutMs} ms.`,
          });
        }
        throw e;
      });
      this.stats.bytesIn += answer.length;
      if (this.logger.debug) this.logger.log('debug', `< ${hexBytes(answer)}`);
      if (answer[0] !== K.Resp_STK_INSYNC || answer[size - 1] !== K.Resp_STK_OK) {
        throw new FlashError('protocol-error', `The bootloader's answer was out of sync while ${this.doing}.`, {
          technical: `Answer ${hexBytes(answer)} to command 0x${(commands[i]?.[0] ?? 0).toString(16)} is out of sync (expected 14 … 10).`,
        });
      }
      replies.push(answer.subarray(1, size - 1));
      if (i === 0) firstAt = link.lastReceivedAt ?? clock.now();
    }
    this.lastTripMs = clock.now() - t0;
    this.pacer.turnarounds.answerArrived(link.lastReceivedAt ?? clock.now());
    this.timer.answered(this.lastTripMs);
    noteTrip(this.pacer, commands, payloads, this.lastTripMs, firstAt - t0);
    return replies;
  }
}
