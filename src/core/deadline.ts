// The whole session's deadline: an abort signal that fires when the user cancels or when the time
// budget for the image runs out, whichever comes first. Every read and wait in the core takes it,
// so no path can outlive the budget.
import { FlashError } from './errors.js';
import type { AbortSignalLike, Clock } from './link/clock.js';

/** The slowest baud of the common bootloaders (ATmegaBOOT at 57600); 19200 only for small chips. */
const DEFAULT_SLOWEST_BAUD = 57600;

/**
 * Write-and-verify passes at the slowest baud the budget holds. A link that damages a byte in 2,000
 * each way costs the 2560 about 2.5 times its clean pass (a third of its 299-byte page frames need a
 * resync), and a 'wiring' repair rewrites from address 0: five leave room for that and one repair.
 */
const PASSES = 5;

/**
 * The time a session may take for an image ending at `imageEnd`: 20 s to find the bootloader (the
 * candidates, resets included, twice), plus PASSES write-and-verify passes at the slowest baud it may
 * run at (10 bits a byte) with 10 ms a page for erasing and writing, so a healthy flash never meets
 * it, a flaky link that keeps getting further is not cut off, and a stuck one ends in minutes.
 */
export function sessionBudgetMs(imageEnd: number, pageBytes: number, slowestBaud = DEFAULT_SLOWEST_BAUD): number {
  const pages = Math.ceil(imageEnd / pageBytes);
  const passMs = ((2 * imageEnd) / (slowestBaud / 10)) * 1000 + pages * 10;
  return Math.round(20_000 + PASSES * passMs);
}

/** Round trips a pass may take per page (write and read, each split in two when a client stops pipelining). */
const TRIPS_PER_PAGE = 4;
/** A round trip longer than this is a fault, not a link: it does not grow the budget further. */
export const MAX_COUNTED_ROUND_TRIP_MS = 500;

/**
 * What a slow link adds to the budget: the same passes, each waiting `roundTripMs` (measured
 * while reading the signature) per round trip, so a Wi-Fi bridge with tens of ms per answer gets the
 * time it needs and a direct USB link (about 1 ms) almost nothing.
 */
export function linkAllowanceMs(imageEnd: number, pageBytes: number, roundTripMs: number): number {
  const pages = Math.ceil(imageEnd / pageBytes);
  return Math.round(PASSES * TRIPS_PER_PAGE * pages * Math.min(Math.max(0, roundTripMs), MAX_COUNTED_ROUND_TRIP_MS));
}

/**
 * Rewrites from address 0 that grow the budget by one pass each: stk500boot erases in order, so after
 * a reset, a frame that ran past its buffer, or to repair one page, it must be written again from 0.
 * That is work the link forced, not a stuck session; past these the budget is what it is.
 */
export const GRANTED_REWRITES = PASSES;

/** One write-and-verify pass up to `imageEnd`, at the slowest baud, waiting `roundTripMs` per round trip. */
export function passAllowanceMs(imageEnd: number, pageBytes: number, slowestBaud: number, roundTripMs: number): number {
  return Math.round((sessionBudgetMs(imageEnd, pageBytes, slowestBaud) - 20_000 + linkAllowanceMs(imageEnd, pageBytes, roundTripMs)) / PASSES);
}

export class Deadline implements AbortSignalLike {
  private abortedFlag = false;
  private why: unknown;
  private readonly listeners = new Set<() => void>();
  private cancelTimer: () => void;
  private readonly startedAt: number;
  private budget: number;
  /** True when the budget ran out (not the user's cancel). */
  expired = false;

  constructor(
    private readonly clock: Clock,
    budgetMs: number,
    private readonly parent?: AbortSignalLike,
  ) {
    this.startedAt = clock.now();
    this.budget = budgetMs;
    this.cancelTimer = clock.setTimer(budgetMs, this.expire);
    if (parent?.aborted) this.fire(parent.reason);
    else parent?.addEventListener('abort', this.onParentAbort, { once: true });
  }

  get budgetMs(): number {
    return this.budget;
  }

  /** Gives the session `extraMs` more (once the link's round trip is known); the start stays. */
  extend(extraMs: number): void {
    if (this.abortedFlag || extraMs <= 0) return;
    this.budget += extraMs;
    this.cancelTimer();
    this.cancelTimer = this.clock.setTimer(Math.max(0, this.startedAt + this.budget - this.clock.now()), this.expire);
  }

  private readonly expire = (): void => {
    this.expired = true;
    this.fire(new FlashError('session-timeout', `The limit for this image is ${formatDuration(this.budget)}.`));
  };

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
