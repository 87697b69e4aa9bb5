// Writes a planned range, verifies it by reading it back, and repairs what differs. What a session
// has proven survives a lost bootloader (PassState): pages read back equal are not read again, and
// after a repair only the rewritten pages, and those a damaged address could have sent a rewrite to,
// are read again. Repairs go on until one page differs through MAX_REPAIRS rewrites; on bootloaders that erase
// in order (the 2560's 'wiring') a repair restarts the erase counter and rewrites from 0. A region
// the bootloader never erases is read back even when verifying is off; old bytes there end the session.
import { FlashError } from './errors.js';
import { EraseCounterLost } from './programmer.js';
import { describe, hex, MAX_REPAIRS, progressGate, rate, type ProgramJob, type Range } from './program-job.js';
import { findStrayCopies, firstOf, lastingDifference, refuseNeverErased, rewritesOf, verifyPages } from './readback.js';

/** Rewrites of one page whose differences keep moving before the link counts as too damaging. */
const MAX_LINK_REWRITES = 8;
/** Restarts of an in-order erase after a message overran the bootloader's buffer, per write. */
const MAX_COUNTER_RESTARTS = 6;

export interface ProgramOutcome {
  readonly verified: number;
  readonly repairs: number;
  readonly writeMs: number;
  readonly verifyMs: number;
  /** Round trips of the first write, and of everything after it (verify, repairs). */
  readonly writeTrips: number;
  readonly verifyTrips: number;
}

export async function programFlash(job: ProgramJob): Promise<ProgramOutcome> {
  const { client, range, clock, state } = job;
  const t0 = clock.now();
  const trips0 = client.stats.roundTrips;
  if (job.resumeAt > range.start) job.logger.log('info', `Going on with the write at 0x${hex(job.resumeAt)}.`);
  if (job.resumeAt < range.end) {
    await writeRange(job, [{ start: job.resumeAt, end: range.end }], (p) => {
      state.writtenTo = Math.max(state.writtenTo, p + job.geometry.pageBytes);
    });
  }
  const t1 = clock.now();
  const trips1 = client.stats.roundTrips;
  const done = (verified: number, repairs: number): ProgramOutcome => ({
    verified,
    repairs,
    writeMs: t1 - t0,
    verifyMs: clock.now() - t1,
    writeTrips: trips1 - trips0,
    verifyTrips: client.stats.roundTrips - trips1,
  });
  if (!job.verify && !job.neverErased) return done(0, 0);

  const checked: Range = job.verify ? range : (job.neverErased?.touched ?? range);
  const page = job.geometry.pageBytes;
  let repairs = 0;
  for (;;) {
    const bad = await verifyPages(job, pagesOf(checked, page).filter((p) => !state.good.has(p)));
    if (bad.pages.length === 0) {
      if (state.repaired.size > 0 && !client.erasesInOrder) {
        // Erasing the copies is a write that could go astray too: verify again, then sweep again.
        const strays = await findStrayCopies(job);
        for (const at of strays) {
          job.logger.log('info', `A copy of a firmware page sat at 0x${at.toString(16)}, past the image: erasing it.`);
          await writeRange(job, [{ start: at, end: at + page }]);
        }
        if (strays.length > 0) continue;
      }
      return done(checked.end - checked.start, repairs);
    }
    await refuseNeverErased(job, bad.pages);
    // A difference that moves from page to page, or within one, is the link's (a flipped byte on the
    // way); the same one through MAX_REPAIRS acknowledged rewrites is the chip's (a worn-out cell).
    const lasting = bad.pages.filter((p) => lastingDifference(state, p, bad.first.get(p)));
    if (lasting.length > 0) {
      throw new FlashError('verify-failed', `${lasting.length} page(s) still differ after ${MAX_REPAIRS} repairs; ${describe(bad.first.get(lasting[0] ?? -1) ?? null)}`);
    }
    if (bad.pages.some((p) => (state.differences.get(p)?.same ?? 0) === 0 && rewritesOf(state, p) > MAX_LINK_REWRITES)) {
      throw new FlashError('verify-failed', `pages keep reading back differently after ${MAX_LINK_REWRITES} rewrites: the link damages too much; ${describe(firstOf(bad))}`);
    }
    repairs++;
    // Counted once the bootloader acknowledged the page: a rewrite cut off by the link proves nothing.
    const rewritten = (p: number): void => {
      const d = state.differences.get(p);
      if (d && bad.pages.includes(p)) d.rewritten = true;
    };
    job.logger.log('info', `Verify: ${bad.pages.length} page(s) differ, ${describe(firstOf(bad))}. Writing them again (repair ${repairs}).`);
    if (client.erasesInOrder) {
      // One page cannot be rewritten alone: the bootloader would erase the page its counter points
      // at, not this one. Restart the counter and rewrite from 0 up to the last bad page.
      const last = bad.pages[bad.pages.length - 1] ?? 0;
      job.onRewriteFromZero?.(last + page);
      await client.restartErase();
      const resyncs = client.stats.resyncs;
      await writeRange(job, [{ start: 0, end: last + page }], rewritten);
      // A page command that arrived twice (its answer was lost, so it was sent again) moved the erase
      // counter one page further: it erased pages past the rewrite, which must be read again.
      for (let k = 0; k <= client.stats.resyncs - resyncs; k++) state.good.delete(last + page * (k + 1));
    } else {
      for (const p of bad.pages) state.repaired.add(p);
      await writeRange(job, bad.pages.map((p) => ({ start: p, end: p + page })), rewritten);
    }
  }
}

function pagesOf(r: Range, page: number): number[] {
  const out: number[] = [];
  for (let p = r.start - (r.start % page); p < r.end; p += page) out.push(p);
  return out;
}

/**
 * Writes `ranges`. When the bootloader's in-order erase counter may have been overwritten (see
 * EraseCounterLost), nothing more is written with it: the counter restarts at 0 and everything up to
 * the end of `ranges` is written again, at most MAX_COUNTER_RESTARTS times.
 */
async function writeRange(job: ProgramJob, ranges: readonly Range[], onPageWritten?: (page: number) => void): Promise<void> {
  for (let restarts = 0; ; restarts++) {
    try {
      await writeRanges(job, ranges, onPageWritten);
      return;
    } catch (e) {
      if (!(e instanceof EraseCounterLost)) throw e;
      const end = ranges.reduce((m, r) => Math.max(m, r.end), 0);
      if (restarts >= MAX_COUNTER_RESTARTS) {
        throw new FlashError('verify-failed', `the link damaged the bootloader's messages so that its page erase had to start again ${restarts + 1} times`);
      }
      job.logger.log('info', `A damaged message ran past the bootloader's buffer while writing page 0x${hex(e.atPage)}; its page erase may have been reset. Erasing from 0 again and writing up to 0x${hex(end)}.`);
      job.onRewriteFromZero?.(end);
      await job.client.restartErase();
      ranges = [{ start: 0, end }];
    }
  }
}

/**
 * Writes `ranges`. Every page written, and every page a damaged address could have sent it to,
 * must be read back again before the flash counts as verified.
 */
async function writeRanges(job: ProgramJob, ranges: readonly Range[], onPageWritten?: (page: number) => void): Promise<void> {
  const total = ranges.reduce((s, r) => s + r.end - r.start, 0);
  const progress = progressGate(job);
  const t0 = job.clock.now();
  const page = job.geometry.pageBytes;
  const { good } = job.state;
  let before = 0;
  job.emit({ state: 'writing', done: 0, total, bytesPerSecond: 0 });
  for (const r of ranges) {
    for (let p = r.start; p < r.end; p += page) {
      good.delete(p);
      for (const q of job.client.misdirectTargets(p, job.geometry)) good.delete(q);
    }
    await job.client.writeFlash(job.bytes, r.start, r.end, job.geometry, (done) => {
      job.state.pagesDone++;
      onPageWritten?.(r.start + done - page);
      const all = before + done;
      if (progress(all === total)) job.emit({ state: 'writing', done: all, total, bytesPerSecond: rate(all, job.clock.now() - t0) });
    });
    before += r.end - r.start;
  }
}
