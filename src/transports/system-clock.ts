// The wall clock for browsers and Node: performance.now() and timers behind the core's Clock. A timer
// never fires early and is late by little: Node's setTimeout counts whole milliseconds from a cached
// loop time, so it fired up to 1.6 ms early here, and a browser clamps nested timers to 4 ms. A
// pipelined page timed by them left 0.7 ms late on the median (a wake-up before its time re-armed the
// timer, which then took a millisecond at least). So setTimeout covers a wait only up to its last
// POLL_MS, which is polled, yielding to I/O between polls.
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

let soon: Yield | null = null;

/** Calls `fn` once `ms` have passed on performance.now(), never before; the returned function cancels it. */
export function preciseTimer(ms: number, fn: () => void): () => void {
  const at = performance.now() + ms;
  let cancelled = false;
  let coarse: ReturnType<typeof setTimeout> | undefined;
  const next = (soon ??= yielder());
  const poll = (): void => {
    if (cancelled) return;
    if (performance.now() >= at) fn();
    else next(poll);
  };
  if (ms > POLL_MS) coarse = setTimeout(poll, ms - POLL_MS);
  else next(poll);
  return () => {
    cancelled = true;
    if (coarse !== undefined) clearTimeout(coarse);
  };
}

export const systemClock: Clock = {
  now: () => performance.now(),
  setTimer: preciseTimer,
};
