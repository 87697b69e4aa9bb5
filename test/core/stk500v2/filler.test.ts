// The filler that follows a lost byte, against the real stk500boot on the emulated ATmega2560: a
// PROGRAM_FLASH_ISP frame that lost one byte (a zero of its header, a zero of its data, or another
// byte), then fillerFor()'s bytes, must never be carried out: the page stays as it was, and the
// bootloader answers SIGN_ON right after. Before the first filler byte was a value absent from the
// frame, a frame that lost a zero was accepted with its data shifted by one. And a frame whose size
// came in larger than stk500boot's buffer, which it overruns: the in-order erase starts again. And a resync
// that failed for its own reasons (its SIGN_ON lost a byte, its answer came back damaged): no restart.
import { afterEach, describe, expect, it } from 'vitest';
import * as K from '../../../src/core/stk500v2/constants.js';
import { fillerFor } from '../../../src/core/stk500v2/stk500boot.js';
import { encodeFrame, FrameDecoder } from '../../../src/core/stk500v2/frame.js';
import { sleep } from '../../../src/core/link/clock.js';
import type { QueueLink } from '../../../src/core/link/queue-link.js';
import { imageFromSegments } from '../../../src/core/hex/binary.js';
import { flashFirmware } from '../../../src/core/session.js';
import { startBench, type BenchBoard } from '../../helpers/bench-board.js';
import { randomBytes } from '../../helpers/random.js';

let bench: BenchBoard | null = null;
let link: QueueLink | null = null;
afterEach(async () => {
  await link?.close();
  await bench?.stop();
  link = null;
  bench = null;
});

/** The answer to `cmd` within `ms` of the board's emulated time, or null. */
async function answer(l: QueueLink, cmd: number, ms = 1000): Promise<Uint8Array | null> {
  const clock = (bench as BenchBoard).board.clock;
  const decoder = new FrameDecoder();
  const end = clock.now() + ms;
  while (clock.now() < end) {
    const chunk = await l.readSome(512, Math.max(1, end - clock.now())).catch(() => null);
    if (!chunk) return null;
    for (const f of decoder.push(chunk)) if (f.kind === 'frame' && f.body[0] === cmd) return f.body;
  }
  return null;
}

/** Flashes `data` at 0 on the Mega preset, checks the whole flash byte for byte, returns the log. */
async function flashVerified(b: BenchBoard, data: Uint8Array): Promise<string> {
  const lines: string[] = [];
  link = await b.open(115200);
  const result = await flashFirmware(
    { image: imageFromSegments([{ address: 0, data }]), board: 'arduino-mega2560' },
    { link, clock: b.board.clock, onEvent: (e) => e.state === 'log' && lines.push(e.text) },
  );
  expect(result.bytesVerified).toBe(data.length);
  expect(Buffer.compare(Buffer.from(b.board.flash.subarray(0, data.length)), Buffer.from(data))).toBe(0);
  return lines.join('\n');
}

async function command(l: QueueLink, seq: number, body: Uint8Array): Promise<Uint8Array | null> {
  await l.write(encodeFrame(seq, body));
  return answer(l, body[0] ?? 0);
}

describe('stk500v2 filler after a lost byte (real stk500boot)', () => {
  const data = randomBytes(256, 77);
  data[100] = 0x00;
  const body = new Uint8Array(10 + 256);
  body.set([K.CMD_PROGRAM_FLASH_ISP, 0x01, 0x00, K.PROGRAM_MODE_PAGE_WRITE, 0x0a, 0x40, 0x4c, 0x20, 0x00, 0x00], 0);
  body.set(data, 10);
  const frame = encodeFrame(3, body);
  // Frame offsets: 5 header bytes, then the body; body[2], body[8] and body[9] are zeros, data[100] too.
  for (const [what, drop] of [
    ['a zero of the size field', 5 + 2],
    ['a zero of the poll bytes', 5 + 9],
    ['a zero of the page data', 5 + 10 + 100],
    ['a non-zero data byte', 5 + 10 + 7],
  ] as const) {
    it(`a page frame that lost ${what} is not carried out; SIGN_ON answers after the filler`, async () => {
      expect(frame[drop] === 0).toBe(what !== 'a non-zero data byte');
      // On emulated time: a loaded machine cannot make an answer look late.
      bench = await startBench('stk500v2-atmega2560', { speed: 'virtual' });
      link = await bench.open(115200);
      await sleep(bench.board.clock, 100);
      expect(await command(link, 1, Uint8Array.of(K.CMD_SIGN_ON))).not.toBeNull();
      expect(await command(link, 2, Uint8Array.of(K.CMD_LOAD_ADDRESS, 0x80, 0, 0, 0))).not.toBeNull();
      const before = Buffer.from(bench.board.flash.subarray(0, 256));
      const damaged = Uint8Array.from([...frame.subarray(0, drop), ...frame.subarray(drop + 1)]);
      await link.write(damaged);
      expect(await answer(link, K.CMD_PROGRAM_FLASH_ISP, 250)).toBeNull();
      await link.write(fillerFor(frame, 300));
      await link.drain(50);
      const signOn = await command(link, 1, Uint8Array.of(K.CMD_SIGN_ON));
      expect(signOn?.[1]).toBe(K.STATUS_CMD_OK);
      expect(Buffer.compare(Buffer.from(bench.board.flash.subarray(0, 256)), before)).toBe(0);
    });
  }
});

describe('a page frame whose size came in too large (real stk500boot)', () => {
  it('the bootloader ran past its buffer over its erase counter: the erase restarts at 0, the flash ends verified', async () => {
    bench = await startBench('stk500v2-atmega2560', { speed: 'virtual' });
    // The 30th PROGRAM_FLASH_ISP frame's size high byte 0x01 arrives as 0x09 (2314 bytes):
    // stk500boot stores them all into its 285-byte buffer and over what lies beyond it.
    let state = 0;
    let programFrames = 0;
    bench.board.line = {
      toMcu: (v) => {
        if (state === 0 && v === K.MESSAGE_START) state = 1;
        else if (state === 1) state = 2;
        else if (state === 2) {
          state = 0;
          if (v === 0x01 && ++programFrames === 30) return 0x09;
        } else state = 0;
        return v;
      },
      toHost: (v) => v,
    };
    const log = await flashVerified(bench, randomBytes(60 * 256, 78));
    expect(log).toMatch(/ran past the bootloader's buffer while writing page 0x1[cde]00; .* Erasing from 0 again/);
    // The rewrite from 0 is work the link forced: the session's limit grows by a pass for it.
    const limits = [...log.matchAll(/the session's limit is (\d+ min \d+ s|\d+ s)/g)].map((m) => m[1]);
    expect(log).toMatch(/Writing from 0 again \(1 of \d+ such rewrites the limit grows for\)/);
    expect(limits.length).toBe(2);
    expect(limits[1]).not.toBe(limits[0]);
  });
});

describe('a resync that went wrong for its own reasons is no overrun (real stk500boot)', () => {
  // The 20th PROGRAM_FLASH_ISP frame loses its size's low byte, so the client resyncs; then the resync itself
  // is hit: its SIGN_ON loses a byte (silence, then a second short filler completes it), or its
  // answer comes back damaged and the page's next try loses a byte too. Neither lets a frame run past
  // the buffer: no erase from 0 again.
  for (const hit of ['the SIGN_ON lost a byte', 'the answer came back damaged'] as const) {
    it(`${hit}: the write goes on without starting the erase again`, async () => {
      bench = await startBench('stk500v2-atmega2560', { speed: 'virtual' });
      let programFrames = 0;
      let header: number[] = [];
      let damaged = false;
      let signOnHit = false;
      let answerBytes = -1;
      bench.board.line = {
        toMcu: (v) => {
          header = [...header.slice(-5), v];
          if (header.length >= 4 && header[header.length - 4] === K.MESSAGE_START && header[header.length - 2] === 0x01 && v === 0x0a) {
            programFrames++;
            if (programFrames === 20 || (programFrames === 21 && hit === 'the answer came back damaged')) {
              damaged = true;
              return null;
            }
          }
          // A resync's SIGN_ON: 1b 01 00 01 0e 01 (the 0e token, then the command).
          if (damaged && !signOnHit && hit === 'the SIGN_ON lost a byte' && header.join() === [K.MESSAGE_START, 1, 0, 1, K.TOKEN, K.CMD_SIGN_ON].join()) {
            signOnHit = true;
            return null;
          }
          if (damaged && !signOnHit && hit === 'the answer came back damaged' && header.join() === [K.MESSAGE_START, 1, 0, 1, K.TOKEN, K.CMD_SIGN_ON].join()) {
            signOnHit = true;
            answerBytes = 0;
          }
          return v;
        },
        toHost: (v) => {
          if (answerBytes >= 0 && ++answerBytes === 10) {
            answerBytes = -1;
            return v ^ 0x20;
          }
          return v;
        },
      };
      const log = await flashVerified(bench, randomBytes(40 * 256, 79));
      expect(damaged && signOnHit).toBe(true);
      expect(log).toMatch(/Re-synchronising/);
      expect(log).not.toMatch(/ran past the bootloader's buffer/);
    });
  }
});
