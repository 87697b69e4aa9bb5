// STK500v2 client command bytes against AVR068 / FIELD-NOTES, with a scripted answerer.
import { describe, expect, it } from 'vitest';
import { FlashError, isFlashError } from '../../../src/core/errors.js';
import { Stk500v2Client } from '../../../src/core/stk500v2/client.js';
import { encodeFrame, FrameDecoder } from '../../../src/core/stk500v2/frame.js';
import { systemClock } from '../../../src/transports/system-clock.js';
import { hex, scriptLink } from '../../helpers/script-link.js';

/** Answers like stk500boot.c: echoes the sequence, status OK, READ_FLASH returns `fill`. */
function wiring(opts: { corruptReply?: number } = {}) {
  const bodies: Uint8Array[] = [];
  const s = scriptLink((w, i) => {
    const [f] = new FrameDecoder().push(w);
    if (!f || f.kind !== 'frame') return null;
    bodies.push(f.body);
    const cmd = f.body[0] ?? 0;
    let body: Uint8Array;
    if (cmd === 0x01) body = Uint8Array.from([0x01, 0x00, 0x08, ...new TextEncoder().encode('AVRISP_2')]);
    else if (cmd === 0x1b) body = Uint8Array.of(0x1b, 0, [0x1e, 0x98, 0x01][f.body[4] ?? 0] ?? 0, 0);
    else if (cmd === 0x14) {
      const n = ((f.body[1] ?? 0) << 8) | (f.body[2] ?? 0);
      body = new Uint8Array(n + 3).fill(0x5a);
      body[0] = 0x14;
      body[1] = 0;
      body[n + 2] = 0;
    } else body = Uint8Array.of(cmd, 0x00);
    const out = encodeFrame(f.sequence, body);
    if (opts.corruptReply === i) out[out.length - 1] = (out[out.length - 1] ?? 0) ^ 0xff;
    return out;
  });
  return { ...s, bodies };
}

const g2560 = { pageBytes: 256, flashBytes: 256 * 1024 };

describe('Stk500v2Client', () => {
  it('signs on with sequence 1 and reads the answer text', async () => {
    const w = wiring();
    const c = new Stk500v2Client({ link: w.link, clock: systemClock });
    expect(await c.probe(200)).toBe('AVRISP_2');
    expect(w.writes[0]).toEqual(hex('1b 01 00 01 0e 01 14'));
  });

  it('reads the signature with three READ_SIGNATURE_ISP commands (index in body byte 4)', async () => {
    const w = wiring();
    const c = new Stk500v2Client({ link: w.link, clock: systemClock });
    expect(await c.readSignature()).toEqual(hex('1e 98 01'));
    expect(w.bodies.map((b) => Array.from(b))).toEqual([0, 1, 2].map((i) => [0x1b, 0, 0x30, 0, i, 0]));
  });

  it('writes a contiguous pass with ONE LOAD_ADDRESS (bit 31 set on a 256 KiB part) and 256-byte blocks', async () => {
    const w = wiring();
    const c = new Stk500v2Client({ link: w.link, clock: systemClock });
    const image = Uint8Array.from({ length: 0x20400 }, (_, i) => i & 0xff);
    const done: number[] = [];
    await c.writeFlash(image, 0x20000, 0x20400, g2560, (d) => done.push(d));
    expect(Array.from(w.bodies[0] ?? [])).toEqual([0x06, 0x80, 0x01, 0x00, 0x00]); // word address 0x10000
    const pages = w.bodies.slice(1);
    expect(pages).toHaveLength(4);
    for (const [i, b] of pages.entries()) {
      expect(Array.from(b.subarray(0, 10))).toEqual([0x13, 0x01, 0x00, 0xc1, 0x0a, 0x40, 0x4c, 0x20, 0x00, 0x00]);
      expect(b.subarray(10)).toEqual(image.subarray(0x20000 + i * 256, 0x20100 + i * 256));
    }
    expect(done).toEqual([256, 512, 768, 1024]);
    expect(c.stats.roundTrips).toBe(5);
  });

  it('reads with one LOAD_ADDRESS and READ_FLASH_ISP 14 01 00 20 per block', async () => {
    const w = wiring();
    const c = new Stk500v2Client({ link: w.link, clock: systemClock });
    const seen: number[] = [];
    await c.readFlash(0, 512, g2560, (a, d) => {
      seen.push(a);
      expect(d.every((x) => x === 0x5a)).toBe(true);
    });
    expect(seen).toEqual([0, 256]);
    expect(w.bodies.map((b) => Array.from(b.subarray(0, 4)))).toEqual([
      [0x06, 0x80, 0x00, 0x00],
      [0x14, 0x01, 0x00, 0x20],
      [0x14, 0x01, 0x00, 0x20],
    ]);
  });

  it('after a damaged answer re-syncs with SIGN_ON seq 1, reloads the address and resends the block', async () => {
    const w = wiring({ corruptReply: 1 }); // the first PROGRAM_FLASH_ISP answer is damaged
    const c = new Stk500v2Client({ link: w.link, clock: systemClock, commandTimeoutMs: 200 });
    await c.writeFlash(new Uint8Array(512).fill(1), 0, 512, g2560, () => undefined);
    expect(w.bodies.map((b) => b[0])).toEqual([0x06, 0x13, 0x01, 0x06, 0x13, 0x13]);
    expect(w.writes[2]?.[1]).toBe(1);
  });

  it('ignores an answer with the wrong sequence number and times out without a right one', async () => {
    const s = scriptLink((w) => {
      const [f] = new FrameDecoder().push(w);
      return f && f.kind === 'frame' ? encodeFrame((f.sequence + 5) & 0xff, Uint8Array.of(0x01, 0x00)) : null;
    });
    const c = new Stk500v2Client({ link: s.link, clock: systemClock });
    const err = await c.probe(100).catch((e: unknown) => e);
    expect(isFlashError(err, 'link-timeout')).toBe(true);
  });

  it('turns a failed status into a protocol-error naming the command', async () => {
    const s = scriptLink((w) => {
      const [f] = new FrameDecoder().push(w);
      return f && f.kind === 'frame' ? encodeFrame(f.sequence, Uint8Array.of(f.body[0] ?? 0, 0xc0)) : null;
    });
    const c = new Stk500v2Client({ link: s.link, clock: systemClock, commandTimeoutMs: 100 });
    const err = await c.leaveProgramming().catch((e: unknown) => e);
    expect(isFlashError(err, 'protocol-error')).toBe(true);
    expect((err as FlashError).technical).toContain('LEAVE_PROGMODE_ISP failed with status 0xc0');
    expect(String(err)).toContain('The bootloader refused a command while starting the firmware.');
  });
});
