// STK500v2 frames on a ByteLink: sequence numbers, the decoder, and answers matched to their command
// by sequence and command byte (an adapter may bring several in one transfer; stale ones are skipped).
import { FlashError } from '../errors.js';
import { hexBytes } from '../link/hexdump.js';
import type { ClientOptions, LinkStats, Logger } from '../programmer.js';
import type { Pacer } from '../pipeline/pacer.js';
import * as K from './constants.js';
import { encodeFrame, FrameDecoder, type DecodedFrame } from './frame.js';

export const NAMES: Record<number, string> = {
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

export class FrameWire {
  private sequence = 1;
  private readonly decoder = new FrameDecoder();
  /** Frames decoded and not yet looked at. */
  private readonly frames: DecodedFrame[] = [];
  /** The last frame sent, for the filler after a lost byte (stk500boot.ts). */
  lastFrame: Uint8Array = new Uint8Array(0);
  /** The last answer's start, from its command written (see Pacer.answerStart); NaN when unknown. */
  lastStartMs = NaN;
  private sentAt = 0;
  private received = 0;
  private startAt = Infinity;

  constructor(
    private readonly opts: ClientOptions,
    private readonly logger: Logger,
    private readonly stats: LinkStats,
    private readonly pacer: Pacer,
    /** What the client is doing, for error messages. */
    private readonly doing: () => string,
  ) {}

  /** Sequence number 1 next, nothing half-decoded kept (a probe or resync). */
  restart(): void {
    this.sequence = 1;
    this.decoder.reset();
    this.frames.length = 0;
  }

  /**
   * Writes `body` as the next frame, after `lead` bytes of 0x00 (which stk500boot skips while it
   * waits for a frame to start); returns its sequence number.
   */
  async sendFrame(body: Uint8Array, lead = 0): Promise<number> {
    const seq = this.sequence;
    this.sequence = (seq + 1) & 0xff;
    this.pacer.turnarounds.sending(this.opts.clock.now());
    const frame = encodeFrame(seq, body);
    this.lastFrame = frame;
    if (this.logger.debug) this.logger.log('debug', `> ${lead > 0 ? `${lead} x 00, ` : ''}${NAMES[body[0] ?? 0] ?? body[0]} seq ${seq}: ${hexBytes(body)}`);
    this.stats.roundTrips++;
    this.stats.bytesOut += lead + frame.length;
    if (lead > 0) {
      const led = new Uint8Array(lead + frame.length);
      led.set(frame, lead);
      await this.opts.link.write(led);
    } else await this.opts.link.write(frame);
    this.sentAt = this.opts.clock.now();
    this.received = 0;
    this.startAt = Infinity;
    return seq;
  }

  /**
   * The body of the answer with sequence `seq` to `cmd`, waiting at most `ms`; null when the wait ran
   * out (bytes read so far are kept). Answers to earlier commands are skipped; a damaged one is a
   * protocol-error. The status is not checked.
   */
  async answerTo(seq: number, cmd: number, ms: number): Promise<Uint8Array | null> {
    const { link, clock, signal } = this.opts;
    const deadline = clock.now() + ms;
    for (let first = true; ; first = false) {
      for (let f = this.frames.shift(); f; f = this.frames.shift()) {
        if (f.kind !== 'frame') {
          throw new FlashError('protocol-error', `The bootloader's answer arrived damaged while ${this.doing()}.`, {
            technical: `Damaged answer to ${NAMES[cmd] ?? cmd} (${f.kind}).`,
          });
        }
        if (f.sequence !== seq || f.body[0] !== cmd) continue; // a stale answer to an earlier command
        this.pacer.turnarounds.answerArrived(link.lastReceivedAt ?? clock.now());
        this.lastStartMs = this.startAt - this.sentAt;
        if (this.logger.debug) this.logger.log('debug', `< ${NAMES[cmd] ?? cmd} seq ${seq}: ${hexBytes(f.body)}`);
        return f.body;
      }
      const left = deadline - clock.now();
      if (left <= 0 && !first) return null;
      const chunk = await link.readSome(1024, Math.max(0, left), signal).catch((e: unknown) => {
        if (e instanceof FlashError && e.code === 'link-timeout') return null;
        throw e;
      });
      if (!chunk) return null;
      this.stats.bytesIn += chunk.length;
      // A chunk cannot come before its last byte left the board: a bound on when the answer began
      // (no earlier than it did, counted at the fastest rate).
      this.received += chunk.length;
      this.startAt = Math.min(this.startAt, clock.now() - this.received * (this.pacer.fastestByteMs ?? 0));
      for (const f of this.decoder.push(chunk)) this.frames.push(f);
    }
  }

  /** Bytes of the next answer in (decoded, half decoded, or waiting in the link; a whole frame counts as all of it). */
  get answerBytesIn(): number {
    return this.frames.length > 0 ? Infinity : this.decoder.partialBytes + (this.opts.link.available ?? 0);
  }

  /** When the last bytes came, on the link's clock (now, when the link cannot tell). */
  get lastReceivedAt(): number {
    return this.opts.link.lastReceivedAt ?? this.opts.clock.now();
  }

  /** A READ_FLASH_ISP answer must carry the whole block. */
  checkReadSize(r: Uint8Array, block: number): void {
    if (r.length !== block + 3) {
      throw new FlashError('protocol-error', `The bootloader sent a page of the wrong size while ${this.doing()}.`, {
        technical: `READ_FLASH_ISP returned ${r.length - 3} bytes, expected ${block}.`,
      });
    }
  }

  /** The answer's status must be one of `accept`. */
  checkStatus(answer: Uint8Array, accept: readonly number[] = [K.STATUS_CMD_OK]): void {
    const status = answer[1];
    if (status === undefined || !accept.includes(status)) {
      const cmd = answer[0] ?? 0;
      throw new FlashError('protocol-error', `The bootloader refused a command while ${this.doing()}.`, {
        technical: `${NAMES[cmd] ?? cmd} failed with status 0x${(status ?? 0).toString(16)}.`,
      });
    }
  }
}
