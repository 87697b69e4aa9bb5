// AVR109 client command bytes against Caterina.c's CDC_Task, with a scripted answerer. The real
// Caterina command loop runs on the emulated ATmega32U4 in test/engine/flash-leonardo.test.ts.
import { describe, expect, it } from 'vitest';
import { Avr109Client } from '../../../src/core/avr109/client.js';
import { isFlashError } from '../../../src/core/errors.js';
import { systemClock } from '../../../src/transports/system-clock.js';
import { hex, scriptLink } from '../../helpers/script-link.js';

const g32u4 = { pageBytes: 128, flashBytes: 32 * 1024 };

/** Answers each written command like Caterina; `lose` drops the answer to the n-th write. */
function caterina(opts: { lose?: number; blockBytes?: number } = {}) {
  const s = scriptLink((w, index) => {
    if (index === opts.lose) return null;
    const out: number[] = [];
    let i = 0;
    while (i < w.length) {
      const c = String.fromCharCode(w[i] ?? 0);
      if (c === 'A') {
        out.push(0x0d);
        i += 3;
      } else if (c === 'B') {
        i += 4 + (((w[i + 1] ?? 0) << 8) | (w[i + 2] ?? 0));
        out.push(0x0d);
      } else if (c === 'g') {
        out.push(...new Array<number>(((w[i + 1] ?? 0) << 8) | (w[i + 2] ?? 0)).fill(0x5a));
        i += 4;
      } else {
        i++;
        if (c === 'S') out.push(...Array.from('CATERIN', (ch) => ch.charCodeAt(0)));
        else if (c === 's') out.push(0x87, 0x95, 0x1e);
        else if (c === 'b') out.push(0x59, 0, opts.blockBytes ?? 128);
        else if (c === 'P' || c === 'L' || c === 'E') out.push(0x0d);
        else if (c !== '\x1b') out.push(0x3f);
      }
    }
    return Uint8Array.from(out);
  });
  return s;
}

describe('Avr109Client', () => {
  it("probes with 'S' and reads the signature with 's', last byte first", async () => {
    const s = caterina();
    const c = new Avr109Client({ link: s.link, clock: systemClock });
    expect(await c.probe(100)).toBe('CATERIN');
    expect(await c.readSignature()).toEqual(hex('1e 95 87'));
    expect(s.writes.map((w) => String.fromCharCode(...w))).toEqual(['S', 's']);
  });

  it("refuses a '?' answer to 'S' as a protocol error (an STK500 bootloader or a sketch)", async () => {
    const s = scriptLink(() => new Uint8Array(7).fill(0x3f));
    const c = new Avr109Client({ link: s.link, clock: systemClock });
    await expect(c.probe(100)).rejects.toSatisfy((e: unknown) => isFlashError(e, 'protocol-error'));
  });

  it("sets the word address once and then writes one 'B' block per page, relying on auto-increment", async () => {
    const s = caterina();
    const c = new Avr109Client({ link: s.link, clock: systemClock });
    await c.enterProgramming();
    const image = Uint8Array.from({ length: 384 }, (_, i) => i & 0xff);
    const done: number[] = [];
    await c.writeFlash(image, 0x100, 0x280, g32u4, (d) => done.push(d));
    const writes = s.writes.slice(2);
    expect(writes).toHaveLength(3);
    expect(Array.from(writes[0]?.subarray(0, 7) ?? [])).toEqual([0x41, 0x00, 0x80, 0x42, 0x00, 0x80, 0x46]);
    expect(writes[0]?.subarray(7)).toEqual(image.subarray(0x100, 0x180));
    expect(Array.from(writes[1]?.subarray(0, 4) ?? [])).toEqual([0x42, 0x00, 0x80, 0x46]);
    expect(writes[2]?.length).toBe(4 + 128);
    // The last page runs past the image: filled with 0xFF.
    expect(writes[2]?.subarray(4)).toEqual(new Uint8Array(128).fill(0xff));
    expect(done).toEqual([128, 256, 384]);
  });

  it("reads with 'A' once and 'g' 00 80 'F' per page", async () => {
    const s = caterina();
    const c = new Avr109Client({ link: s.link, clock: systemClock });
    const pages: number[] = [];
    await c.readFlash(0x7000 - 256, 0x7000, g32u4, (a, d) => {
      pages.push(a);
      expect(d).toEqual(new Uint8Array(128).fill(0x5a));
    });
    expect(pages).toEqual([0x6f00, 0x6f80]);
    expect(Array.from(s.writes[0] ?? [])).toEqual([0x41, 0x37, 0x80, 0x67, 0x00, 0x80, 0x46]);
    expect(Array.from(s.writes[1] ?? [])).toEqual([0x67, 0x00, 0x80, 0x46]);
  });

  it('after a lost answer, completes the block with ESC fillers, checks S, and writes the page again at its address', async () => {
    const s = caterina({ lose: 2 });
    const c = new Avr109Client({ link: s.link, clock: systemClock, commandTimeoutMs: 60 });
    await c.enterProgramming();
    const image = new Uint8Array(256).fill(0x11);
    await c.writeFlash(image, 0, 256, g32u4, () => undefined);
    expect(c.stats.resyncs).toBe(1);
    const texts = s.writes.slice(2).map((w) => w[0]);
    expect(texts).toEqual([0x41, 0x1b, 0x53, 0x41, 0x42]);
  });

  it("refuses a bootloader whose block size is not the chip's page", async () => {
    const s = caterina({ blockBytes: 64 });
    const c = new Avr109Client({ link: s.link, clock: systemClock });
    await c.enterProgramming();
    await expect(c.writeFlash(new Uint8Array(128), 0, 128, g32u4, () => undefined)).rejects.toSatisfy((e: unknown) => isFlashError(e, 'protocol-error'));
  });

  it("leaves with 'L' and 'E'", async () => {
    const s = caterina();
    const c = new Avr109Client({ link: s.link, clock: systemClock });
    await c.leaveProgramming();
    expect(s.writes.map((w) => String.fromCharCode(...w))).toEqual(['L', 'E']);
  });
});
