// Reading pages back: verifying them against the image (marking those equal as proven), the region a
// bootloader never erases, and the search past the image for copies a damaged address sent there.
import { FlashError } from './errors.js';
import { describe, hex, MAX_REPAIRS, progressGate, rate, type Difference, type PassState, type ProgramJob, type Range } from './program-job.js';

/** Consecutive pages as ranges, so a bootloader that auto-increments reads them in one pass. */
export function runsOf(pages: readonly number[], page: number): Range[] {
  const runs: Range[] = [];
  for (const p of pages) {
    const last = runs[runs.length - 1];
    if (last && last.end === p) runs[runs.length - 1] = { start: last.start, end: p + page };
    else runs.push({ start: p, end: p + page });
  }
  return runs;
}

export interface Verified {
  /** Pages that differ, in address order. */
  readonly pages: number[];
  /** The first difference in each of them. */
  readonly first: Map<number, Difference>;
}

export function firstOf(v: Verified): Difference | null {
  return v.first.get(v.pages[0] ?? -1) ?? null;
}

/** The first byte of `data` (read at `address`) that differs from the image, or null. */
function firstDifference(expected: Uint8Array, address: number, data: Uint8Array): Difference | null {
  for (let i = 0; i < data.length; i++) {
    const at = address + i;
    const want = at < expected.length ? (expected[at] ?? 0xff) : 0xff;
    if (data[i] !== want) return { address: at, wrote: want, read: data[i] ?? 0 };
  }
  return null;
}

/**
 * Reads `pages` back; marks those equal to the image good, returns the others with their first
 * difference. A page that differs is read once more before it counts: a read-back damaged on the
 * way (STK500v1 has no checksum, STK500v2's XOR misses two flips of one bit) is not worth a repair,
 * which on the 2560 means rewriting from 0.
 */
export async function verifyPages(job: ProgramJob, pages: readonly number[]): Promise<Verified> {
  const expected = job.bytes;
  const page = job.geometry.pageBytes;
  const total = pages.length * page;
  const progress = progressGate(job);
  const t0 = job.clock.now();
  const suspect = new Map<number, Difference>();
  let done = 0;
  job.emit({ state: 'verifying', done: 0, total, bytesPerSecond: 0 });
  for (const run of runsOf(pages, page)) {
    await job.client.readFlash(run.start, run.end, job.geometry, (address, data) => {
      const p = address - (address % page);
      const d = suspect.has(p) ? null : firstDifference(expected, address, data);
      if (d) suspect.set(p, d);
      job.state.pagesDone++;
      if (!suspect.has(p)) job.state.good.add(p);
      done += data.length;
      if (progress(done === total)) job.emit({ state: 'verifying', done, total, bytesPerSecond: rate(done, job.clock.now() - t0) });
    });
  }
  const bad: number[] = [];
  const first = new Map<number, Difference>();
  for (const p of [...suspect.keys()].sort((a, b) => a - b)) {
    let again: Difference | null = null;
    await job.client.readFlash(p, p + page, job.geometry, (address, data) => {
      again ??= firstDifference(expected, address, data);
    });
    if (again) {
      first.set(p, again);
      bad.push(p);
    } else {
      job.logger.log('debug', `Page 0x${hex(p)} read back equal the second time: the first read was damaged on the way.`);
      job.state.good.add(p);
    }
  }
  return { pages: bad, first };
}

/** Records page `p`'s difference; true when the same one survived MAX_REPAIRS acknowledged rewrites. */
export function lastingDifference(state: PassState, p: number, d: Difference | undefined): boolean {
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

export function rewritesOf(state: PassState, p: number): number {
  return state.differences.get(p)?.rewrites ?? 0;
}

/** Sweeps that find copies, at most, before the rest is left (they lie past the verified image). */
const MAX_SWEEPS = 3;

/** Bytes a read may get wrong (a flipped byte on the way back) and still be taken for a copy. */
const COPY_TOLERANCE = 2;

/**
 * STK500v1 has no checksum: a flipped bit in LOAD_ADDRESS sends a page to another address, and the
 * page it was meant for then reads back wrong and is repaired. Looks through the application section
 * past the image for a copy of any repaired page's data (allowing for a byte or two misread) and
 * returns where they are, for the caller to erase; none found ends the sweeping.
 */
export async function findStrayCopies(job: ProgramJob): Promise<number[]> {
  const page = job.geometry.pageBytes;
  const wanted = [...job.state.repaired].map((p) => job.bytes.subarray(p, p + page)).filter((d) => d.some((b) => b !== 0xff));
  if (wanted.length === 0 || job.range.end >= job.appEnd || job.state.sweeps >= MAX_SWEEPS) {
    if (job.state.sweeps >= MAX_SWEEPS) job.logger.log('info', `Pages past the image still hold copies after ${MAX_SWEEPS} sweeps; the firmware itself is verified.`);
    job.state.repaired.clear();
    return [];
  }
  job.state.sweeps++;
  job.logger.log('info', `Verify needed repairs: checking 0x${hex(job.range.end)}-0x${hex(job.appEnd - 1)} for pages that a damaged address sent there.`);
  const strays: number[] = [];
  await job.client.readFlash(job.range.end, job.appEnd, job.geometry, (address, data) => {
    if (wanted.some((w) => w.length === data.length && differing(w, data) <= COPY_TOLERANCE)) strays.push(address);
  });
  if (strays.length === 0) job.state.repaired.clear();
  return strays;
}

function differing(a: Uint8Array, b: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) n++;
  return n;
}

/** Pages in the never-erased region cannot be repaired: read them once more, and stop if they still differ. */
export async function refuseNeverErased(job: ProgramJob, pages: readonly number[]): Promise<void> {
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
