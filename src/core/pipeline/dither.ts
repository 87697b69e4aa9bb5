// The varying waits the Pacer takes before its learning samples: an adapter that sends on a timer
// (FTDI's 16 ms) would otherwise answer every back-to-back command at the same phase of it, and the
// least delay seen would not be the least there is.

/** The waits fall within this. */
const DITHER_MS = 17;
/** The golden ratio's fractional part: steps by it fall evenly over any period. */
const GOLDEN = 0.6180339887498949;

export class Dither {
  /** Where the last wait fell in DITHER_MS, as a fraction of it. */
  private phase = 0.5;

  /**
   * Waits stepped by the golden ratio over DITHER_MS, the same in every session (replays stay exact):
   * however few are taken, they meet an adapter timer's phases evenly (a dozen random ones left gaps
   * of several ms, and what was learnt then hung on where the page time fell in the timer's period).
   * Not in even steps: those could alias with the timer and meet one phase of it only.
   */
  next(): number {
    this.phase = (this.phase + GOLDEN) % 1;
    return this.phase * DITHER_MS;
  }
}
