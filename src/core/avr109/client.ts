// AVR109 client for Caterina (ATmega32U4: Leonardo, Micro, Pro Micro, LilyPad USB, Esplora, Prusa
// MMU2), per the command set Caterina.c implements (constants.ts). One 'A' (word address) starts a
// contiguous pass; the bootloader's address then increments by itself, so each page costs one round
// trip: 'B' size 'F' data -> '\r' (Caterina erases the page at the block's start, fills and writes it)
// or 'g' size 'F' -> data. AVR109 has no sync command: after a lost or damaged answer the client sends
// ESC fillers (ignored by Caterina, consumed as data by a half-received block), drains, and asks 'S'.
import { FlashError } from '../errors.js';
import { hexBytes } from '../link/hexdump.js';
import { SILENT, type ClientOptions, type FlashGeometry, type LinkStats, type Logger, type Programmer } from '../programmer.js';
import { retryAfterResync } from '../retry.js';
import * as K from './constants.js';

/** A 128-byte block is about 2 ms of USB traffic plus 8 ms of erase and write. */
const COMMAND_TIMEOUT_MS = 500;
/** 'A' carries a 16-bit word address: 128 KiB at most. */
const MAX_ADDRESS = 0x20000;

export class Avr109Client implements Programmer {
  readonly protocol = 'avr109' as const;
  readonly stats: LinkStats = { roundTrips: 0, bytesOut: 0, bytesIn: 0, resyncs: 0 };
  /** Caterina erases each block's page at its own address. */
  readonly erasesInOrder = false;
  private readonly logger: Logger;
  private readonly timeoutMs: number;
  /** The bootloader's address counter as far as the client knows it; -1 when unknown. */
  private nextAddress = -1;
  private blockBytes = 0;

  constructor(private readonly opts: ClientOptions) {
    this.logger = opts.logger ?? SILENT;
    this.timeoutMs = opts.commandTimeoutMs ?? COMMAND_TIMEOUT_MS;
  }

  /** Asks for the software identifier ('S'); resolves with it ("CATERIN"). */
  async probe(timeoutMs: number): Promise<string> {
    await this.opts.link.drain(0, this.opts.signal);
    const id = await this.exchange(Uint8Array.of(K.Cmd_ReturnSoftwareId), K.SOFTWARE_ID_BYTES, timeoutMs);
    if (!id.every((b) => b >= 0x20 && b < 0x7f) || id[0] === K.UNKNOWN) {
      throw new FlashError('protocol-error', `Answer ${hexBytes(id)} to 'S' is not an AVR109 software identifier.`);
    }
    return String.fromCharCode(...id);
  }

  async restartErase(): Promise<void> {
    /* Each block erases its own page: nothing to restart. */
  }

  /** 's' answers the signature last byte first. */
  async readSignature(): Promise<Uint8Array> {
    const s = await this.retrying(() => this.exchange(Uint8Array.of(K.Cmd_ReadSignature), 3));
    return Uint8Array.of(s[2] ?? 0, s[1] ?? 0, s[0] ?? 0);
  }

  /** Checks block support ('b': 'Y' and the block size), then 'P'. */
  async enterProgramming(): Promise<void> {
    const b = await this.retrying(() => this.exchange(Uint8Array.of(K.Cmd_CheckBlockSupport), 3));
    if (b[0] !== 0x59) throw new FlashError('protocol-error', `The bootloader has no block mode (answer ${hexBytes(b)} to 'b').`);
    this.blockBytes = ((b[1] ?? 0) << 8) | (b[2] ?? 0);
    await this.retrying(() => this.command(Uint8Array.of(K.Cmd_EnterProgMode)));
  }

  /** 'L' then 'E': Caterina starts the application 500 ms after 'E'. */
  async leaveProgramming(): Promise<void> {
    await this.command(Uint8Array.of(K.Cmd_LeaveProgMode));
    await this.command(Uint8Array.of(K.Cmd_ExitBootloader));
  }

  async writeFlash(bytes: Uint8Array, start: number, end: number, g: FlashGeometry, onPage: (done: number) => void): Promise<void> {
    const n = this.checkGeometry(end, g);
    const block = new Uint8Array(n + 4);
    block.set([K.Cmd_StartBlockLoad, n >> 8, n & 0xff, K.MEM_FLASH]);
    for (let address = start; address < end; address += n) {
      const data = bytes.subarray(address, address + n);
      if (data.length < n) block.fill(0xff, 4);
      block.set(data, 4);
      await this.retrying(async () => {
        await this.addressed(address, block, 0);
      });
      onPage(address + n - start);
    }
  }

  /**
   * The 'A' address command carries no checksum, but Caterina speaks over the chip's own USB, whose
   * packets do (CRC16, retried by the host controller): a damaged address does not get through.
   */
  misdirectTargets(): readonly number[] {
    return [];
  }

  async readFlash(start: number, end: number, g: FlashGeometry, onPage: (address: number, data: Uint8Array) => void): Promise<void> {
    const n = this.checkGeometry(end, g);
    const read = Uint8Array.of(K.Cmd_StartBlockRead, n >> 8, n & 0xff, K.MEM_FLASH);
    for (let address = start; address < end; address += n) {
      const data = await this.retrying(() => this.addressed(address, read, n));
      onPage(address, data);
    }
  }

  /** The block is one page: Caterina erases the page where a block starts, so a block must not span two. */
  private checkGeometry(end: number, g: FlashGeometry): number {
    if (end > MAX_ADDRESS) throw new FlashError('image-too-large', `AVR109's 'A' command reaches 128 KiB; the range ends at 0x${end.toString(16)}.`);
    if (this.blockBytes !== 0 && this.blockBytes !== g.pageBytes) {
      throw new FlashError('protocol-error', `The bootloader's block size is ${this.blockBytes} bytes; this chip's page is ${g.pageBytes}.`);
    }
    return g.pageBytes;
  }

  /**
   * Sends `command` for `address`, preceded by 'A' when the bootloader's counter is elsewhere (both
   * in one write), and returns the command's `payload` bytes; a write answers '\r' instead.
   */
  private async addressed(address: number, command: Uint8Array, payload: number): Promise<Uint8Array> {
    const setAddress = address !== this.nextAddress;
    const word = address >>> 1;
    const out = setAddress ? new Uint8Array(3 + command.length) : command;
    if (setAddress) {
      out.set([K.Cmd_SetAddress, (word >> 8) & 0xff, word & 0xff]);
      out.set(command, 3);
    }
    this.nextAddress = -1;
    const answer = await this.exchange(out, (setAddress ? 1 : 0) + (payload || 1));
    if (setAddress && answer[0] !== K.CR) throw this.badAnswer(answer, K.Cmd_SetAddress);
    const data = answer.subarray(setAddress ? 1 : 0);
    if (payload === 0 && data[0] !== K.CR) throw this.badAnswer(data, command[0] ?? 0);
    this.nextAddress = address + (command[0] === K.Cmd_StartBlockLoad ? command.length - 4 : payload);
    return data;
  }

  /** A command answered by '\r' alone. */
  private async command(out: Uint8Array): Promise<void> {
    const a = await this.exchange(out, 1);
    if (a[0] !== K.CR) throw this.badAnswer(a, out[0] ?? 0);
  }

  private badAnswer(answer: Uint8Array, command: number): FlashError {
    return new FlashError('protocol-error', `Answer ${hexBytes(answer)} to '${String.fromCharCode(command)}' is not '\\r' (0d).`);
  }

  private retrying<T>(op: () => Promise<T>): Promise<T> {
    return retryAfterResync(op, { name: 'AVR109', logger: this.logger, stats: this.stats, resync: () => this.resync() });
  }

  /** Completes any half-received block with ESC fillers, drops what comes back, and checks that 'S' is answered. */
  private async resync(): Promise<void> {
    const { link, signal } = this.opts;
    this.nextAddress = -1;
    const fill = new Uint8Array(Math.max(this.blockBytes, 256) + 4).fill(K.ESC);
    this.stats.bytesOut += fill.length;
    await link.write(fill);
    await link.drain(50, signal);
    await this.probe(this.timeoutMs);
  }

  /** Writes `out` and reads exactly `size` answer bytes within the deadline. */
  private async exchange(out: Uint8Array, size: number, timeoutMs = this.timeoutMs): Promise<Uint8Array> {
    const { link, signal } = this.opts;
    if (this.logger.debug) this.logger.log('debug', `> ${hexBytes(out)}`);
    this.stats.roundTrips++;
    this.stats.bytesOut += out.length;
    await link.write(out);
    const answer = await link.read(size, timeoutMs, signal).catch((e: unknown) => {
      if (e instanceof FlashError && e.code === 'link-timeout') {
        throw new FlashError('link-timeout', `No answer to '${String.fromCharCode(out[0] ?? 0)}' within ${timeoutMs} ms.`);
      }
      throw e;
    });
    this.stats.bytesIn += answer.length;
    if (this.logger.debug) this.logger.log('debug', `< ${hexBytes(answer)}`);
    return answer;
  }
}
