// STK500v2 frame codec: encoding per AVR068 and a decoder fed byte by byte, split, and with garbage.
import { describe, expect, it } from 'vitest';
import { encodeFrame, FrameDecoder } from '../../../src/core/stk500v2/frame.js';
import { hex } from '../../helpers/script-link.js';

describe('encodeFrame', () => {
  it('frames SIGN_ON as avrdude does: 1B seq 00 01 0E 01 checksum', () => {
    expect(encodeFrame(1, Uint8Array.of(0x01))).toEqual(hex('1b 01 00 01 0e 01 14'));
  });
  it('puts the size big-endian and XORs every byte before the checksum', () => {
    const body = new Uint8Array(266).fill(0xaa);
    const f = encodeFrame(7, body);
    expect(f.length).toBe(272);
    expect([f[2], f[3]]).toEqual([0x01, 0x0a]);
    expect(f.reduce((a, b) => a ^ b, 0)).toBe(0);
  });
});

describe('FrameDecoder', () => {
  const reply = encodeFrame(3, hex('14 00 de ad be ef 00'));

  it('decodes a frame fed one byte at a time', () => {
    const d = new FrameDecoder();
    const out = [];
    for (const b of reply) out.push(...d.push(Uint8Array.of(b)));
    expect(out).toEqual([{ kind: 'frame', sequence: 3, body: hex('14 00 de ad be ef 00') }]);
  });

  it('skips garbage before MESSAGE_START and counts it', () => {
    const d = new FrameDecoder();
    const garbage = new TextEncoder().encode('start\r\necho:Marlin 2.1\r\n');
    const out = d.push(Uint8Array.from([...garbage, ...reply]));
    expect(out).toHaveLength(1);
    expect(out[0]).toMatchObject({ kind: 'frame', sequence: 3 });
    expect(d.skipped).toBe(garbage.length);
  });

  it('reassembles frames split at every possible point, and two frames in one chunk', () => {
    for (let cut = 1; cut < reply.length; cut++) {
      const d = new FrameDecoder();
      const out = [...d.push(reply.subarray(0, cut)), ...d.push(reply.subarray(cut))];
      expect(out, `cut at ${cut}`).toHaveLength(1);
    }
    const two = new FrameDecoder().push(Uint8Array.from([...reply, ...encodeFrame(4, hex('01 00'))]));
    expect(two.map((f) => f.kind === 'frame' && f.sequence)).toEqual([3, 4]);
  });

  it('reports a bad checksum instead of a frame, then recovers', () => {
    const bad = reply.slice();
    bad[bad.length - 1] = (bad[bad.length - 1] ?? 0) ^ 0x01;
    const d = new FrameDecoder();
    expect(d.push(bad)).toEqual([{ kind: 'bad-checksum', sequence: 3 }]);
    expect(d.push(reply)[0]).toMatchObject({ kind: 'frame' });
  });

  it('reports a missing token and an impossible size', () => {
    const noToken = reply.slice();
    noToken[4] = 0x00;
    expect(new FrameDecoder().push(noToken)[0]).toMatchObject({ kind: 'bad-token' });
    expect(new FrameDecoder().push(hex('1b 01 ff ff 0e'))[0]).toMatchObject({ kind: 'too-long', size: 0xffff });
  });

  it('keeps the wrong sequence number it saw, for the client to reject', () => {
    const out = new FrameDecoder().push(encodeFrame(9, hex('01 00')));
    expect(out[0]).toMatchObject({ kind: 'frame', sequence: 9 });
  });
});
