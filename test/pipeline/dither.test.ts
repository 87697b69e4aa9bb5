// The learning samples' varying waits meet an adapter timer's phases (16 ms) and a USB frame's (1 ms)
// evenly, however few are taken.
import { describe, expect, it } from 'vitest';
import { Dither } from '../../src/core/pipeline/dither.js';

/** The largest gap between `xs` (fractions of a period) placed on a circle. */
function largestGap(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  let gap = 1 - (s[s.length - 1] ?? 0) + (s[0] ?? 0);
  for (let i = 1; i < s.length; i++) gap = Math.max(gap, (s[i] ?? 0) - (s[i - 1] ?? 0));
  return gap;
}

describe('Dither', () => {
  it('eight waits leave no gap over a third of a 16 ms timer period, nor of a 1 ms USB frame', () => {
    const d = new Dither();
    const waits = Array.from({ length: 8 }, () => d.next());
    expect(Math.max(...waits)).toBeLessThan(17);
    expect(Math.min(...waits)).toBeGreaterThanOrEqual(0);
    expect(largestGap(waits.map((w) => (w % 16) / 16))).toBeLessThan(1 / 3);
    expect(largestGap(waits.map((w) => w % 1))).toBeLessThan(1 / 3);
  });
});
