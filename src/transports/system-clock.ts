// The wall clock for browsers and Node: performance.now() and timers behind the core's Clock. A timer
// never fires early and is late by little: Node's setTimeout counts whole milliseconds from a cached
// loop time, so it fired up to 1.6 ms early here, and a browser clamps nested timers to 4 ms. A
// pipelined page timed by them left 0.7 ms late on the median (a wake-up before its time re-armed the
// timer, which then took a millisecond at least). So setTimeout covers a wait only up to its last
// POLL_MS, which is polled, yielding to I/O between polls. All timers share one queue, so they fire
// in the order of their deadlines even when the event loop stalls past several of them.
import type { Clock } from '../core/link/clock.js';

/** The last part of every wait that is polled rather than left to setTimeout. */
const POLL_MS = 1.5;

type Yield = (fn: () => void) => void;

/** A macrotask that waits for nothing: setImmediate in Node, a MessageChannel message in browsers. */
function yielder(): Yield {
  if (typeof setImmediate === 'function') return (fn) => setImmediate(fn);
  if (typeof MessageChannel === 'function') {
    // Browsers only (Node has setImmediate): typed as the DOM's port, which Node's types do not describe.
    const channel = new MessageChannel() as unknown as { port1: { onmessage: (() => void) | null }; port2: { postMessage(v: null): void } };
    const queue: (() => void)[] = [];
    channel.port1.onmessage = () => queue.shift()?.();
    return (fn) => {
      queue.push(fn);
      channel.port2.postMessage(null);
    };
  }
  return (fn) => setTimeout(fn, 0);
}

interface Pending {
  readonly at: number;
  readonly fn: () => void;
}

/**
 * Every pending timer, earliest deadline first (ties in the order they were set). One setTimeout
 * covers the wait for the earliest up to its last POLL_MS, then the queue is polled; each poll
 * fires every due timer in deadline order, so a stalled loop never lets a later timer overtake one
 * that was already in its polled part.
 */
class TimerQueue {
  private readonly pending: Pending[] = [];
  private coarse: ReturnType<typeof setTimeout> | undefined;
  private coarseFor = Infinity;
  private polling = false;
  private next: Yield | null = null;

  add(ms: number, fn: () => void): () => void {
    const entry: Pending = { at: performance.now() + ms, fn };
    let i = this.pending.length;
    while (i > 0 && (this.pending[i - 1] as Pending).at > entry.at) i--;
    this.pending.splice(i, 0, entry);
    this.arm();
    return () => {
      const k = this.pending.indexOf(entry);
      if (k >= 0) this.pending.splice(k, 1);
      // Nothing left to wait for: an armed setTimeout would keep Node's process alive until it ends.
      if (this.pending.length === 0 && this.coarse !== undefined) {
        clearTimeout(this.coarse);
        this.coarse = undefined;
        this.coarseFor = Infinity;
      }
    };
  }

  private readonly poll = (): void => {
    this.polling = false;
    this.fireDue();
    this.arm();
  };

  /** The setTimeout part has ended (Node's may end up to 1.6 ms early): poll from here on, not re-arm. */
  private readonly wake = (): void => {
    const forAt = this.coarseFor;
    this.coarse = undefined;
    this.coarseFor = Infinity;
    this.fireDue();
    this.arm(forAt);
  };

  private fireDue(): void {
    for (let first = this.pending[0]; first && performance.now() >= first.at; first = this.pending[0]) {
      this.pending.shift();
      try {
        first.fn();
      } catch (e) {
        this.arm();
        throw e;
      }
    }
  }

  private arm(pollUpTo = -Infinity): void {
    const first = this.pending[0];
    if (!first || this.polling) return;
    const wait = first.at - performance.now() - POLL_MS;
    if (wait <= 0 || first.at <= pollUpTo) {
      this.polling = true;
      (this.next ??= yielder())(this.poll);
      return;
    }
    if (this.coarse !== undefined && this.coarseFor <= first.at) return;
    if (this.coarse !== undefined) clearTimeout(this.coarse);
    this.coarseFor = first.at;
    this.coarse = setTimeout(this.wake, wait);
  }
}

const queue = new TimerQueue();

/** Calls `fn` once `ms` have passed on performance.now(), never before; the returned function cancels it. */
export function preciseTimer(ms: number, fn: () => void): () => void {
  return queue.add(ms, fn);
}

export const systemClock: Clock = {
  now: () => performance.now(),
  setTimer: preciseTimer,
};
