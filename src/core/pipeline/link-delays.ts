// What the link itself adds to a round trip, learnt from the session's short round trips: each one's
// time less its bytes on the wire. Their least (with what so few samples may have missed), their
// range, and whether the link is too fast to pipeline, calm (jitter, no adapter timer) or steady.
import { stretched } from './ranges.js';

/**
 * A link whose typical (median) delay is below this is not pipelined: the next command may as well
 * wait for the answer (what pipelining could win is less than the margins it needs).
 */
const FAST_LINK_MS = 3;
/**
 * Samples after which a link whose delay has not varied by more than STEADY_MS counts as steady (a
 * fixed latency, no timer): nothing more to learn about it, and no waits before the pages learnt.
 */
export const STEADY_AFTER = 6;
const STEADY_MS = 0.5;
/**
 * A link whose delay varied by less than this over those samples is calm: random jitter, no adapter
 * timer (which would show its whole period through the varying waits). Its range, stretched for the
 * few samples, is the margin; no long answers, varying waits or more pages to learn from.
 */
const CALM_MS = 2;
/** Samples kept (the least and the range go on over all). */
const KEPT = 64;

export class LinkDelays {
  /** Samples taken, all of them counted. */
  count = 0;
  /** The first KEPT of them. */
  readonly kept: number[] = [];
  min = Infinity;
  max = -Infinity;
  /** The median delay is below FAST_LINK_MS (worked out per sample, not per page). */
  fast = false;
  /**
   * The samples, the largest left out, within CALM_MS (worked out per sample, not per page): one held
   * up on the host (a collection, a busy machine) does not make a link unsteady.
   */
  calm = false;

  add(link: number): void {
    this.count++;
    if (this.kept.length < KEPT) this.kept.push(link);
    this.min = Math.min(this.min, link);
    this.max = Math.max(this.max, link);
    const sorted = [...this.kept].sort((a, b) => a - b);
    this.fast = this.count >= 3 && (sorted[sorted.length >> 1] ?? 0) < FAST_LINK_MS;
    this.calm = this.count >= STEADY_AFTER && stretched(sorted.slice(0, -1)) < CALM_MS;
  }

  get full(): boolean {
    return this.kept.length >= KEPT;
  }

  get steady(): boolean {
    return this.count >= STEADY_AFTER && this.max - this.min < STEADY_MS;
  }

  /** The least delay seen, 0 while none is known. */
  get least(): number {
    return Number.isFinite(this.min) ? Math.max(0, this.min) : 0;
  }

  /** Max less min, 0 while none is known. */
  get range(): number {
    return Number.isFinite(this.min) ? this.max - this.min : 0;
  }

  /** What the least delay seen may overstate the least there is by (n samples of its range). */
  get unseenMs(): number {
    return (1.5 * this.range) / (this.count + 1);
  }
}
