// The varying waits the Pacer takes before its learning samples: an adapter that sends on a timer
// (FTDI's 16 ms) would otherwise answer every back-to-back command at the same phase of it, and the
// least delay seen would not be the least there is.

/** The waits fall within this. */
const DITHER_MS = 17;
/** The golden ratio's fractional part: steps by it fall evenly over any period. */
const GOLDEN = 0.6180339887498949;
/**
 * The silver ratio's (1 + sqrt 2) fractional part: the waits' part below a millisecond steps by it,
 * so they also meet a USB frame's phases evenly (the way to the board waits for the next 1 ms frame).
 * GOLDEN x DITHER_MS alone steps the sub-millisecond part by about 0.5 and met two phases of it.
 */
const SILVER = 0.41421356237309515;

export class Dither {
  /** Where the last wait fell in DITHER_MS, as a fraction of it. */
  private phase = 0.5;
  /** Where the last wait fell within a millisecond, as a fraction of it. */
  private subPhase = 0.5;

  /**
   * Waits stepped by the golden ratio over DITHER_MS, the same in every session (replays stay exact):
   * however few are taken, they meet an adapter timer's phases evenly (a dozen random ones left gaps
   * of several ms, and what was learnt then hung on where the page time fell in the timer's period).
   * Not in even steps: those could alias with the timer and meet one phase of it only. A part below
   * a millisecond that steps on its own (SILVER) meets a USB frame's phases evenly too.
   */
  next(): number {
    this.phase = (this.phase + GOLDEN) % 1;
    this.subPhase = (this.subPhase + SILVER) % 1;
    return this.phase * (DITHER_MS - 1) + this.subPhase;
  }
}
