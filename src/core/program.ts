// Writes a planned range, verifies it by reading it back, and repairs what differs: the pages that
// failed are written again (from address 0 on bootloaders that erase in order) and everything is
// read back again, a bounded number of times. A region the bootloader never erases is read back
// even when verifying is off, and old bytes there end the session with their own error.
import { FlashError } from './errors.js';
import type { FlashEvent } from './events.js';
import type { Clock } from './link/clock.js';
import type { FlashGeometry, Logger, Programmer } from './programmer.js';

export const MAX_REPAIRS = 2;

export interface Range {
  readonly start: number;
  readonly end: number;
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
  /** Told the end of the written-and-acknowledged part of the first write as it grows. */
  readonly onWritten: (address: number) => void;
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
  const { client, range, clock } = job;
  const t0 = clock.now();
  const trips0 = client.stats.roundTrips;
  if (job.resumeAt > range.start) job.logger.log('info', `Going on with the write at 0x${hex(job.resumeAt)}.`);
  if (job.resumeAt < range.end) await writeRange(job, [{ start: job.resumeAt, end: range.end }], 'writing', job.onWritten);
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
  let bad = await verifyRange(job, checked);
  const repaired = new Set<number>();
  for (let repair = 1; ; repair++) {
    if (bad.pages.length === 0) {
      if (repaired.size > 0) await sweepStrayCopies(job, repaired);
      return done(checked.end - checked.start, repair - 1);
    }
    await refuseNeverErased(job, bad.pages);
    const first = bad.first;
    if (repair > MAX_REPAIRS || !first) {
      throw new FlashError(
        'verify-failed',
        `${bad.pages.length} page(s) still differ after ${MAX_REPAIRS} repairs; ${describe(first)}`,
      );
    }
    job.logger.log(
      'info',
      `Verify: ${bad.pages.length} page(s) differ, ${describe(first)}. Writing them again (repair ${repair} of ${MAX_REPAIRS}).`,
    );
    const page = job.geometry.pageBytes;
    if (client.erasesInOrder) {
      // One page cannot be rewritten alone: the bootloader would erase the page its counter points
      // at, not this one. Restart the counter and rewrite from 0 up to the last bad page.
      await client.restartErase();
      const last = bad.pages[bad.pages.length - 1] ?? 0;
      await writeRange(job, [{ start: 0, end: last + page }], 'writing');
    } else {
      for (const p of bad.pages) repaired.add(p);
      await writeRange(job, bad.pages.map((p) => ({ start: p, end: p + page })), 'writing');
    }
    bad = await verifyRange(job, checked);
  }
}

async function writeRange(job: ProgramJob, ranges: readonly Range[], state: 'writing', onWritten?: (address: number) => void): Promise<void> {
  const total = ranges.reduce((s, r) => s + r.end - r.start, 0);
  const progress = gate(job);
  const t0 = job.clock.now();
  let before = 0;
  job.emit({ state, done: 0, total, bytesPerSecond: 0 });
  for (const r of ranges) {
    await job.client.writeFlash(job.bytes, r.start, r.end, job.geometry, (done) => {
      onWritten?.(r.start + done);
      const all = before + done;
      if (progress(all === total)) job.emit({ state, done: all, total, bytesPerSecond: rate(all, job.clock.now() - t0) });
    });
    before += r.end - r.start;
  }
}

/** Reads `range` back; returns the pages that differ from the image and the first difference. */
async function verifyRange(job: ProgramJob, range: Range): Promise<{ pages: number[]; first: Difference | null }> {
  const expected = job.bytes;
  const page = job.geometry.pageBytes;
  const total = range.end - range.start;
  const progress = gate(job);
  const t0 = job.clock.now();
  const pages: number[] = [];
  let first: Difference | null = null;
  job.emit({ state: 'verifying', done: 0, total, bytesPerSecond: 0 });
  await job.client.readFlash(range.start, range.end, job.geometry, (address, data) => {
    for (let i = 0; i < data.length; i++) {
      const at = address + i;
      const want = at < expected.length ? (expected[at] ?? 0xff) : 0xff;
      if (data[i] !== want) {
        const p = at - (at % page);
        if (pages[pages.length - 1] !== p) pages.push(p);
        first ??= { address: at, wrote: want, read: data[i] ?? 0 };
      }
    }
    const done = address + data.length - range.start;
    if (progress(done === total)) job.emit({ state: 'verifying', done, total, bytesPerSecond: rate(done, job.clock.now() - t0) });
  });
  return { pages, first };
}

/**
 * STK500v1 has no checksum: a flipped bit in LOAD_ADDRESS sends a page to another address, and the
 * page it was meant for then reads back wrong. After such a repair, look through the application
 * section past the image for a copy of a repaired page's data, and erase it.
 */
async function sweepStrayCopies(job: ProgramJob, repaired: ReadonlySet<number>): Promise<void> {
  const page = job.geometry.pageBytes;
  const wanted = [...repaired].map((p) => job.bytes.subarray(p, p + page)).filter((d) => d.some((b) => b !== 0xff));
  if (wanted.length === 0 || job.range.end >= job.appEnd) return;
  job.logger.log('info', `Verify needed repairs: checking 0x${hex(job.range.end)}-0x${hex(job.appEnd - 1)} for pages that a damaged address sent there.`);
  const strays: number[] = [];
  await job.client.readFlash(job.range.end, job.appEnd, job.geometry, (address, data) => {
    if (wanted.some((w) => w.length === data.length && w.every((b, i) => b === data[i]))) strays.push(address);
  });
  for (const at of strays) {
    job.logger.log('info', `A copy of a firmware page sat at 0x${hex(at)}, past the image: erasing it.`);
    await writeRange(job, [{ start: at, end: at + page }], 'writing');
  }
}

/** Pages in the never-erased region cannot be repaired: read them once more, and stop if they still differ. */
async function refuseNeverErased(job: ProgramJob, pages: readonly number[]): Promise<void> {
  if (!job.neverErased) return;
  const { region, touched } = job.neverErased;
  const page = job.geometry.pageBytes;
  for (const p of pages) {
    if (p < touched.start || p >= touched.end) continue;
    const again = await verifyRange(job, { start: p, end: p + page });
    if (again.first) {
      throw new FlashError(
        'region-not-erased',
        `${describe(again.first)}, in 0x${hex(region.start)}-0x${hex(region.end - 1)}, which the bootloader writes without erasing.`,
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
