// Self-programming (SPM) for avr8js, which decodes SPM as a no-op. Follows the datasheet chapter
// "Boot Loader Support – Read-While-Write Self-Programming": SPMCSR arms a command for four cycles;
// SPMEN alone fills the temporary page buffer; PGERS erases and PGWRT writes the page at RAMPZ:Z;
// both take `opMs` with SPMEN held; an operation on the RWW section sets RWWSB (cleared by
// RWWSRE) and lets the CPU run, one on the NRWW section halts it. Only code in the boot section may SPM.
// Erasing or writing the boot section itself is refused, as Arduino's lock bits (0x0F: BLB1 mode 3)
// make the hardware do.

export const SPMEN = 0x01;
export const PGERS = 0x02;
export const PGWRT = 0x04;
export const BLBSET = 0x08;
export const RWWSRE = 0x10;
export const SIGRD = 0x20;
export const RWWSB = 0x40;

export interface SpmHost {
  readonly flash: Uint8Array;
  readonly pageBytes: number;
  readonly nrwwStart: number;
  readonly bootStart: number;
  readonly cyclesPerMs: number;
}

export interface SpmResult {
  /** Cycle at which the operation ends (SPMEN clears), or 0 when nothing is pending. */
  readonly busyUntil: number;
  /** Whether the CPU halts until then (operation on the NRWW section). */
  readonly halt: boolean;
}

export class SpmUnit {
  private readonly buffer: Uint8Array;
  private armedAt = -Infinity;
  /** The SPMCSR value as software reads it. */
  spmcsr = 0;
  busyUntil = 0;
  eraseMs = 4;
  writeMs = 4;
  /** Worn-out cells for tests: byte address -> bits that read 0 whatever is written or erased. */
  readonly stuckLow = new Map<number, number>();
  /** Counts for tests: operations performed and refused. */
  readonly counts = { fills: 0, erases: 0, writes: 0, refused: 0 };

  constructor(private readonly host: SpmHost) {
    this.buffer = new Uint8Array(host.pageBytes).fill(0xff);
  }

  /** Software wrote SPMCSR. */
  write(value: number, cycles: number): void {
    if (cycles < this.busyUntil) return; // ignored while an operation runs
    this.spmcsr = (this.spmcsr & RWWSB) | (value & 0xbf);
    this.armedAt = cycles;
  }

  /** The CPU executes SPM with Z (incl. RAMPZ) = `z` and R1:R0 = `word`, from byte address `pcByte`. */
  execute(z: number, word: number, pcByte: number, cycles: number): SpmResult {
    const cmd = this.spmcsr & 0x3f;
    const armed = cycles - this.armedAt <= 6 && cmd & SPMEN;
    this.armedAt = -Infinity;
    if (!armed || pcByte < this.host.bootStart || cycles < this.busyUntil) {
      this.counts.refused++;
      this.spmcsr &= ~0x3f;
      return { busyUntil: 0, halt: false };
    }
    const page = z & ~(this.host.pageBytes - 1) & (this.host.flash.length - 1);
    const op = cmd & ~SPMEN;
    if ((op === PGERS || op === PGWRT) && page >= this.host.bootStart) {
      this.counts.refused++;
      this.spmcsr &= RWWSB;
      if (op === PGWRT) this.buffer.fill(0xff);
      return { busyUntil: 0, halt: false };
    }
    const ms = (cmd & ~SPMEN) === PGERS ? this.eraseMs : (cmd & ~SPMEN) === PGWRT ? this.writeMs : 0;
    switch (cmd & ~SPMEN) {
      case 0: {
        const i = z & (this.host.pageBytes - 1) & ~1;
        this.buffer[i] = word & 0xff;
        this.buffer[i + 1] = word >> 8;
        this.counts.fills++;
        this.spmcsr &= RWWSB;
        return { busyUntil: 0, halt: false };
      }
      case PGERS:
        this.host.flash.fill(0xff, page, page + this.host.pageBytes);
        this.counts.erases++;
        break;
      case PGWRT:
        for (let i = 0; i < this.host.pageBytes; i++) {
          const at = page + i;
          this.host.flash[at] = (this.host.flash[at] ?? 0xff) & (this.buffer[i] ?? 0xff);
        }
        this.buffer.fill(0xff);
        this.counts.writes++;
        break;
      case RWWSRE:
        this.spmcsr = 0;
        this.buffer.fill(0xff);
        return { busyUntil: 0, halt: false };
      default:
        // BLBSET / SIGRD: lock bits and signature row are not modelled; nothing changes.
        this.spmcsr &= RWWSB;
        return { busyUntil: 0, halt: false };
    }
    for (const [at, bits] of this.stuckLow) {
      if (at >= page && at < page + this.host.pageBytes) this.host.flash[at] = (this.host.flash[at] ?? 0xff) & ~bits;
    }
    const rww = page < this.host.nrwwStart;
    this.busyUntil = cycles + Math.round(ms * this.host.cyclesPerMs);
    if (rww) this.spmcsr |= RWWSB;
    return { busyUntil: this.busyUntil, halt: !rww };
  }

  /** Called once the operation's time is up. */
  finish(): void {
    this.busyUntil = 0;
    this.spmcsr &= RWWSB;
  }
}
