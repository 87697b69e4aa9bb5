// The wall clock's timers never fire before their time (Node's setTimeout may, by up to a
// millisecond: it counts whole milliseconds from a cached loop time), and a cancelled one never fires.
import { describe, expect, it } from 'vitest';
import { systemClock } from '../../src/transports/system-clock.js';

const fired = (ms: number): Promise<number> =>
  new Promise((resolve) => {
    const t0 = performance.now();
    systemClock.setTimer(ms, () => resolve(performance.now() - t0));
  });

describe('systemClock', () => {
  it('fires no timer early, with waits of fractions of a millisecond to a few milliseconds', async () => {
    let earliest = Infinity;
    for (let i = 0; i < 200; i++) {
      const ms = 0.2 + ((i * 0.618) % 1) * 6;
      earliest = Math.min(earliest, (await fired(ms)) - ms);
    }
    expect(earliest).toBeGreaterThanOrEqual(0);
  });

  it('never calls a timer cancelled before its time, in its setTimeout part or in the part it polls', async () => {
    let calls = 0;
    const cancels = [systemClock.setTimer(1, () => calls++), systemClock.setTimer(20, () => calls++)];
    const late = systemClock.setTimer(19, () => cancels[1]?.());
    cancels[0]?.();
    await new Promise((r) => setTimeout(r, 40));
    late();
    expect(calls).toBe(0);
  });
});
