// Emulated time as a Clock: now() is the board's cycle counter in milliseconds and timers fire when
// the CPU reaches them. With it, host code (the flash session, the Web Serial adapter, deadlines)
// and the emulated MCU share one timeline, so a seeded run replays exactly and runs as fast as
// the CPU emulation allows, whatever else loads the machine.
import type { Clock } from '../../src/core/link/clock.js';

interface Timer {
  readonly at: number;
  readonly seq: number;
  readonly fn: () => void;
}

export class CycleClock implements Clock {
  private timers: Timer[] = [];
  private seq = 0;

  constructor(
    private readonly cycles: () => number,
    private readonly cyclesPerMs: number,
  ) {}

  now(): number {
    return this.cycles() / this.cyclesPerMs;
  }

  setTimer(ms: number, fn: () => void): () => void {
    const t: Timer = { at: this.cycles() + Math.max(0, ms) * this.cyclesPerMs, seq: this.seq++, fn };
    let i = this.timers.length;
    while (i > 0 && (this.timers[i - 1]?.at ?? 0) > t.at) i--;
    this.timers.splice(i, 0, t);
    return () => {
      const k = this.timers.indexOf(t);
      if (k >= 0) this.timers.splice(k, 1);
    };
  }

  /** The cycle of the earliest pending timer, or Infinity. */
  get nextAt(): number {
    return this.timers[0]?.at ?? Infinity;
  }

  /** Fires every timer due at the current cycle; returns whether any fired. */
  fireDue(): boolean {
    const now = this.cycles();
    let fired = false;
    while (this.timers.length > 0 && (this.timers[0]?.at ?? Infinity) <= now) {
      const t = this.timers.shift();
      fired = true;
      t?.fn();
    }
    return fired;
  }
}
