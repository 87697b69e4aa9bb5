// Decodes what a host sent to an emulated board into bootloader commands, for tests that must show
// which flash addresses were requested: STK500v2 frames (LOAD_ADDRESS, then READ_FLASH_ISP or
// PROGRAM_FLASH_ISP, which advance the address) and STK500v1 commands ('U' LOAD_ADDRESS, 'V' the
// extended address byte, 't' READ_PAGE, 'd' PROG_PAGE). Bytes that are neither (another protocol's
// probe, filler) are skipped one at a time. Pure: runs in Node and in the browser bundle.
import { MAX_IN_FLIGHT } from '../../src/core/pipeline/pacer.js';
import * as V1 from '../../src/core/stk500v1/constants.js';
import * as V2 from '../../src/core/stk500v2/constants.js';

export interface FlashAccess {
  readonly protocol: 'stk500v1' | 'stk500v2';
  readonly op: 'read' | 'write';
  /** Byte address. */
  readonly address: number;
  readonly length: number;
}

/** Fixed lengths of the STK500v1 commands a host sends (PROG_PAGE carries its data on top). */
const V1_LENGTHS: ReadonlyMap<number, number> = new Map([
  [V1.Cmnd_STK_GET_SYNC, 2],
  [V1.Cmnd_STK_GET_PARAMETER, 3],
  [0x42, 22], // SET_DEVICE
  [0x45, 7], // SET_DEVICE_EXT
  [V1.Cmnd_STK_ENTER_PROGMODE, 2],
  [V1.Cmnd_STK_LEAVE_PROGMODE, 2],
  [V1.Cmnd_STK_LOAD_ADDRESS, 4],
  [V1.Cmnd_STK_UNIVERSAL, 6],
  [V1.Cmnd_STK_READ_SIGN, 2],
  [V1.Cmnd_STK_READ_PAGE, 5],
  [V1.Cmnd_STK_PROG_PAGE, 5],
]);

export class CommandLog {
  readonly accesses: FlashAccess[] = [];
  /** Commands decoded, of either protocol. */
  commands = 0;
  private buf = new Uint8Array(0);
  private v2Address = 0;
  private v1Word = 0;
  private v1Extended = 0;

  get reads(): FlashAccess[] {
    return this.accesses.filter((a) => a.op === 'read');
  }

  push(bytes: Uint8Array): void {
    const next = new Uint8Array(this.buf.length + bytes.length);
    next.set(this.buf);
    next.set(bytes, this.buf.length);
    let i = 0;
    while (i < next.length) {
      const v2 = this.v2At(next, i);
      const used = v2 === 0 ? this.v1At(next, i) : v2;
      if (used === null) break; // a command may be complete once more bytes arrive
      i += used === 0 ? 1 : used;
    }
    this.buf = next.slice(i);
  }

  /** Bytes of a whole command at `i`; 0 when none starts there; null when one may, given more bytes. */
  private v2At(b: Uint8Array, i: number): number | null {
    if (b[i] !== V2.MESSAGE_START) return 0;
    if (b.length - i < 5) return null;
    const size = ((b[i + 2] ?? 0) << 8) | (b[i + 3] ?? 0);
    if (b[i + 4] !== V2.TOKEN || size === 0 || size > V2.MAX_BODY) return 0;
    if (b.length - i < 6 + size) return null;
    let x = 0;
    for (let k = i; k < i + 6 + size; k++) x ^= b[k] ?? 0;
    if (x !== 0) return 0;
    const body = b.subarray(i + 5, i + 5 + size);
    const cmd = body[0];
    const len = ((body[1] ?? 0) << 8) | (body[2] ?? 0);
    if (cmd === V2.CMD_LOAD_ADDRESS) {
      const word = (((body[1] ?? 0) << 24) | ((body[2] ?? 0) << 16) | ((body[3] ?? 0) << 8) | (body[4] ?? 0)) & 0x7fffffff;
      this.v2Address = word * 2;
    } else if (cmd === V2.CMD_READ_FLASH_ISP || cmd === V2.CMD_PROGRAM_FLASH_ISP) {
      this.accesses.push({ protocol: 'stk500v2', op: cmd === V2.CMD_READ_FLASH_ISP ? 'read' : 'write', address: this.v2Address, length: len });
      this.v2Address += len;
    }
    this.commands++;
    return 6 + size;
  }

  private v1At(b: Uint8Array, i: number): number | null {
    const cmd = b[i] ?? 0;
    const fixed = V1_LENGTHS.get(cmd);
    if (fixed === undefined) return 0;
    if (b.length - i < Math.max(fixed, 4)) return null;
    const len = ((b[i + 1] ?? 0) << 8) | (b[i + 2] ?? 0);
    const paged = cmd === V1.Cmnd_STK_READ_PAGE || cmd === V1.Cmnd_STK_PROG_PAGE;
    if (paged && (len > 512 || (b[i + 3] !== V1.MEMTYPE_FLASH && b[i + 3] !== 0x45))) return 0;
    const total = cmd === V1.Cmnd_STK_PROG_PAGE ? fixed + len : fixed;
    if (b.length - i < total) return null;
    if (b[i + total - 1] !== V1.Sync_CRC_EOP) return 0;
    if (cmd === V1.Cmnd_STK_LOAD_ADDRESS) this.v1Word = (b[i + 1] ?? 0) | ((b[i + 2] ?? 0) << 8);
    else if (cmd === V1.Cmnd_STK_UNIVERSAL && b[i + 1] === V1.ISP_LOAD_EXTENDED_ADDRESS) this.v1Extended = b[i + 3] ?? 0;
    else if (paged && b[i + 3] === V1.MEMTYPE_FLASH) {
      const op = cmd === V1.Cmnd_STK_READ_PAGE ? 'read' : 'write';
      this.accesses.push({ protocol: 'stk500v1', op, address: this.v1Extended * 0x20000 + this.v1Word * 2, length: len });
    }
    this.commands++;
    return total;
  }
}

/** Records every byte the host writes to `board` (its hostWrite) into a CommandLog. */
export function recordHostCommands(board: { hostWrite(bytes: Uint8Array, baud: number): void }): CommandLog {
  const log = new CommandLog();
  const write = board.hostWrite.bind(board);
  board.hostWrite = (bytes, baud) => {
    log.push(bytes);
    write(bytes, baud);
  };
  return log;
}

/** Accesses reaching `from` or above (the bootloader section). */
export function accessesFrom(log: CommandLog, from: number): FlashAccess[] {
  return log.accesses.filter((a) => a.address + a.length > from);
}

/**
 * The bytes `reads` covered, each counted once, and the addresses read more than once: a pipelined
 * session reads page 0 a few times to learn the link (core/pipeline); see unexplainedRepeats.
 */
export function readCoverage(reads: readonly FlashAccess[]): { readonly bytes: number; readonly repeatedAt: readonly number[] } {
  const seen = new Set<number>();
  const repeated = new Set<number>();
  let bytes = 0;
  for (const r of reads) {
    if (seen.has(r.address)) repeated.add(r.address);
    else bytes += r.length;
    seen.add(r.address);
  }
  return { bytes, repeatedAt: [...repeated] };
}

/**
 * Repeats (page 0 aside) that no recovery explains: after each lost, late or damaged answer the log
 * tells of, the pages still in flight (MAX_IN_FLIGHT) may be read again; nothing else.
 */
export function unexplainedRepeats(repeatedAt: readonly number[], log: string): number[] {
  const recoveries = (log.match(/one command at a time|Re-synchronising|Resetting the board/g) ?? []).length;
  const others = repeatedAt.filter((a) => a !== 0);
  return others.length <= recoveries * MAX_IN_FLIGHT ? [] : others;
}
