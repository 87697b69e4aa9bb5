// The waits a session makes while its Pacer learns the link (core/pipeline/pacer.ts): before short
// samples, long answers and pages answered one at a time; a timer that fires far too late drops the
// session back to one command at a time (a background tab throttles timers).
import { sleep, type AbortSignalLike, type Clock } from '../link/clock.js';
import type { PageKind, Pacer } from './pacer.js';

/**
 * A timer this much later than asked means the host throttles timers (a background tab, a starved
 * machine): what is learnt from timing would not hold, so the session goes on one command at a time.
 */
const LATE_TIMER_MS = 100;

/** Sleeps `ms`; a timer that fires far too late drops `pacer` back. */
async function pacedSleep(pacer: Pacer, clock: Clock, ms: number, signal: AbortSignalLike | undefined): Promise<void> {
  const t0 = clock.now();
  await sleep(clock, ms, signal);
  const late = clock.now() - t0 - ms;
  // The next command follows this wait, not the answer: no turnaround.
  pacer.turnarounds.skip();
  if (late > LATE_TIMER_MS) pacer.dropBack(`a timer that fired ${Math.round(late)} ms late (a background tab throttles them)`);
}

/** Short round trips (`probe`: a command that changes nothing) until `pacer` knows the link's own delay. */
export async function sampleLink(pacer: Pacer, clock: Clock, signal: AbortSignalLike | undefined, probe: () => Promise<unknown>): Promise<void> {
  for (let wait = pacer.sampleWait(); wait !== null; wait = pacer.sampleWait()) {
    await pacedSleep(pacer, clock, wait, signal);
    await probe();
  }
}

/**
 * Before the long answer's own command, when a short command went just before it: that one's answer
 * came on the adapter's timer, whose period is a whole number of USB frames, so sent at once the
 * command would always meet the same phase of the frames and their spread would never show.
 */
export async function varyingWait(pacer: Pacer, clock: Clock, signal: AbortSignalLike | undefined): Promise<void> {
  await pacedSleep(pacer, clock, pacer.varyingWait(), signal);
}

/** Before a page command answered one at a time while `pacer` still learns `kind`. */
export async function learnWait(pacer: Pacer, kind: PageKind, clock: Clock, signal: AbortSignalLike | undefined): Promise<void> {
  const wait = pacer.learnWait(kind);
  if (wait > 0) await pacedSleep(pacer, clock, wait, signal);
}
