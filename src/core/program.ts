// Writes a planned range, verifies it by reading it back, and repairs what differs. What a session
// has proven survives a lost bootloader (PassState): pages read back equal are not read again, and
// after a repair only the rewritten pages, and those a damaged address could have sent a rewrite to,
// are read again. Repairs go on until one page differs through MAX_REPAIRS rewrites; on bootloaders that erase
// in order (the 2560's 'wiring') a repair restarts the erase counter and rewrites from 0. A region
// the bootloader never erases is read back even when verifying is off; old bytes there end the session.
import { FlashError } from './errors.js';
import type { FlashEvent } from './events.js';
import type { Clock } from './link/clock.js';
import type { FlashGeometry, Logger, Programmer } from './programmer.js';

/** Times one page is written again before a difference there counts as lasting (a worn-out cell). */
export const MAX_REPAIRS = 2;
/** Rewrites of one page whose differences keep moving before the link counts as too damaging. */
const MAX_LINK_REWRITES = 8;

export interface Range {
  readonly start: number;
  readonly end: number;
}

/** What a session knows across passes (a pass ends when the bootloader is lost and the board reset). */
export interface PassState {
  /** End of the written-and-acknowledged part of the first write. */
  writtenTo: number;
  /** Pages read back equal to the image since they were last written (or could have been hit). */
  readonly good: Set<number>;
  /** Pages written again by repairs: a damaged address may have sent a copy of one past the image. */
  readonly repaired: Set<number>;
  /**
   * Per page that differed: its difference ("address:read"), whether it was written again since,
   * and how many rewrites in a row left that same difference.
   */
  readonly differences: Map<number, { key: string; rewritten: boolean; same: number; rewrites: number }>;
  /** Sweeps past the image that found copies to erase. */
  sweeps: number;
  /** Pages written and acknowledged, or read back, so far: a pass that adds none got nowhere. */
  pagesDone: number;
}

export function newPassState(): PassState {
  return { writtenTo: 0, good: new Set(), repaired: new Set(), differences: new Map(), sweeps: 0, pagesDone: 0 };
}

export interface ProgramJob {
  readonly client: Programmer;
  /** The image, dense from address 0; addresses past its end are written as 0xFF. */
  readonly bytes: Uint8Array;
  readonly range: Range;
  /** End of the application section: pages up to here may receive a misdirected write. */
  readonly appEnd: number;
  /** Where the first write starts: `range.start`, or later when a previous pass got that far. */
  readonly resumeAt: number;
  readonly state: PassState;
  readonly geometry: FlashGeometry;
  readonly verify: boolean;
  /** The bootloader's never-erased region (see stk500v2 neverErasedRegion) when `range` reaches into it. */
  readonly neverErased: { readonly region: Range; readonly touched: Range } | null;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly emit: (e: FlashEvent) => void;
  readonly progressIntervalMs: number;
}

export interface ProgramOutcome {
  readonly verified: number;
  readonly repairs: number;
  readonly writeMs: number;
  readonly verifyMs: number;
  /** Round trips of the first write, and of everything after it (verify, repairs). */
  readonly writeTrips: number;
  readonly verifyTrips: number;
}

interface Difference {
  readonly address: number;
  readonly wrote: number;
  readonly read: number;
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
      if (state.repaired.size > 0 && !client.erasesInOrder && (await sweepStrayCopies(job))) continue;
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
      await client.restartErase();
      const last = bad.pages[bad.pages.length - 1] ?? 0;
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

/** Consecutive pages as ranges, so a bootloader that auto-increments reads them in one pass. */
function runsOf(pages: readonly number[], page: number): Range[] {
  const runs: Range[] = [];
  for (const p of pages) {
    const last = runs[runs.length - 1];
    if (last && last.end === p) runs[runs.length - 1] = { start: last.start, end: p + page };
    else runs.push({ start: p, end: p + page });
  }
  return runs;
}

/**
 * Writes `ranges`. Every page written, and every page a damaged address could have sent it to,
 * must be read back again before the flash counts as verified.
 */
async function writeRange(job: ProgramJob, ranges: readonly Range[], onPageWritten?: (page: number) => void): Promise<void> {
  const total = ranges.reduce((s, r) => s + r.end - r.start, 0);
  const progress = gate(job);
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

interface Verified {
  /** Pages that differ, in address order. */
  readonly pages: number[];
  /** The first difference in each of them. */
  readonly first: Map<number, Difference>;
}

function firstOf(v: Verified): Difference | null {
  return v.first.get(v.pages[0] ?? -1) ?? null;
}

/** Reads `pages` back; marks those equal to the image good, returns the others with their first difference. */
async function verifyPages(job: ProgramJob, pages: readonly number[]): Promise<Verified> {
  const expected = job.bytes;
  const page = job.geometry.pageBytes;
  const total = pages.length * page;
  const progress = gate(job);
  const t0 = job.clock.now();
  const bad: number[] = [];
  const first = new Map<number, Difference>();
  let done = 0;
  job.emit({ state: 'verifying', done: 0, total, bytesPerSecond: 0 });
  for (const run of runsOf(pages, page)) {
    await job.client.readFlash(run.start, run.end, job.geometry, (address, data) => {
      const p = address - (address % page);
      for (let i = 0; i < data.length; i++) {
        const at = address + i;
        const want = at < expected.length ? (expected[at] ?? 0xff) : 0xff;
        if (data[i] !== want) {
          if (!first.has(p)) {
            first.set(p, { address: at, wrote: want, read: data[i] ?? 0 });
            bad.push(p);
          }
          break;
        }
      }
      job.state.pagesDone++;
      if (!first.has(p)) job.state.good.add(p);
      done += data.length;
      if (progress(done === total)) job.emit({ state: 'verifying', done, total, bytesPerSecond: rate(done, job.clock.now() - t0) });
    });
  }
  return { pages: bad, first };
}

/** Records page `p`'s difference; true when the same one survived MAX_REPAIRS acknowledged rewrites. */
function lastingDifference(state: PassState, p: number, d: Difference | undefined): boolean {
  const key = d ? `${d.address}:${d.read}` : '';
  const seen = state.differences.get(p);
  if (!seen) {
    state.differences.set(p, { key, rewritten: false, same: 0, rewrites: 0 });
    return false;
  }
  if (seen.rewritten) {
    seen.rewrites++;
    seen.same = seen.key === key ? seen.same + 1 : 0;
  }
  seen.key = key;
  seen.rewritten = false;
  return seen.same >= MAX_REPAIRS;
}

function rewritesOf(state: PassState, p: number): number {
  return state.differences.get(p)?.rewrites ?? 0;
}

/** Sweeps that find copies, at most, before the rest is left (they lie past the verified image). */
const MAX_SWEEPS = 3;

/** Bytes a read may get wrong (a flipped byte on the way back) and still be taken for a copy. */
const COPY_TOLERANCE = 2;

/**
 * STK500v1 has no checksum: a flipped bit in LOAD_ADDRESS sends a page to another address, and the
 * page it was meant for then reads back wrong and is repaired. Look through the application section
 * past the image for a copy of any repaired page's data (allowing for a byte or two misread) and
 * erase it. Returns true when it erased anything: those writes could have gone astray as well, so
 * the caller verifies again.
 */
async function sweepStrayCopies(job: ProgramJob): Promise<boolean> {
  const page = job.geometry.pageBytes;
  const wanted = [...job.state.repaired].map((p) => job.bytes.subarray(p, p + page)).filter((d) => d.some((b) => b !== 0xff));
  if (wanted.length === 0 || job.range.end >= job.appEnd || job.state.sweeps >= MAX_SWEEPS) {
    if (job.state.sweeps >= MAX_SWEEPS) job.logger.log('info', `Pages past the image still hold copies after ${MAX_SWEEPS} sweeps; the firmware itself is verified.`);
    job.state.repaired.clear();
    return false;
  }
  job.state.sweeps++;
  job.logger.log('info', `Verify needed repairs: checking 0x${hex(job.range.end)}-0x${hex(job.appEnd - 1)} for pages that a damaged address sent there.`);
  const strays: number[] = [];
  await job.client.readFlash(job.range.end, job.appEnd, job.geometry, (address, data) => {
    if (wanted.some((w) => w.length === data.length && differing(w, data) <= COPY_TOLERANCE)) strays.push(address);
  });
  // Nothing found: the sweep is done. Otherwise erase, and sweep again after the next verify, which
  // also reads back whatever those erasing writes could have hit.
  if (strays.length === 0) job.state.repaired.clear();
  for (const at of strays) {
    job.logger.log('info', `A copy of a firmware page sat at 0x${hex(at)}, past the image: erasing it.`);
    await writeRange(job, [{ start: at, end: at + page }]);
  }
  return strays.length > 0;
}

function differing(a: Uint8Array, b: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) n++;
  return n;
}

/** Pages in the never-erased region cannot be repaired: read them once more, and stop if they still differ. */
async function refuseNeverErased(job: ProgramJob, pages: readonly number[]): Promise<void> {
  if (!job.neverErased) return;
  const { region, touched } = job.neverErased;
  for (const p of pages) {
    if (p < touched.start || p >= touched.end) continue;
    const again = await verifyPages(job, [p]);
    if (again.pages.length > 0) {
      throw new FlashError(
        'region-not-erased',
        `${describe(firstOf(again))}, in 0x${hex(region.start)}-0x${hex(region.end - 1)}, which the bootloader writes without erasing.`,
      );
    }
  }
}

function describe(d: Difference | null): string {
  if (!d) return 'no difference recorded';
  return `first difference at 0x${hex(d.address)}: wrote 0x${hex(d.wrote, 2)}, read 0x${hex(d.read, 2)}`;
}

function hex(n: number, width = 1): string {
  return n.toString(16).padStart(width, '0');
}

function rate(bytes: number, ms: number): number {
  return ms > 0 ? Math.round((bytes * 1000) / ms) : 0;
}

/** A gate that opens at most once per progress interval, and always when `force` is set. */
function gate(job: ProgramJob): (force: boolean) => boolean {
  let last = -Infinity;
  return (force) => {
    const now = job.clock.now();
    if (!force && now - last < job.progressIntervalMs) return false;
    last = now;
    return true;
  };
}
