// Skips a bootloader's polling loops (wait for a byte, for the UART to send one, for SPM to finish)
// without changing a cycle of what the MCU does: nearly all of an emulated bootloader's instructions
// are such loops, and at real time the CPU emulation on a slow machine fell hundreds of ms behind.
// A loop qualifies when its body only reads registers that change at events (a UART's status, SPMCSR)
// and works on CPU registers, and one whole turn, with no event inside it, left every register, SREG
// and SP as they were: each later turn then does the same until the next event (a clock event, a byte
// arriving, SPM done), so time jumps by whole turns to just before it, as if they had run.
// Erased flash (0xFFFF, which avr8js runs as a one-cycle no-op after trying every other opcode),
// which a bootloader's jump to an empty application sweeps through, is crossed the same way.

/** Longest loop body looked at, in words. */
const MAX_BODY_WORDS = 8;
/** Registers r0-r31, then SPL, SPH and SREG at 0x5d-0x5f. */
const SNAPSHOT = [...Array.from({ length: 32 }, (_, i) => i), 0x5d, 0x5e, 0x5f];

export interface IdleCpu {
  pc: number;
  cycles: number;
  readonly data: Uint8Array;
  readonly progMem: Uint16Array;
}

/** What an opcode does, for a loop body: 'ok' (registers only or a readable register), 'read2' (LDS, two words), or 'no'. */
function classify(op: number, next: number, readable: ReadonlySet<number>): 'ok' | 'read2' | 'no' {
  if ((op & 0xfe0f) === 0x9000) return readable.has(next) ? 'read2' : 'no'; // LDS Rd, k
  if ((op & 0xf800) === 0xb000) return readable.has((((op >> 5) & 0x30) | (op & 0xf)) + 0x20) ? 'ok' : 'no'; // IN Rd, A
  if ((op & 0xfd00) === 0x9900) return readable.has(((op >> 3) & 0x1f) + 0x20) ? 'ok' : 'no'; // SBIC / SBIS A, b
  if ((op & 0xfc08) === 0xfc00) return 'ok'; // SBRC / SBRS
  if ((op & 0xf000) === 0xc000) return 'ok'; // RJMP
  if ((op & 0xf800) === 0xf000 || (op & 0xf800) === 0xf400) return 'ok'; // BRBS / BRBC
  if ((op & 0xf000) === 0x7000 || (op & 0xf000) === 0x3000) return 'ok'; // ANDI, CPI
  if ((op & 0xfc00) === 0x1400 || (op & 0xfc00) === 0x0400 || (op & 0xfc00) === 0x2000) return 'ok'; // CP, CPC, AND
  return op === 0 ? 'ok' : 'no'; // NOP
}

export class IdleSkip {
  /** The loop being checked: its first and last word (its back jump); -1 while none. The board forgets it once the PC leaves. */
  head = -1;
  last = -1;
  private readonly saved = new Uint8Array(SNAPSHOT.length);
  private savedAt = 0;
  /** The next event as known when the turn being checked began: a turn with an event inside proves nothing. */
  private savedBefore = 0;
  /** Loop heads already looked at (program memory under them does not change: the bootloader's own section). */
  private readonly verdicts = new Map<number, boolean>();
  /** Loops and erased runs skipped, and the cycles they took, for the board's stats. */
  readonly stats = { skips: 0, cycles: 0 };
  private steady = false;

  /** `readable`: data addresses a loop may read (they change only at events). */
  constructor(private readonly readable: ReadonlySet<number>) {}

  /**
   * The last turn of the loop being checked proved it idle, and no event has come since (one may have
   * changed what the loop reads): until the next event the CPU does nothing else.
   */
  steadyAt(cycles: number): boolean {
    return this.steady && cycles < this.savedBefore;
  }

  /** Forget the loop being checked (a new slice, a reset, a write that may have changed the events). */
  forget(): void {
    this.head = -1;
    this.last = -1;
    this.steady = false;
  }

  /** Program memory changed (SPM): verdicts on loops there no longer hold. */
  flashChanged(): void {
    this.verdicts.clear();
    this.forget();
  }

  /**
   * After an instruction (and its tick) that jumped back from `from` to cpu.pc: moves cpu.cycles on by
   * the whole turns of a proven idle loop that end no later than `until` and than `nextEvent`; true if it did.
   */
  afterBackJump(cpu: IdleCpu, from: number, nextEvent: number, until: number): boolean {
    const pc = cpu.pc;
    if (from - pc > MAX_BODY_WORDS) {
      this.forget();
      return false;
    }
    if (pc !== this.head || from !== this.last) {
      if (!this.qualifies(cpu, pc, from)) {
        this.forget();
        return false;
      }
      this.head = pc;
      this.last = from;
      this.save(cpu, nextEvent);
      return false;
    }
    if (cpu.cycles >= this.savedBefore || !this.unchanged(cpu)) {
      this.save(cpu, nextEvent);
      this.steady = false;
      return false;
    }
    this.steady = true;
    const turn = cpu.cycles - this.savedAt;
    const turns = Math.floor((Math.min(nextEvent, until) - cpu.cycles) / turn);
    this.savedAt = cpu.cycles;
    if (turns <= 0) return false;
    cpu.cycles += turns * turn;
    this.savedAt = cpu.cycles;
    this.stats.skips++;
    this.stats.cycles += turns * turn;
    return true;
  }

  /**
   * At an erased word (0xFFFF), before it runs: moves the PC and cycles over the erased words from
   * there, one cycle each, as far as `end` (a word the caller must see: the end of flash, the
   * application's end) and no later than the next event or `until`; true if it did.
   */
  erased(cpu: IdleCpu, end: number, nextEvent: number, until: number): boolean {
    const words = cpu.progMem;
    const room = Math.min(end, cpu.pc + Math.floor(Math.min(nextEvent, until) - cpu.cycles));
    let pc = cpu.pc;
    while (pc < room && words[pc] === 0xffff) pc++;
    const n = pc - cpu.pc;
    // The last word runs as it is, so the event or the slice's end falls after it as without the skip.
    if (n <= 1) return false;
    cpu.pc += n - 1;
    cpu.cycles += n - 1;
    this.stats.skips++;
    this.stats.cycles += n - 1;
    return true;
  }

  private qualifies(cpu: IdleCpu, head: number, last: number): boolean {
    const known = this.verdicts.get(head * 64 + (last - head));
    if (known !== undefined) return known;
    let ok = true;
    for (let pc = head; pc <= last && ok; ) {
      const kind = classify(cpu.progMem[pc] ?? 0xffff, cpu.progMem[pc + 1] ?? 0, this.readable);
      ok = kind !== 'no';
      pc += kind === 'read2' ? 2 : 1;
    }
    this.verdicts.set(head * 64 + (last - head), ok);
    return ok;
  }

  private save(cpu: IdleCpu, nextEvent: number): void {
    for (let i = 0; i < SNAPSHOT.length; i++) this.saved[i] = cpu.data[SNAPSHOT[i] ?? 0] ?? 0;
    this.savedAt = cpu.cycles;
    this.savedBefore = nextEvent;
  }

  private unchanged(cpu: IdleCpu): boolean {
    for (let i = 0; i < SNAPSHOT.length; i++) if (this.saved[i] !== cpu.data[SNAPSHOT[i] ?? 0]) return false;
    return true;
  }
}
