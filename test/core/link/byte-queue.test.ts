// ByteQueue: exact reads with deadlines, partial reads, abort, close; nothing buffered is lost.
import { describe, expect, it } from 'vitest';
import { isFlashError } from '../../../src/core/errors.js';
import { ByteQueue } from '../../../src/core/link/byte-queue.js';
import { systemClock } from '../../../src/transports/system-clock.js';

describe('ByteQueue', () => {
  it('assembles an exact read from several chunks and keeps the rest', async () => {
    const q = new ByteQueue(systemClock);
    const p = q.read(5, 1000);
    q.push(Uint8Array.of(1, 2));
    q.push(Uint8Array.of(3, 4, 5, 6));
    expect(await p).toEqual(Uint8Array.of(1, 2, 3, 4, 5));
    expect(q.available).toBe(1);
    expect(await q.readSome(10, 100)).toEqual(Uint8Array.of(6));
  });

  it('times out with link-timeout and still delivers the bytes later', async () => {
    const q = new ByteQueue(systemClock);
    q.push(Uint8Array.of(9));
    const err = await q.read(2, 30).catch((e: unknown) => e);
    expect(isFlashError(err, 'link-timeout')).toBe(true);
    q.push(Uint8Array.of(8));
    expect(await q.read(2, 30)).toEqual(Uint8Array.of(9, 8));
  });

  it('rejects a pending read on abort and on close', async () => {
    const q = new ByteQueue(systemClock);
    const ac = new AbortController();
    const p = q.read(1, 5000, ac.signal);
    ac.abort();
    expect(isFlashError(await p.catch((e: unknown) => e), 'aborted')).toBe(true);
    const p2 = q.read(1, 5000);
    q.close(new (await import('../../../src/core/errors.js')).FlashError('link-closed', 'gone'));
    expect(isFlashError(await p2.catch((e: unknown) => e), 'link-closed')).toBe(true);
  });
});
