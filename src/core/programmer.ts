// The interface the protocol clients implement (STK500v1, STK500v2, AVR109), so a session can drive any of them.
import type { ByteLink } from './link/byte-link.js';
import type { AbortSignalLike, Clock } from './link/clock.js';
import type { Pacer } from './pipeline/pacer.js';

export type ProtocolId = 'stk500v1' | 'stk500v2' | 'avr109';
export const PROTOCOL_IDS: readonly ProtocolId[] = ['stk500v2', 'stk500v1', 'avr109'];

export function isProtocolId(s: string): s is ProtocolId {
  return (PROTOCOL_IDS as readonly string[]).includes(s);
}

export type LogLevel = 'info' | 'debug';
export interface Logger {
  /** When false, clients skip building debug strings (keeps the per-page loop lean). */
  readonly debug: boolean;
  log(level: LogLevel, text: string): void;
}

export const SILENT: Logger = { debug: false, log: () => undefined };

export interface LinkStats {
  roundTrips: number;
  bytesOut: number;
  bytesIn: number;
  /** Times the client lost sync and re-synchronised. */
  resyncs: number;
}

export interface ClientOptions {
  readonly link: ByteLink;
  readonly clock: Clock;
  readonly signal?: AbortSignalLike;
  readonly logger?: Logger;
  /** Deadline for one command's answer once the bootloader is talking. */
  readonly commandTimeoutMs?: number;
  /** The baud the bootloader talks at, when the link cannot tell (a TCP bridge): for timing pipelined commands. */
  readonly wireBaud?: number;
  /** The session's pipeline timing, shared by every client of the session; each client makes its own without it. */
  readonly pacer?: Pacer;
}

/**
 * Thrown by writeFlash of a bootloader that erases in order ('wiring') when a damaged frame may have
 * overwritten its erase counter: stk500boot does not bound a message's length, so one whose size
 * came in damaged runs past its buffer over the variables beside it. Nothing more was written after
 * it; the counter must be restarted and everything written again from 0.
 */
export class EraseCounterLost extends Error {
  constructor(readonly atPage: number) {
    super(`the bootloader's erase counter may have been overwritten while writing page 0x${atPage.toString(16)}`);
    this.name = 'EraseCounterLost';
  }
}

export interface FlashGeometry {
  readonly pageBytes: number;
  readonly flashBytes: number;
}

export interface Programmer {
  readonly protocol: ProtocolId;
  readonly stats: LinkStats;
  /**
   * True when the bootloader erases pages in write order from address 0 instead of at the written
   * address ('wiring'): rewriting one page then needs `restartErase()` and a rewrite from 0.
   */
  readonly erasesInOrder: boolean;
  /** Restarts the in-order erase at address 0 (only when `erasesInOrder`). */
  restartErase(): Promise<void>;
  /** One attempt to hear the bootloader within `timeoutMs`; resolves with what it said ("AVRISP_2"). */
  probe(timeoutMs: number): Promise<string>;
  readSignature(): Promise<Uint8Array>;
  enterProgramming(): Promise<void>;
  /** Writes `bytes[start, end)`; both page-aligned. `onPage` gets the bytes done so far. */
  writeFlash(bytes: Uint8Array, start: number, end: number, geometry: FlashGeometry, onPage: (done: number) => void): Promise<void>;
  /** Reads `[start, end)` page by page, handing each page to `onPage` (the buffer may be reused). */
  readFlash(start: number, end: number, geometry: FlashGeometry, onPage: (address: number, data: Uint8Array) => void): Promise<void>;
  /** Leaves the bootloader, which starts the application. */
  leaveProgramming(): Promise<void>;
  /**
   * Pages a write meant for `page` could land on instead, when one bit of its address is damaged on
   * the way and the protocol cannot tell (STK500v1 has no checksum). They are read back again.
   */
  misdirectTargets(page: number, geometry: FlashGeometry): readonly number[];
}
