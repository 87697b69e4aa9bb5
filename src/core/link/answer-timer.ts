// Deadlines for a bootloader's answers, learnt from the answers themselves: a few times the slowest
// of the recent answers, never below a floor nor above the protocol's fixed limit. A lost byte is
// then noticed in a fraction of a second instead of a whole one. One timeout is a lost byte, not a
// slow link; after two in a row the fixed limit applies again until an answer comes.

/** Answers seen before the learnt deadline replaces the fixed one, and how many recent ones count. */
const LEARN_AFTER = 8;
const WINDOW = 32;

export class AnswerTimer {
  private readonly recent = new Float64Array(WINDOW);
  private seen = 0;
  private timeoutsInARow = 0;
  /** The learnt deadline, worked out once per answer rather than once per command. */
  private learnt = 0;

  constructor(
    private readonly floorMs: number,
    private readonly ceilingMs: number,
  ) {}

  /** The deadline for the next answer. */
  get timeoutMs(): number {
    if (this.seen < LEARN_AFTER || this.timeoutsInARow >= 2) return this.ceilingMs;
    return this.learnt;
  }

  /** An answer came `ms` after its command left. */
  answered(ms: number): void {
    this.recent[this.seen % WINDOW] = ms;
    this.seen++;
    this.timeoutsInARow = 0;
    let slowest = 0;
    for (let i = 0; i < Math.min(this.seen, WINDOW); i++) slowest = Math.max(slowest, this.recent[i] ?? 0);
    this.learnt = Math.round(Math.min(this.ceilingMs, Math.max(this.floorMs, 4 * slowest + 20)));
  }

  timedOut(): void {
    this.timeoutsInARow++;
  }
}
