// STK500v2 client for the 'wiring' bootloader (stk500boot.c on ATmega2560/1280), per AVR068.
// One LOAD_ADDRESS per contiguous pass: the bootloader auto-increments after each block. Damaged or
// lost answers are retried a bounded number of times after a resync (SIGN_ON with sequence 1). Once
// the session's Pacer has learnt the timing, pages go out before the answer to the one before
// (pipelined.ts); frames and their answers are matched in wire.ts.
import { FlashError } from '../errors.js';
import { AnswerTimer } from '../link/answer-timer.js';
import { EraseCounterLost, SILENT, type ClientOptions, type FlashGeometry, type LinkStats, type Logger, type Programmer } from '../programmer.js';
import * as K from './constants.js';
import { FrameWire, NAMES } from './wire.js';
import { retrying, type V2Recovery } from './recovery.js';
import { Pacer } from '../pipeline/pacer.js';
import { learnWait, sampleLink, varyingWait } from '../pipeline/waits.js';
import { pipelinedPages, readAnswerBytes, wireView, type V2Wire } from './pipelined.js';


/** Largest block per PROGRAM/READ_FLASH_ISP: the bootloader buffers a 285-byte body. */
const BLOCK = 256;
/** Within a probe, how long to wait for SIGN_ON's answer before sending it again. */
const PROBE_RESEND_MS = 250;
/** The fixed deadline for an answer, and the shortest one learnt from the answers (see AnswerTimer). */
const COMMAND_TIMEOUT_MS = 1000;
const LEARNT_FLOOR_MS = 200;
/** Commands the bootloader answers at once: their round trips are the link's own delay (see Pacer). */
const SHORT_COMMANDS: ReadonlySet<number> = new Set([K.CMD_SIGN_ON, K.CMD_GET_PARAMETER, K.CMD_LOAD_ADDRESS, K.CMD_READ_SIGNATURE_ISP, K.CMD_ENTER_PROGMODE_ISP]);

export class Stk500v2Client implements Programmer {
  readonly protocol = 'stk500v2' as const;
  readonly stats: LinkStats = { roundTrips: 0, bytesOut: 0, bytesIn: 0, resyncs: 0 };
  /** Pages are erased by a counter that runs from 0, not at the loaded address (FIELD-NOTES). */
  readonly erasesInOrder = true;
  private readonly wire: FrameWire;
  readonly logger: Logger;
  private readonly timer: AnswerTimer;
  /** The last answered command's round trip, from its frame written to its answer read. */
  private lastTripMs = 0;
  readonly pacer: Pacer;
  /** What the client is doing, in a user's words, for error messages. */
  private doing = 'talking to the bootloader';

  constructor(private readonly opts: ClientOptions) {
    this.logger = opts.logger ?? SILENT;
    this.timer = new AnswerTimer(LEARNT_FLOOR_MS, opts.commandTimeoutMs ?? COMMAND_TIMEOUT_MS);
    this.pacer = opts.pacer ?? new Pacer();
    this.wire = new FrameWire(opts, this.logger, this.stats, this.pacer, () => this.doing);
    this.pacer.useBaud(opts.link.baud ?? opts.wireBaud);
  }

  /**
   * Sends SIGN_ON until an answer comes or `timeoutMs` is over. Bytes that are no answer (a running
   * firmware's output, noise) are skipped, and a frame they spoil is asked for again.
   */
  async probe(timeoutMs: number): Promise<string> {
    const { clock, signal } = this.opts;
    const deadline = clock.now() + timeoutMs;
    await this.opts.link.drain(0, signal);
    for (;;) {
      const left = deadline - clock.now();
      try {
        this.wire.restart();
        const body = await this.command(Uint8Array.of(K.CMD_SIGN_ON), Math.min(left, PROBE_RESEND_MS));
        const len = body[2] ?? 0;
        return String.fromCharCode(...body.subarray(3, 3 + len));
      } catch (e) {
        if (!(e instanceof FlashError) || (e.code !== 'link-timeout' && e.code !== 'protocol-error')) throw e;
        if (deadline - clock.now() <= 0) {
          throw e.code === 'link-timeout' ? new FlashError('link-timeout', `No answer to SIGN_ON within ${timeoutMs} ms.`) : e;
        }
      }
    }
  }

  /**
   * Makes the bootloader's erase counter start again at address 0 (CHIP_ERASE_ISP sets it to 0 and
   * answers FAILED on purpose, Arduino issue 543), so a rewrite from 0 erases each page first.
   */
  async restartErase(): Promise<void> {
    this.doing = "restarting the bootloader's page erase at address 0";
    await this.retrying(() => this.command(Uint8Array.of(K.CMD_CHIP_ERASE_ISP, 0x00, 0x00, 0xac, 0x80, 0x00, 0x00), undefined, [K.STATUS_CMD_OK, K.STATUS_CMD_FAILED]));
  }

  async readSignature(): Promise<Uint8Array> {
    this.doing = "reading the chip's signature";
    const sig = new Uint8Array(3);
    for (let i = 0; i < 3; i++) {
      const body = await this.retrying(() => this.command(Uint8Array.of(K.CMD_READ_SIGNATURE_ISP, 0, 0x30, 0, i, 0)));
      sig[i] = body[2] ?? 0;
    }
    return sig;
  }

  async enterProgramming(): Promise<void> {
    this.doing = 'entering programming mode';
    // Timing fields as avrdude sends them for the ATmega2560; the bootloader ignores them.
    const body = Uint8Array.of(K.CMD_ENTER_PROGMODE_ISP, 0xc8, 0x64, 0x19, 0x20, 0x00, 0x53, 0x03, 0xac, 0x53, 0x00, 0x00);
    await this.retrying(() => this.command(body));
  }

  async leaveProgramming(): Promise<void> {
    this.doing = 'starting the firmware';
    await this.command(Uint8Array.of(K.CMD_LEAVE_PROGMODE_ISP, 0x01, 0x01));
  }

  async writeFlash(bytes: Uint8Array, start: number, end: number, g: FlashGeometry, onPage: (done: number) => void): Promise<void> {
    const block = Math.min(BLOCK, g.pageBytes);
    const body = new Uint8Array(10 + block);
    body[0] = K.CMD_PROGRAM_FLASH_ISP;
    body[1] = block >> 8;
    body[2] = block & 0xff;
    body.set([K.PROGRAM_MODE_PAGE_WRITE, 0x0a, 0x40, 0x4c, 0x20, 0x00, 0x00], 3);
    await sampleLink(this.pacer, this.opts.clock, this.opts.signal, () => this.retrying(() => this.linkSample(g)));
    let addressValid = false;
    for (let address = start; address < end; ) {
      if (addressValid && this.pacer.interval('write') !== null) {
        // The bootloader's address goes on from the last page: the rest pipelined.
        const first = address;
        const out = await pipelinedPages(this.pipe(), 'write', first, end, block, (a) => this.programBody(body, bytes, a, block), (a) => onPage(a + block - start));
        address = first + out.answered * block;
        // A page sent may have been carried out at another page's address: the erase counter cannot be trusted.
        if (!out.clean) throw new EraseCounterLost(address);
        continue;
      }
      this.programBody(body, bytes, address, block);
      await learnWait(this.pacer, 'write', this.opts.clock, this.opts.signal);
      await this.retrying(
        async () => {
          this.doing = `writing page 0x${address.toString(16)}`;
          if (!addressValid) await this.loadAddress(address, g);
          addressValid = false;
          await this.command(body);
          addressValid = true;
        },
        () => {
          throw new EraseCounterLost(address);
        },
      );
      this.pacer.page('write', this.lastTripMs, body.length + 2 * K.FRAME_BYTES + 2);
      address += block;
      onPage(address - start);
    }
  }

  /** PROGRAM_FLASH_ISP's body for the page at `address` (0xFF past the image). */
  private programBody(body: Uint8Array, bytes: Uint8Array, address: number, block: number): Uint8Array {
    const data = bytes.subarray(address, address + block);
    if (data.length < block) body.fill(0xff, 10);
    body.set(data, 10);
    this.doing = `writing page 0x${address.toString(16)}`;
    return body;
  }

  /** Every frame carries a checksum: a damaged LOAD_ADDRESS is refused, not obeyed. */
  misdirectTargets(): readonly number[] {
    return [];
  }

  async readFlash(start: number, end: number, g: FlashGeometry, onPage: (address: number, data: Uint8Array) => void): Promise<void> {
    const block = Math.min(BLOCK, g.pageBytes);
    const request = Uint8Array.of(K.CMD_READ_FLASH_ISP, block >> 8, block & 0xff, 0x20);
    await sampleLink(this.pacer, this.opts.clock, this.opts.signal, () => this.retrying(() => this.linkSample(g)));
    let addressValid = false;
    for (let address = start; address < end; ) {
      if (addressValid && this.pacer.interval('read') !== null) {
        const first = address;
        const out = await pipelinedPages(this.pipe(), 'read', first, end, block, () => request, (a, r) => onPage(a, r.subarray(2, 2 + block)));
        address = first + out.answered * block;
        // Where the bootloader's address now is cannot be told: load it again (a resync may be needed).
        if (!out.clean) addressValid = false;
        continue;
      }
      await learnWait(this.pacer, 'read', this.opts.clock, this.opts.signal);
      const reply = await this.retrying(async () => {
        this.doing = `reading page 0x${address.toString(16)}`;
        if (!addressValid) await this.loadAddress(address, g);
        addressValid = false;
        const r = await this.command(request);
        this.wire.checkReadSize(r, block);
        addressValid = true;
        return r;
      });
      this.pacer.page('read', this.lastTripMs, readWireBytes(request, block));
      onPage(address, reply.subarray(2, 2 + block));
      address += block;
    }
  }


  /**
   * One sample for the Pacer: SIGN_ON (changes nothing), or while it wants long answers, page 0
   * read (the address is loaded again before any page command).
   */
  private async linkSample(g: FlashGeometry): Promise<void> {
    this.doing = 'measuring the link';
    if (!this.pacer.wantsStart) {
      await this.command(Uint8Array.of(K.CMD_SIGN_ON));
      return;
    }
    await this.loadAddress(0, g);
    await varyingWait(this.pacer, this.opts.clock, this.opts.signal);
    const block = Math.min(BLOCK, g.pageBytes);
    const request = Uint8Array.of(K.CMD_READ_FLASH_ISP, block >> 8, block & 0xff, 0x20);
    this.wire.checkReadSize(await this.command(request), block);
    const read = { ms: this.lastTripMs, wireBytes: readWireBytes(request, block) };
    if (Number.isFinite(this.wire.lastStartMs)) this.pacer.answerStart(this.wire.lastStartMs, read);
  }

  private pipe(): V2Wire {
    return wireView(this.wire, this.pacer, this.opts.clock, this.logger, this.timer.timeoutMs);
  }

  private async loadAddress(byteAddress: number, g: FlashGeometry): Promise<void> {
    let word = byteAddress >>> 1;
    if (g.flashBytes > 0x20000) word = (word | K.LOAD_ADDRESS_EXTENDED) >>> 0;
    await this.command(Uint8Array.of(K.CMD_LOAD_ADDRESS, word >>> 24, (word >>> 16) & 0xff, (word >>> 8) & 0xff, word & 0xff));
  }

  /** Runs `op`, and after a lost or damaged answer re-synchronises and runs it again (recovery.ts). */
  private retrying<T>(op: () => Promise<T>, onOverrun?: () => void): Promise<T> {
    return retrying(this.recovery, op, onOverrun);
  }

  private readonly recovery: V2Recovery = {
    logger: () => this.logger,
    stats: this.stats,
    pacer: () => this.pacer,
    link: () => this.opts.link,
    signal: () => this.opts.signal,
    wire: () => this.wire,
    doing: (d) => (this.doing = d),
    signOn: (extraMs) => this.command(Uint8Array.of(K.CMD_SIGN_ON), Math.ceil(this.timer.timeoutMs + extraMs)),
  };

  /** Sends one command and returns the body of the matching answer, status checked. */
  private async command(body: Uint8Array, fixedTimeoutMs?: number, accept: readonly number[] = [K.STATUS_CMD_OK]): Promise<Uint8Array> {
    const { clock } = this.opts;
    const timeoutMs = fixedTimeoutMs ?? this.timer.timeoutMs;
    const cmd = body[0] ?? 0;
    const seq = await this.wire.sendFrame(body);
    const sentAt = clock.now();
    const answer = await this.wire.answerTo(seq, cmd, timeoutMs);
    if (!answer) {
      if (fixedTimeoutMs === undefined) this.timer.timedOut();
      throw new FlashError('link-timeout', `No answer within ${timeoutMs} ms while ${this.doing}.`, {
        technical: `No answer to ${NAMES[cmd] ?? cmd} (0x${cmd.toString(16)}) within ${timeoutMs} ms.`,
      });
    }
    this.lastTripMs = clock.now() - sentAt;
    if (fixedTimeoutMs === undefined) this.timer.answered(this.lastTripMs);
    if (SHORT_COMMANDS.has(cmd)) this.pacer.trip(this.lastTripMs, body.length + K.FRAME_BYTES, answer.length + K.FRAME_BYTES);
    this.wire.checkStatus(answer, accept);
    return answer;
  }

}

/** READ_FLASH_ISP's bytes on the wire both ways: its frame and its answer's. */
function readWireBytes(request: Uint8Array, block: number): number {
  return request.length + K.FRAME_BYTES + readAnswerBytes(block);
}
