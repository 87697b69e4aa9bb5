// Builds a ByteLink from a ByteQueue plus a transport's write/signal/close functions, so every
// transport shares one implementation of deadlines, draining and closing.
import { FlashError } from '../errors.js';
import type { ByteLink, SerialSignals } from './byte-link.js';
import { ByteQueue } from './byte-queue.js';
import { sleep, type AbortSignalLike, type Clock } from './clock.js';

export interface QueueLinkParts {
  readonly description: string;
  readonly clock: Clock;
  write(bytes: Uint8Array): Promise<void>;
  setSignals(signals: SerialSignals): Promise<void>;
  /** Reopens at another baud; the transport keeps pushing into the same queue. */
  setBaud?(baud: number): Promise<void>;
  /** Releases the port; called once. */
  close(): Promise<void>;
  baud?: number;
  /** False once the transport found it cannot reset the board (see ByteLink.canReset). */
  canReset?(): boolean;
}

const MAX_DRAIN_MS = 2000;

export class QueueLink implements ByteLink {
  readonly queue: ByteQueue;
  readonly description: string;
  private closing: Promise<void> | null = null;
  private currentBaud: number | undefined;
  readonly setBaud?: (baud: number) => Promise<void>;

  constructor(private readonly parts: QueueLinkParts) {
    this.queue = new ByteQueue(parts.clock);
    this.description = parts.description;
    this.currentBaud = parts.baud;
    const reopen = parts.setBaud;
    if (reopen) {
      this.setBaud = async (baud: number): Promise<void> => {
        this.assertOpen();
        await reopen(baud);
        this.currentBaud = baud;
        this.queue.clear();
      };
    }
  }

  get baud(): number | undefined {
    return this.currentBaud;
  }

  get available(): number {
    return this.queue.available;
  }

  get canReset(): boolean {
    return this.parts.canReset?.() ?? true;
  }

  get lastReceivedAt(): number {
    return this.queue.lastReceivedAt;
  }

  async write(bytes: Uint8Array): Promise<void> {
    this.assertOpen();
    await this.parts.write(bytes);
  }

  read(n: number, timeoutMs: number, signal?: AbortSignalLike): Promise<Uint8Array> {
    return this.queue.read(n, timeoutMs, signal);
  }

  readSome(max: number, timeoutMs: number, signal?: AbortSignalLike): Promise<Uint8Array> {
    return this.queue.readSome(max, timeoutMs, signal);
  }

  async drain(quietMs = 0, signal?: AbortSignalLike): Promise<number> {
    let dropped = this.queue.clear();
    if (quietMs <= 0) return dropped;
    const { clock } = this.parts;
    const started = clock.now();
    while (clock.now() - started < MAX_DRAIN_MS) {
      await sleep(clock, quietMs, signal).catch(() => {
        throw new FlashError('aborted', '');
      });
      dropped += this.queue.clear();
      if (clock.now() - this.queue.lastReceivedAt >= quietMs) break;
    }
    return dropped;
  }

  async setSignals(signals: SerialSignals): Promise<void> {
    this.assertOpen();
    await this.parts.setSignals(signals);
  }

  /** For the transport's reader pump: the device is gone or the stream ended. */
  fail(error: FlashError): void {
    this.queue.close(error);
  }

  close(): Promise<void> {
    if (!this.closing) {
      this.queue.close(new FlashError('link-closed', 'The port was closed.'));
      this.closing = this.parts.close().catch(() => undefined);
    }
    return this.closing;
  }

  private assertOpen(): void {
    if (this.closing) throw new FlashError('link-closed', 'The port was closed.');
  }
}
