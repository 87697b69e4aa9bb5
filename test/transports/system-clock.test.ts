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

  it('fires timers in the order of their deadlines when the event loop stalls past several of them', async () => {
    // A timer in its polled last part must not be overtaken by a later one whose setTimeout part
    // ends during the stall (a 19 ms timer that cancels a 20 ms one, with the loop blocked at 18.7 ms).
    const order: number[] = [];
    const cancels = new Map<number, () => void>();
    for (const ms of [20, 3, 19, 10, 12, 11.5]) {
      cancels.set(ms, systemClock.setTimer(ms, () => order.push(ms)));
    }
    systemClock.setTimer(19, () => cancels.get(20)?.());
    const t0 = performance.now();
    setTimeout(() => {
      while (performance.now() - t0 < 25);
    }, 18);
    setTimeout(() => {
      while (performance.now() - t0 < 11);
    }, 9.8);
    await new Promise((r) => setTimeout(r, 45));
    expect(order).toEqual([3, 10, 11.5, 12, 19]);
  });
});
