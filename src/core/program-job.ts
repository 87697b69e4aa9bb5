// One write-and-verify job as the session hands it to program.ts and readback.ts, and what a session
// knows across passes (PassState): what was written, which pages are proven, what differed.
import type { FlashEvent } from './events.js';
import type { Clock } from './link/clock.js';
import type { FlashGeometry, Logger, Programmer } from './programmer.js';

/** Times one page is written again before a difference there counts as lasting (a worn-out cell). */
export const MAX_REPAIRS = 2;

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
  /** Told before a rewrite from address 0 up to `end` that the bootloader's in-order erase forces. */
  readonly onRewriteFromZero?: (end: number) => void;
}

export interface Difference {
  readonly address: number;
  readonly wrote: number;
  readonly read: number;
}

/** A gate that opens at most once per the job's progress interval, and always when `force` is set. */
export function progressGate(job: ProgramJob): (force: boolean) => boolean {
  let last = -Infinity;
  return (force) => {
    const now = job.clock.now();
    if (!force && now - last < job.progressIntervalMs) return false;
    last = now;
    return true;
  };
}

export function rate(bytes: number, ms: number): number {
  return ms > 0 ? Math.round((bytes * 1000) / ms) : 0;
}

export function hex(n: number, width = 1): string {
  return n.toString(16).padStart(width, '0');
}

export function describe(d: Difference | null): string {
  if (!d) return 'no difference recorded';
  return `first difference at 0x${hex(d.address)}: wrote 0x${hex(d.wrote, 2)}, read 0x${hex(d.read, 2)}`;
}
