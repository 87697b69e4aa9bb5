// When the bootloader began each long answer (a page read) sampled one at a time, counted from its
// command written: worked out from when each chunk came and how many bytes it held (a chunk cannot
// come before its last byte left the board). An adapter's timer delays only the chunks it holds, so
// the spread of these is the way to the board's own (a USB frame, a Wi-Fi hop).
import { range, stretched } from './ranges.js';

/**
 * Long answers measured, at least, before their spread counts as the spread of the way to the
 * board; until then the whole spread of the link's delay does.
 */
const START_SAMPLES = 8;
/**
 * When the starts spread over more than this, the way to the board varies at random by more than a
 * few samples can bound (8 uniform samples' range falls below 0.8 of the whole in a third of
 * sessions). The whole round trips' range bounds it then: it holds both ways' variation, so it errs
 * wide, and a link that jittery gains little from pipelining anyway.
 */
const JITTERY_MS = 2;
/** Long answers that may show a link jittery (see known). */
const JITTERY_AFTER = 3;
const KEPT = 64;

export class AnswerStarts {
  private readonly starts: number[] = [];
  /** The session's first long answer also carries the host's own warm-up: not counted. */
  private warm = false;

  /** A start, `ms` after its command was written. False for the first, which does not count. */
  add(ms: number): boolean {
    if (!this.warm) {
      this.warm = true;
      return false;
    }
    if (this.starts.length < KEPT) this.starts.push(ms);
    return true;
  }

  /**
   * Enough of them: START_SAMPLES, or fewer once they already spread over JITTERY_MS (the round
   * trips' range is the margin then, and more starts would not narrow it).
   */
  get known(): boolean {
    const n = this.starts.length;
    return n >= START_SAMPLES || (n >= JITTERY_AFTER && range(this.starts) > JITTERY_MS);
  }

  /**
   * They spread over more than JITTERY_MS: the way to the board varies at random by more than a few
   * samples bound, and so may the least round trips a self-paced gap is learnt from.
   */
  get jittery(): boolean {
    return stretched(this.starts) > JITTERY_MS;
  }

  /** The earliest start seen (Infinity while none is). */
  get least(): number {
    return Math.min(...this.starts);
  }

  /** The way to the board's spread; on a jittery link at least the link's whole (`linkKept`, its samples). */
  spread(linkKept: readonly number[]): number {
    const s = stretched(this.starts);
    return s <= JITTERY_MS ? s : Math.max(s, stretched(linkKept));
  }
}
