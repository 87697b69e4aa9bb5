// STK500v2 client for the 'wiring' bootloader (stk500boot.c on ATmega2560/1280), per AVR068.
// One LOAD_ADDRESS per contiguous pass: the bootloader auto-increments after each block. Damaged or
// lost answers are retried a bounded number of times after a resync (SIGN_ON with sequence 1).
import { FlashError } from '../errors.js';
import { AnswerTimer } from '../link/answer-timer.js';
import { hexBytes } from '../link/hexdump.js';
import { EraseCounterLost, SILENT, type ClientOptions, type FlashGeometry, type LinkStats, type Logger, type Programmer } from '../programmer.js';
import * as K from './constants.js';
import { encodeFrame, FrameDecoder } from './frame.js';
import { fillerBytes, fillerFor, OVERRUN_FILLER } from './stk500boot.js';
import { alsoResync } from '../retry.js';

const NAMES: Record<number, string> = {
  [K.CMD_SIGN_ON]: 'SIGN_ON',
  [K.CMD_GET_PARAMETER]: 'GET_PARAMETER',
  [K.CMD_LOAD_ADDRESS]: 'LOAD_ADDRESS',
  [K.CMD_ENTER_PROGMODE_ISP]: 'ENTER_PROGMODE_ISP',
  [K.CMD_LEAVE_PROGMODE_ISP]: 'LEAVE_PROGMODE_ISP',
  [K.CMD_PROGRAM_FLASH_ISP]: 'PROGRAM_FLASH_ISP',
  [K.CMD_READ_FLASH_ISP]: 'READ_FLASH_ISP',
  [K.CMD_READ_SIGNATURE_ISP]: 'READ_SIGNATURE_ISP',
  [K.CMD_CHIP_ERASE_ISP]: 'CHIP_ERASE_ISP',
};

/** Largest block per PROGRAM/READ_FLASH_ISP: the bootloader buffers a 285-byte body. */
const BLOCK = 256;
/** Resyncs in a row without a good answer before the bootloader counts as lost. */
const RETRIES = 4;
/** Tries of one command on a link that keeps damaging frames. */
const MAX_ATTEMPTS = 10;
/** Within a probe, how long to wait for SIGN_ON's answer before sending it again. */
const PROBE_RESEND_MS = 250;
/** The fixed deadline for an answer, and the shortest one learnt from the answers (see AnswerTimer). */
const COMMAND_TIMEOUT_MS = 1000;
const LEARNT_FLOOR_MS = 200;

export class Stk500v2Client implements Programmer {
  readonly protocol = 'stk500v2' as const;
  readonly stats: LinkStats = { roundTrips: 0, bytesOut: 0, bytesIn: 0, resyncs: 0 };
  /** Pages are erased by a counter that runs from 0, not at the loaded address (FIELD-NOTES). */
  readonly erasesInOrder = true;
  private sequence = 1;
  private readonly decoder = new FrameDecoder();
  private readonly logger: Logger;
  private readonly timer: AnswerTimer;
  private lastFrame: Uint8Array = new Uint8Array(0);
  /** What the client is doing, in a user's words, for error messages. */
  private doing = 'talking to the bootloader';

  constructor(private readonly opts: ClientOptions) {
    this.logger = opts.logger ?? SILENT;
    this.timer = new AnswerTimer(LEARNT_FLOOR_MS, opts.commandTimeoutMs ?? COMMAND_TIMEOUT_MS);
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
        this.sequence = 1;
        this.decoder.reset();
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
    let addressValid = false;
    for (let address = start; address < end; address += block) {
      const data = bytes.subarray(address, address + block);
      if (data.length < block) body.fill(0xff, 10);
      body.set(data, 10);
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
      onPage(address + block - start);
    }
  }

  /** Every frame carries a checksum: a damaged LOAD_ADDRESS is refused, not obeyed. */
  misdirectTargets(): readonly number[] {
    return [];
  }

  async readFlash(start: number, end: number, g: FlashGeometry, onPage: (address: number, data: Uint8Array) => void): Promise<void> {
    const block = Math.min(BLOCK, g.pageBytes);
    const request = Uint8Array.of(K.CMD_READ_FLASH_ISP, block >> 8, block & 0xff, 0x20);
    let addressValid = false;
    for (let address = start; address < end; address += block) {
      const reply = await this.retrying(async () => {
        this.doing = `reading page 0x${address.toString(16)}`;
        if (!addressValid) await this.loadAddress(address, g);
        addressValid = false;
        const r = await this.command(request);
        if (r.length !== block + 3) {
          throw new FlashError('protocol-error', `The bootloader sent a page of the wrong size while ${this.doing}.`, {
            technical: `READ_FLASH_ISP returned ${r.length - 3} bytes, expected ${block}.`,
          });
        }
        addressValid = true;
        return r;
      });
      onPage(address, reply.subarray(2, 2 + block));
    }
  }

  private async loadAddress(byteAddress: number, g: FlashGeometry): Promise<void> {
    let word = byteAddress >>> 1;
    if (g.flashBytes > 0x20000) word = (word | K.LOAD_ADDRESS_EXTENDED) >>> 0;
    await this.command(Uint8Array.of(K.CMD_LOAD_ADDRESS, word >>> 24, (word >>> 16) & 0xff, (word >>> 8) & 0xff, word & 0xff));
  }

  /**
   * Runs `op`, and after a lost or damaged answer re-synchronises and runs it again. A link that
   * damages one frame in three still gets every command through: it goes on while the bootloader
   * answers the resync, up to MAX_ATTEMPTS per command, and gives up after RETRIES resyncs in a row
   * get no answer (the bootloader is gone: only a reset helps). `onOverrun` is told when a resync
   * needed more filler than any honest frame, before `op` runs again.
   */
  private async retrying<T>(op: () => Promise<T>, onOverrun?: () => void): Promise<T> {
    // Resyncs that got no answer at all: the bootloader may still be reading a frame. A damaged
    // answer is not counted there: the bootloader framed SIGN_ON, so it was reading no frame.
    let silentResyncs = 0;
    let failedResyncs = 0;
    for (let attempt = 1; ; attempt++) {
      try {
        return await op();
      } catch (e) {
        if (!(e instanceof FlashError) || (e.code !== 'link-timeout' && e.code !== 'protocol-error') || attempt >= MAX_ATTEMPTS) throw e;
        this.logger.log('info', `STK500v2: ${e.technical ?? e.detail} Re-synchronising (attempt ${attempt + 1} of at most ${MAX_ATTEMPTS}).`);
        this.stats.resyncs++;
        // Silence may mean the bootloader still waits for the rest of a frame that lost a byte, or
        // whose size came in damaged: fill it up first, so that SIGN_ON is read as a frame.
        const filler = e.code === 'link-timeout' ? fillerBytes(silentResyncs) : 0;
        try {
          await this.resync(filler);
          // Only the long filler completed the frame: its size came in larger than the buffer, and
          // the bootloader wrote past it over its own variables (the erase counter among them).
          if (filler >= OVERRUN_FILLER) onOverrun?.();
          silentResyncs = 0;
          failedResyncs = 0;
        } catch (r) {
          if (!(r instanceof FlashError) || (r.code !== 'link-timeout' && r.code !== 'protocol-error')) throw r;
          if (r.code === 'link-timeout') silentResyncs++;
          if (++failedResyncs >= RETRIES) throw alsoResync(e, r);
        }
      }
    }
  }

  /**
   * The bootloader accepts sequence number 1 at any time; SIGN_ON with it realigns both sides. With
   * `filler`, that many zero bytes go first: they complete a frame the bootloader is still reading
   * (its checksum then fails and it waits for a new start byte, which zeros are not).
   */
  private async resync(filler: number): Promise<void> {
    const { link, signal } = this.opts;
    this.doing = 're-synchronising with the bootloader';
    let fillerMs = 0;
    if (filler > 0) {
      this.stats.bytesOut += filler;
      await link.write(fillerFor(this.lastFrame, filler));
      fillerMs = (filler * 10 * 1000) / (link.baud ?? 57600);
    }
    await link.drain(20, signal);
    this.decoder.reset();
    this.sequence = 1;
    await this.command(Uint8Array.of(K.CMD_SIGN_ON), Math.ceil(this.timer.timeoutMs + fillerMs));
  }

  /** Sends one command and returns the body of the matching answer, status checked. */
  private async command(body: Uint8Array, fixedTimeoutMs?: number, accept: readonly number[] = [K.STATUS_CMD_OK]): Promise<Uint8Array> {
    const { link, clock, signal } = this.opts;
    const timeoutMs = fixedTimeoutMs ?? this.timer.timeoutMs;
    const t0 = clock.now();
    const cmd = body[0] ?? 0;
    const seq = this.sequence;
    this.sequence = (this.sequence + 1) & 0xff;
    const frame = encodeFrame(seq, body);
    this.lastFrame = frame;
    if (this.logger.debug) this.logger.log('debug', `> ${NAMES[cmd] ?? cmd} seq ${seq}: ${hexBytes(body)}`);
    this.stats.roundTrips++;
    this.stats.bytesOut += frame.length;
    await link.write(frame);
    const deadline = clock.now() + timeoutMs;
    for (;;) {
      const left = deadline - clock.now();
      const timedOut = (): FlashError => {
        if (fixedTimeoutMs === undefined) this.timer.timedOut();
        return new FlashError('link-timeout', `No answer within ${timeoutMs} ms while ${this.doing}.`, {
          technical: `No answer to ${NAMES[cmd] ?? cmd} (0x${cmd.toString(16)}) within ${timeoutMs} ms.`,
        });
      };
      if (left <= 0) throw timedOut();
      const chunk = await link.readSome(1024, left, signal).catch((e: unknown) => {
        throw e instanceof FlashError && e.code === 'link-timeout' ? timedOut() : e;
      });
      this.stats.bytesIn += chunk.length;
      for (const f of this.decoder.push(chunk)) {
        if (f.kind !== 'frame') {
          throw new FlashError('protocol-error', `The bootloader's answer arrived damaged while ${this.doing}.`, {
            technical: `Damaged answer to ${NAMES[cmd] ?? cmd} (${f.kind}).`,
          });
        }
        if (f.sequence !== seq || f.body[0] !== cmd) continue; // a stale answer to an earlier command
        if (this.logger.debug) this.logger.log('debug', `< ${NAMES[cmd] ?? cmd} seq ${seq}: ${hexBytes(f.body)}`);
        const status = f.body[1];
        if (fixedTimeoutMs === undefined) this.timer.answered(clock.now() - t0);
        if (status === undefined || !accept.includes(status)) {
          throw new FlashError('protocol-error', `The bootloader refused a command while ${this.doing}.`, {
            technical: `${NAMES[cmd] ?? cmd} failed with status 0x${(status ?? 0).toString(16)}.`,
          });
        }
        return f.body;
      }
    }
  }
}
