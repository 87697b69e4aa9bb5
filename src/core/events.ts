// What a flash session reports while it runs: a discriminated union keyed on `state`.
import type { ProtocolId } from './programmer.js';

export interface FlashResult {
  readonly protocol: ProtocolId;
  readonly baud: number | null;
  /** "1e 98 01" */
  readonly signature: string;
  readonly mcu: string;
  readonly bytesWritten: number;
  readonly bytesVerified: number;
  readonly ms: { readonly connect: number; readonly write: number; readonly verify: number; readonly total: number };
  readonly roundTrips: { readonly setup: number; readonly write: number; readonly verify: number };
  readonly bytesToBoard: number;
  readonly bytesFromBoard: number;
  /** Whether the bootloader confirmed leaving programming mode (which starts the firmware). */
  readonly started: boolean;
  /** What it took: re-synchronisations after damaged or lost answers, pages written again, resets mid-session. */
  readonly recovery: { readonly resyncs: number; readonly repairs: number; readonly reconnects: number };
  /**
   * Page commands sent before the answer to the one before, why the session went back to one at a time
   * (null: it did not), and the median host turnaround from an answer's arrival to the next command.
   */
  readonly pipeline: { readonly pages: number; readonly droppedBack: string | null; readonly turnaroundMs: number | null };
  readonly warnings: readonly string[];
  /** The session's time limit, grown with the link's measured round trip. */
  readonly budgetMs: number;
}

export type FlashPhase = 'resetting' | 'connecting' | 'writing' | 'verifying' | 'leaving';

export type FlashEvent =
  | { readonly state: 'resetting'; readonly attempt: number }
  | { readonly state: 'connecting'; readonly protocol: ProtocolId; readonly baud: number | null; readonly attempt: number }
  | {
      readonly state: 'connected';
      readonly protocol: ProtocolId;
      readonly baud: number | null;
      readonly signature: string;
      readonly mcu: string;
    }
  | { readonly state: 'writing' | 'verifying'; readonly done: number; readonly total: number; readonly bytesPerSecond: number }
  | { readonly state: 'leaving' }
  | { readonly state: 'done'; readonly result: FlashResult }
  | { readonly state: 'log'; readonly level: 'info' | 'debug'; readonly text: string };
