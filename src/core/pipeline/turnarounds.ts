// The host's turnaround: from an answer's arrival to the next command leaving, the part of each
// round trip that is the host's own. Kept for the median a session reports (issue 14's target).

/** Turnarounds kept for the median (the latest ones). */
const KEPT = 1024;

export class Turnarounds {
  private readonly times = new Float64Array(KEPT);
  private count = 0;
  private answeredAt = -1;

  /** An answer arrived at `at` (the link's time of its last bytes), and nothing was sent since. */
  answerArrived(at: number): void {
    this.answeredAt = at;
  }

  /** A command leaves at `now`: after an answer, the host's turnaround is counted. */
  sending(now: number): void {
    if (this.answeredAt < 0) return;
    this.times[this.count++ % KEPT] = now - this.answeredAt;
    this.answeredAt = -1;
  }

  /** The next command leaves on its own time, not in answer to the last answer: not a turnaround. */
  skip(): void {
    this.answeredAt = -1;
  }

  /** The median time from an answer's arrival to the next command leaving; null before any. */
  get medianMs(): number | null {
    const n = Math.min(this.count, KEPT);
    if (n === 0) return null;
    const s = this.times.slice(0, n).sort();
    return ((s[(n - 1) >> 1] ?? 0) + (s[n >> 1] ?? 0)) / 2;
  }
}
