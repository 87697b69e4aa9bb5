// The whole session's deadline: an abort signal that fires when the user cancels or when the time
// budget for the image runs out, whichever comes first. Every read and wait in the core takes it,
// so no path can outlive the budget.
import { FlashError } from './errors.js';
import type { AbortSignalLike, Clock } from './link/clock.js';

/** The slowest baud of the common bootloaders (ATmegaBOOT at 57600); 19200 only for small chips. */
const DEFAULT_SLOWEST_BAUD = 57600;

/**
 * The time a session may take for an image ending at `imageEnd`: 20 s to find the bootloader (the
 * candidates, resets included, twice), plus three times a write-and-verify pass at the slowest baud
 * it may run at (10 bits a byte) with 10 ms a page for erasing and writing — room for a reconnect and
 * repairs — so a healthy flash never meets it and a stuck one ends in minutes.
 */
export function sessionBudgetMs(imageEnd: number, pageBytes: number, slowestBaud = DEFAULT_SLOWEST_BAUD): number {
  const pages = Math.ceil(imageEnd / pageBytes);
  const passMs = ((2 * imageEnd) / (slowestBaud / 10)) * 1000 + pages * 10;
  return Math.round(20_000 + 3 * passMs);
}

export class Deadline implements AbortSignalLike {
  private abortedFlag = false;
  private why: unknown;
  private readonly listeners = new Set<() => void>();
  private readonly cancelTimer: () => void;
  /** True when the budget ran out (not the user's cancel). */
  expired = false;

  constructor(
    clock: Clock,
    readonly budgetMs: number,
    private readonly parent?: AbortSignalLike,
  ) {
    this.cancelTimer = clock.setTimer(budgetMs, () => {
      this.expired = true;
      this.fire(new FlashError('session-timeout', `The limit for this image is ${formatDuration(budgetMs)}.`));
    });
    if (parent?.aborted) this.fire(parent.reason);
    else parent?.addEventListener('abort', this.onParentAbort, { once: true });
  }

  get aborted(): boolean {
    return this.abortedFlag;
  }

  get reason(): unknown {
    return this.why;
  }

  addEventListener(_type: 'abort', listener: () => void): void {
    this.listeners.add(listener);
  }

  removeEventListener(_type: 'abort', listener: () => void): void {
    this.listeners.delete(listener);
  }

  /** Stops the timer and lets go of the parent signal. */
  dispose(): void {
    this.cancelTimer();
    this.parent?.removeEventListener('abort', this.onParentAbort);
  }

  private readonly onParentAbort = (): void => this.fire(this.parent?.reason);

  private fire(reason: unknown): void {
    if (this.abortedFlag) return;
    this.abortedFlag = true;
    this.why = reason;
    this.cancelTimer();
    for (const l of [...this.listeners]) l();
    this.listeners.clear();
  }
}

export function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s} s` : `${Math.floor(s / 60)} min ${s % 60} s`;
}
