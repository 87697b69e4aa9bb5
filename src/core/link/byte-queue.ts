// ByteQueue: received bytes waiting for a protocol read. A transport's single reader pump pushes
// chunks in; `read(n, timeoutMs)` waits for exactly n bytes with a deadline and never drops data.
import { FlashError } from '../errors.js';
import type { AbortSignalLike, Clock } from './clock.js';

interface PendingRead {
  /** Bytes wanted; `some` reads take 1..n. */
  readonly n: number;
  readonly some: boolean;
  readonly resolve: (bytes: Uint8Array) => void;
  readonly reject: (e: unknown) => void;
}

export class ByteQueue {
  private chunks: Uint8Array[] = [];
  private head = 0; // offset into chunks[0]
  private count = 0;
  private pending: PendingRead | null = null;
  private closedWith: FlashError | null = null;
  private lastPushAt: number;

  constructor(private readonly clock: Clock) {
    this.lastPushAt = clock.now();
  }

  get available(): number {
    return this.count;
  }

  /** Time of the last byte received, on the queue's clock. */
  get lastReceivedAt(): number {
    return this.lastPushAt;
  }

  push(chunk: Uint8Array): void {
    if (chunk.length === 0 || this.closedWith) return;
    this.chunks.push(chunk);
    this.count += chunk.length;
    this.lastPushAt = this.clock.now();
    this.satisfy();
  }

  /** Ends the queue: pending and later reads fail with `error` (once buffered bytes are used up). */
  close(error: FlashError): void {
    if (this.closedWith) return;
    this.closedWith = error;
    const p = this.pending;
    if (p && this.count < (p.some ? 1 : p.n)) {
      this.pending = null;
      p.reject(error);
    }
  }

  get closed(): boolean {
    return this.closedWith !== null;
  }

  /** Drops everything buffered; returns how many bytes were dropped. */
  clear(): number {
    const dropped = this.count;
    this.chunks = [];
    this.head = 0;
    this.count = 0;
    return dropped;
  }

  /** Resolves with exactly `n` bytes. */
  read(n: number, timeoutMs: number, signal?: AbortSignalLike): Promise<Uint8Array> {
    return this.wait(n, false, timeoutMs, signal);
  }

  /** Resolves with 1..`max` bytes as soon as any are there. */
  readSome(max: number, timeoutMs: number, signal?: AbortSignalLike): Promise<Uint8Array> {
    return this.wait(max, true, timeoutMs, signal);
  }

  private wait(n: number, some: boolean, timeoutMs: number, signal?: AbortSignalLike): Promise<Uint8Array> {
    if (this.pending) return Promise.reject(new Error('ByteQueue: only one read at a time'));
    if (this.count >= n || (some && this.count > 0)) return Promise.resolve(this.take(Math.min(n, this.count)));
    if (this.closedWith) return Promise.reject(this.closedWith);
    if (signal?.aborted) return Promise.reject(new FlashError('aborted', ''));
    return new Promise<Uint8Array>((resolve, reject) => {
      const finish = (): void => {
        cancelTimer();
        signal?.removeEventListener('abort', onAbort);
      };
      const onAbort = (): void => {
        this.pending = null;
        finish();
        reject(new FlashError('aborted', ''));
      };
      const cancelTimer = this.clock.setTimer(timeoutMs, () => {
        this.pending = null;
        signal?.removeEventListener('abort', onAbort);
        const wanted = some ? 'any byte' : `${n} byte(s)`;
        reject(new FlashError('link-timeout', `Expected ${wanted}, got ${this.count} within ${timeoutMs} ms.`));
      });
      signal?.addEventListener('abort', onAbort, { once: true });
      this.pending = {
        n,
        some,
        resolve: (b) => {
          finish();
          resolve(b);
        },
        reject: (e) => {
          finish();
          reject(e);
        },
      };
    });
  }

  private satisfy(): void {
    const p = this.pending;
    if (p && (this.count >= p.n || (p.some && this.count > 0))) {
      this.pending = null;
      p.resolve(this.take(Math.min(p.n, this.count)));
    }
  }

  private take(n: number): Uint8Array {
    const out = new Uint8Array(n);
    let filled = 0;
    while (filled < n) {
      const first = this.chunks[0];
      if (!first) break;
      const avail = first.length - this.head;
      const use = Math.min(avail, n - filled);
      out.set(first.subarray(this.head, this.head + use), filled);
      filled += use;
      if (use === avail) {
        this.chunks.shift();
        this.head = 0;
      } else {
        this.head += use;
      }
    }
    this.count -= n;
    return out;
  }
}
