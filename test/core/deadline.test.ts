// The session deadline: the budget grows with the image, the timer and the user's cancel both abort,
// and dispose() leaves nothing behind.
import { describe, expect, it } from 'vitest';
import { Deadline, formatDuration, GRANTED_REWRITES, linkAllowanceMs, MAX_COUNTED_ROUND_TRIP_MS, passAllowanceMs, sessionBudgetMs } from '../../src/core/deadline.js';
import { isFlashError } from '../../src/core/errors.js';
import type { Clock } from '../../src/core/link/clock.js';

function manualClock(): Clock & { advance(ms: number): void; pending(): number } {
  let now = 0;
  let timers: { at: number; fn: () => void }[] = [];
  return {
    now: () => now,
    setTimer(ms, fn) {
      const t = { at: now + ms, fn };
      timers.push(t);
      return () => {
        timers = timers.filter((x) => x !== t);
      };
    },
    advance(ms) {
      now += ms;
      const due = timers.filter((t) => t.at <= now);
      timers = timers.filter((t) => t.at > now);
      due.forEach((t) => t.fn());
    },
    pending: () => timers.length,
  };
}

describe('sessionBudgetMs', () => {
  it('grows with the image: 20 s plus three write-and-verify passes at 57600 baud', () => {
    expect(sessionBudgetMs(8192, 256)).toBe(35_822);
    expect(formatDuration(sessionBudgetMs(253_952, 256))).toBe('8 min 30 s');
    expect(sessionBudgetMs(64 * 1024, 256)).toBeGreaterThan(sessionBudgetMs(32 * 1024, 256));
  });
});

describe('Deadline', () => {
  it('aborts with session-timeout when the budget runs out, telling its listeners once', () => {
    const clock = manualClock();
    const d = new Deadline(clock, 1000);
    let calls = 0;
    d.addEventListener('abort', () => calls++);
    clock.advance(999);
    expect(d.aborted).toBe(false);
    clock.advance(1);
    expect(d.aborted && d.expired).toBe(true);
    expect(isFlashError(d.reason, 'session-timeout')).toBe(true);
    expect(calls).toBe(1);
  });

  it("follows the user's cancel, which is not an expiry, and stops its timer", () => {
    const clock = manualClock();
    const parent = new AbortController();
    const d = new Deadline(clock, 1000, parent.signal);
    parent.abort('stop');
    expect(d.aborted).toBe(true);
    expect(d.expired).toBe(false);
    expect(d.reason).toBe('stop');
    expect(clock.pending()).toBe(0);
  });

  it('dispose() cancels the timer and lets go of the parent', () => {
    const clock = manualClock();
    const parent = new AbortController();
    const d = new Deadline(clock, 1000, parent.signal);
    d.dispose();
    expect(clock.pending()).toBe(0);
    parent.abort();
    expect(d.aborted).toBe(false);
  });
});

describe('the link allowance and a deadline that grows', () => {
  it('a forced rewrite from 0 adds one of the passes the budget holds, the link included; at most GRANTED_REWRITES of them', () => {
    const end = 110_000;
    const passes = (sessionBudgetMs(end, 256) - 20_000 + linkAllowanceMs(end, 256, 12)) / passAllowanceMs(end, 256, 57600, 12);
    expect(passes).toBeCloseTo(GRANTED_REWRITES, 2);
    // A rewrite up to a tenth of the image costs about a tenth of a pass.
    expect(passAllowanceMs(end / 10, 256, 57600, 0)).toBeLessThan(passAllowanceMs(end, 256, 57600, 0) / 9);
    expect(GRANTED_REWRITES).toBeGreaterThan(0);
  });

  it('grows the budget with the measured round trip, counted up to a ceiling', () => {
    expect(linkAllowanceMs(64 * 256, 256, 1)).toBe(64 * 20);
    expect(linkAllowanceMs(64 * 256, 256, 40)).toBe(64 * 20 * 40);
    expect(linkAllowanceMs(64 * 256, 256, 5000)).toBe(linkAllowanceMs(64 * 256, 256, MAX_COUNTED_ROUND_TRIP_MS));
  });

  it('extend() moves the expiry, counted from the start', () => {
    let now = 0;
    const timers: { at: number; fn: () => void; live: boolean }[] = [];
    const clock = {
      now: () => now,
      setTimer: (ms: number, fn: () => void) => {
        const t = { at: now + ms, fn, live: true };
        timers.push(t);
        return () => (t.live = false);
      },
    };
    const advance = (to: number): void => {
      now = to;
      for (const t of timers) if (t.live && t.at <= now) (t.live = false), t.fn();
    };
    const d = new Deadline(clock, 1000);
    advance(600);
    d.extend(500);
    expect(d.budgetMs).toBe(1500);
    advance(1200);
    expect(d.aborted).toBe(false);
    advance(1500);
    expect(d.expired).toBe(true);
    d.extend(10_000);
    expect(d.budgetMs).toBe(1500);
  });
});
