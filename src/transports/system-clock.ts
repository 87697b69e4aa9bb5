// The wall clock for browsers and Node: performance.now() and setTimeout behind the core's Clock.
import type { Clock } from '../core/link/clock.js';

export const systemClock: Clock = {
  now: () => performance.now(),
  setTimer: (ms, fn) => {
    const id = setTimeout(fn, ms);
    return () => clearTimeout(id);
  },
};
