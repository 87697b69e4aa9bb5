// ByteLink: the one interface between protocol clients and a serial-like transport.
// Every read has a deadline; transports feed received bytes into a ByteQueue (byte-queue.ts).
import type { AbortSignalLike } from './clock.js';

export interface SerialSignals {
  dataTerminalReady?: boolean;
  requestToSend?: boolean;
}

export interface ByteLink {
  /** A short human name for logs ("Web Serial 1a86:7523", "net:127.0.0.1:7000"). */
  readonly description: string;
  write(bytes: Uint8Array): Promise<void>;
  /**
   * Resolves with exactly `n` bytes. Rejects with a FlashError: code 'link-timeout' when they
   * do not all arrive within `timeoutMs`, 'link-closed' when the device goes away, 'aborted' on abort.
   */
  read(n: number, timeoutMs: number, signal?: AbortSignalLike): Promise<Uint8Array>;
  /** Resolves with 1..`max` bytes as soon as any have arrived; same errors as `read`. */
  readSome(max: number, timeoutMs: number, signal?: AbortSignalLike): Promise<Uint8Array>;
  /**
   * Discards buffered input, then keeps discarding until the line was quiet for `quietMs` (2 s at
   * most). Returns bytes dropped; rejects with 'aborted' on abort.
   */
  drain(quietMs?: number, signal?: AbortSignalLike): Promise<number>;
  /** Drives DTR/RTS. Links without modem lines (a plain TCP bridge) may emulate or ignore this. */
  setSignals(signals: SerialSignals): Promise<void>;
  /** Reopens the line at another baud rate. Absent when the link cannot change it (a TCP bridge). */
  setBaud?(baud: number): Promise<void>;
  /** The current baud rate, when the link knows it. */
  readonly baud?: number;
  /**
   * False once the link is known to have no way to reset the board (no modem lines reach it: a
   * pseudo-terminal, ser2net in front of one). Absent or true: DTR/RTS (or reconnecting) resets it.
   */
  readonly canReset?: boolean;
  /** Bytes received and not yet read, when the link knows. */
  readonly available?: number;
  /** When the last bytes arrived, on the link's clock (for the host's turnaround), when the link knows it. */
  readonly lastReceivedAt?: number;
  /** Releases the port. Idempotent; never throws. */
  close(): Promise<void>;
}
