// STK500v2 client for the 'wiring' bootloader (stk500boot.c on ATmega2560/1280), per AVR068.
// One LOAD_ADDRESS per contiguous pass: the bootloader auto-increments after each block. Damaged or
// lost answers are retried a bounded number of times after a resync (SIGN_ON with sequence 1).
import { FlashError } from '../errors.js';
import { hexBytes } from '../link/hexdump.js';
import { SILENT, type ClientOptions, type FlashGeometry, type LinkStats, type Logger, type Programmer } from '../programmer.js';
import { retryAfterResync } from '../retry.js';
import * as K from './constants.js';
import { encodeFrame, FrameDecoder } from './frame.js';

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

/**
 * stk500boot.c never erases from APP_END (FLASHEND + 1 - 2 * BOOTSIZE, BOOTSIZE 8 KiB above 60 KiB
 * of flash, else 2 KiB) up to the bootloader: pages there are written over whatever they held.
 */
export function neverErasedRegion(flashBytes: number): { readonly start: number; readonly end: number } {
  const bootSize = flashBytes > 0xf000 ? 8192 : 2048;
  return { start: flashBytes - 2 * bootSize, end: flashBytes - bootSize };
}

/** Largest block per PROGRAM/READ_FLASH_ISP: the bootloader buffers a 285-byte body. */
const BLOCK = 256;
/** Within a probe, how long to wait for SIGN_ON's answer before sending it again. */
const PROBE_RESEND_MS = 250;

export class Stk500v2Client implements Programmer {
  readonly protocol = 'stk500v2' as const;
  readonly stats: LinkStats = { roundTrips: 0, bytesOut: 0, bytesIn: 0, resyncs: 0 };
  /** Pages are erased by a counter that runs from 0, not at the loaded address (FIELD-NOTES). */
  readonly erasesInOrder = true;
  private sequence = 1;
  private readonly decoder = new FrameDecoder();
  private readonly logger: Logger;
  private readonly timeoutMs: number;

  constructor(private readonly opts: ClientOptions) {
    this.logger = opts.logger ?? SILENT;
    this.timeoutMs = opts.commandTimeoutMs ?? 1000;
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
    await this.retrying(() => this.command(Uint8Array.of(K.CMD_CHIP_ERASE_ISP, 0x00, 0x00, 0xac, 0x80, 0x00, 0x00), this.timeoutMs, [K.STATUS_CMD_OK, K.STATUS_CMD_FAILED]));
  }

  async readSignature(): Promise<Uint8Array> {
    const sig = new Uint8Array(3);
    for (let i = 0; i < 3; i++) {
      const body = await this.retrying(() => this.command(Uint8Array.of(K.CMD_READ_SIGNATURE_ISP, 0, 0x30, 0, i, 0)));
      sig[i] = body[2] ?? 0;
    }
    return sig;
  }

  async enterProgramming(): Promise<void> {
    // Timing fields as avrdude sends them for the ATmega2560; the bootloader ignores them.
    const body = Uint8Array.of(K.CMD_ENTER_PROGMODE_ISP, 0xc8, 0x64, 0x19, 0x20, 0x00, 0x53, 0x03, 0xac, 0x53, 0x00, 0x00);
    await this.retrying(() => this.command(body));
  }

  async leaveProgramming(): Promise<void> {
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
      await this.retrying(async () => {
        if (!addressValid) await this.loadAddress(address, g);
        addressValid = false;
        await this.command(body);
        addressValid = true;
      });
      onPage(address + block - start);
    }
  }

  async readFlash(start: number, end: number, g: FlashGeometry, onPage: (address: number, data: Uint8Array) => void): Promise<void> {
    const block = Math.min(BLOCK, g.pageBytes);
    const request = Uint8Array.of(K.CMD_READ_FLASH_ISP, block >> 8, block & 0xff, 0x20);
    let addressValid = false;
    for (let address = start; address < end; address += block) {
      const reply = await this.retrying(async () => {
        if (!addressValid) await this.loadAddress(address, g);
        addressValid = false;
        const r = await this.command(request);
        if (r.length !== block + 3) throw new FlashError('protocol-error', `READ_FLASH_ISP returned ${r.length - 3} bytes, expected ${block}.`);
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

  /** Runs `op`, and after a lost or damaged answer re-synchronises and runs it again, a bounded number of times. */
  private retrying<T>(op: () => Promise<T>): Promise<T> {
    return retryAfterResync(op, { name: 'STK500v2', logger: this.logger, stats: this.stats, resync: () => this.resync() });
  }

  /** The bootloader accepts sequence number 1 at any time; SIGN_ON with it realigns both sides. */
  private async resync(): Promise<void> {
    await this.opts.link.drain(20, this.opts.signal);
    this.decoder.reset();
    this.sequence = 1;
    await this.command(Uint8Array.of(K.CMD_SIGN_ON));
  }

  /** Sends one command and returns the body of the matching answer, status checked. */
  private async command(body: Uint8Array, timeoutMs = this.timeoutMs, accept: readonly number[] = [K.STATUS_CMD_OK]): Promise<Uint8Array> {
    const { link, clock, signal } = this.opts;
    const cmd = body[0] ?? 0;
    const seq = this.sequence;
    this.sequence = (this.sequence + 1) & 0xff;
    const frame = encodeFrame(seq, body);
    if (this.logger.debug) this.logger.log('debug', `> ${NAMES[cmd] ?? cmd} seq ${seq}: ${hexBytes(body)}`);
    this.stats.roundTrips++;
    this.stats.bytesOut += frame.length;
    await link.write(frame);
    const deadline = clock.now() + timeoutMs;
    for (;;) {
      const left = deadline - clock.now();
      if (left <= 0) throw new FlashError('link-timeout', `No answer to ${NAMES[cmd] ?? cmd} within ${timeoutMs} ms.`);
      const chunk = await link.readSome(1024, left, signal).catch((e: unknown) => {
        if (e instanceof FlashError && e.code === 'link-timeout') {
          throw new FlashError('link-timeout', `No answer to ${NAMES[cmd] ?? cmd} within ${timeoutMs} ms.`);
        }
        throw e;
      });
      this.stats.bytesIn += chunk.length;
      for (const f of this.decoder.push(chunk)) {
        if (f.kind !== 'frame') {
          throw new FlashError('protocol-error', `Damaged answer to ${NAMES[cmd] ?? cmd} (${f.kind}).`);
        }
        if (f.sequence !== seq || f.body[0] !== cmd) continue; // a stale answer to an earlier command
        if (this.logger.debug) this.logger.log('debug', `< ${NAMES[cmd] ?? cmd} seq ${seq}: ${hexBytes(f.body)}`);
        const status = f.body[1];
        if (status === undefined || !accept.includes(status)) {
          throw new FlashError('protocol-error', `${NAMES[cmd] ?? cmd} failed with status 0x${(status ?? 0).toString(16)}.`);
        }
        return f.body;
      }
    }
  }
}
