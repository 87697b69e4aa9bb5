// Each refusal and failure the fault issue names, on the real bootloaders through the app's flash
// path (runFlash -> Web Serial adapter -> EmulatedSerialPort): its code, its words (title and the
// specifics), its next step, the port released, and the board still flashable afterwards.
import { afterEach, describe, expect, it } from 'vitest';
import { runFlash, type FlashOutcome } from '../../src/app/flash-service.js';
import { ERROR_TEXT, FlashError, type ErrorCode } from '../../src/core/errors.js';
import type { FlashRequest } from '../../src/core/session.js';
import type { FlashResult } from '../../src/core/events.js';
import { sessionBudgetMs } from '../../src/core/deadline.js';
import { imageFromSegments } from '../../src/core/hex/binary.js';
import type { FirmwareImage } from '../../src/core/hex/image.js';
import { openWebSerialLink } from '../../src/transports/web-serial.js';
import { EmulatedBoard, type Speed } from '../emulator/board.js';
import type { BootloaderId } from '../emulator/bootloaders.js';
import { EmulatedSerialPort } from '../emulator/serial-port.js';
import { startBench } from '../helpers/bench-board.js';
import { randomBytes } from '../helpers/random.js';

interface Rig {
  readonly board: EmulatedBoard;
  port: EmulatedSerialPort;
  /** Log lines and update states of the last flash. */
  readonly log: string[];
  readonly states: string[];
  flash(image: FirmwareImage, request: Omit<FlashRequest, 'image'>, signal?: AbortSignal): Promise<FlashOutcome>;
}

const rigs: EmulatedBoard[] = [];
afterEach(async () => {
  await Promise.all(rigs.splice(0).map((b) => b.stop()));
});

async function rig(id: BootloaderId, opts: { speed?: Speed; latencyMs?: number; application?: Uint8Array } = {}): Promise<Rig> {
  const bench = await startBench(id, { ...opts, speed: opts.speed ?? 'virtual' });
  const board = bench.board;
  rigs.push(board);
  const r: Rig = {
    board,
    port: bench.port,
    log: [],
    states: [],
    flash: (image, request, signal) =>
      runFlash(
        { image, request, verbose: false },
        {
          requestPort: async () => r.port as unknown as SerialPort,
          openLink: (p, o) => openWebSerialLink(p, { ...o, clock: board.clock }),
          clock: board.clock,
        },
        (u) => {
          r.states.push(u.state);
          if (u.state === 'log') r.log.push(u.text);
        },
        signal,
      ),
  };
  return r;
}

const image = (bytes: number, seed: number): FirmwareImage => imageFromSegments([{ address: 0, data: randomBytes(bytes, seed) }]);

function expectFailure(o: FlashOutcome, code: ErrorCode, detail: RegExp): FlashError {
  expect(o.state).toBe('error');
  if (o.state !== 'error') throw new Error('no error');
  expect(o.error.code).toBe(code);
  expect(o.error.title).toBe(ERROR_TEXT[code].title);
  expect(o.error.message.startsWith(ERROR_TEXT[code].title)).toBe(true);
  expect(o.error.detail).toMatch(detail);
  expect(o.error.hint).toBe(ERROR_TEXT[code].hint);
  return o.error;
}

function expectFlashed(o: FlashOutcome, board: EmulatedBoard, img: FirmwareImage): FlashResult {
  expect(o.state, o.state === 'error' ? o.error.message : '').toBe('done');
  expect(Buffer.compare(board.flash.subarray(0, img.end), img.bytes.subarray(0, img.end))).toBe(0);
  if (o.state !== 'done') throw new Error('not flashed');
  return o.result;
}

function released(port: EmulatedSerialPort): boolean {
  return port.readable === null && port.writable === null;
}

describe('refusals before a byte is written', () => {
  it('an empty image: image-empty, before a port is even asked for', async () => {
    const r = await rig('optiboot-atmega328p');
    const o = await r.flash(imageFromSegments([]), { board: 'arduino-uno' });
    expectFailure(o, 'image-empty', /no data records/);
    expect(r.states).not.toContain('choosing-port');
    expect(r.port.opens).toBe(0);
  });

  it('an image too large for the chosen board: image-too-large, before a port is asked for', async () => {
    const r = await rig('optiboot-atmega328p');
    const o = await r.flash(image(32 * 1024, 11), { board: 'arduino-uno' });
    expectFailure(o, 'image-too-large', /It needs 32\.0 KiB up to address 0x8000; the ATmega328P has 31\.5 KiB/);
    expect(r.port.opens).toBe(0);
  });

  it('an image reaching into the bootloader: image-overlaps-bootloader', async () => {
    const r = await rig('optiboot-atmega328p');
    const img = imageFromSegments([
      { address: 0, data: randomBytes(256, 12) },
      { address: 0x7e10, data: randomBytes(16, 13) },
    ]);
    expectFailure(await r.flash(img, { board: 'arduino-uno' }), 'image-overlaps-bootloader', /data at 0x7e10, but the bootloader of this ATmega328P starts at 0x7e00/);
  });

  it('a chip other than the chosen one: signature-mismatch, nothing written', async () => {
    const r = await rig('optiboot-atmega328p');
    const before = r.board.flash.slice();
    const o = await r.flash(image(1000, 14), { mcu: 'atmega168', protocol: 'stk500v1', baud: 115200 });
    expectFailure(o, 'signature-mismatch', /Expected ATmega168 \(1e 94 06\), the board reported ATmega328P \(1e 95 0f\)\. Nothing was written\./);
    expect(Buffer.compare(r.board.flash, before)).toBe(0);
    expect(released(r.port)).toBe(true);
  });
});

describe('failures end with their own code and words, the port released, the board still flashable', () => {
  it('a port another program holds: port-busy', async () => {
    const r = await rig('optiboot-atmega328p');
    r.port.options.failOpen = 'busy';
    const img = image(1500, 1);
    expectFailure(await r.flash(img, { board: 'arduino-uno' }), 'port-busy', /another program holds it/);
    expect(ERROR_TEXT['port-busy'].hint).toMatch(/OctoPrint/);
    r.port.options.failOpen = null;
    expectFlashed(await r.flash(img, { board: 'arduino-uno' }), r.board, img);
  });

  it('unplugged mid-write: link-closed; plugged in again, the flash succeeds', async () => {
    const r = await rig('stk500v2-atmega2560');
    let bytes = 0;
    r.board.line = {
      toMcu: (v) => {
        if (bytes++ === 2000) queueMicrotask(() => r.port.disconnect());
        return v;
      },
      toHost: (v) => v,
    };
    const img = image(8000, 2);
    const port = r.port;
    expectFailure(await r.flash(img, { board: 'arduino-mega2560' }), 'link-closed', /unplugged/);
    expect(released(port)).toBe(true);
    r.board.line = null;
    r.port = new EmulatedSerialPort(r.board);
    expectFlashed(await r.flash(img, { board: 'arduino-mega2560' }), r.board, img);
  });

  it('the board falls silent mid-write and a reset does not bring it back: link-timeout', async () => {
    const r = await rig('optiboot-atmega328p');
    let bytes = 0;
    r.board.line = { toMcu: (v) => (bytes++ > 800 ? null : v), toHost: (v) => v };
    const img = image(3000, 3);
    expectFailure(await r.flash(img, { board: 'arduino-uno' }), 'link-timeout', /No answer within \d+ ms while (writing|reading) page 0x[0-9a-f]+, and re-synchronising with the bootloader got no answer either\. After a reset the bootloader did not answer again\./);
    expect(released(r.port)).toBe(true);
    r.board.line = null;
    expectFlashed(await r.flash(img, { board: 'arduino-uno' }), r.board, img);
  });

  it('answers that never fit the protocol: protocol-error', async () => {
    const r = await rig('optiboot-atmega328p');
    let bytes = 0;
    // From byte 40 on, every answer byte arrives with its top bit flipped.
    r.board.line = { toMcu: (v) => v, toHost: (v) => (bytes++ > 40 ? v ^ 0x80 : v) };
    const img = image(3000, 4);
    expectFailure(await r.flash(img, { board: 'arduino-uno' }), 'protocol-error', /out of sync while/);
    r.board.line = null;
    expectFlashed(await r.flash(img, { board: 'arduino-uno' }), r.board, img);
  });

  it('a worn-out flash cell: verify-failed after the bounded repairs, naming the address', async () => {
    const r = await rig('optiboot-atmega328p');
    r.board.spm.stuckLow.set(0x234, 0x01);
    const img = imageFromSegments([{ address: 0, data: new Uint8Array(2048).fill(0xff) }]);
    const o = await r.flash(img, { board: 'arduino-uno' });
    expectFailure(o, 'verify-failed', /1 page\(s\) still differ after 2 repairs; first difference at 0x234: wrote 0xff, read 0xfe/);
  });

  it('old bytes in the 2560 region its bootloader never erases: warned before writing, then region-not-erased', async () => {
    const old = new Uint8Array(0x3e000).fill(0xff);
    old.fill(0x00, 0x3c000, 0x3c100);
    const r = await rig('stk500v2-atmega2560', { application: old });
    const img = imageFromSegments([
      { address: 0, data: randomBytes(512, 5) },
      { address: 0x3c000, data: randomBytes(256, 6) },
    ]);
    // Verify off: the region is read back anyway.
    const o = await r.flash(img, { board: 'arduino-mega2560', verify: false });
    const warned = r.log.findIndex((l) => /reaches into 0x3c000-0x3dfff, which the stock ATmega2560 bootloader writes without erasing/.test(l));
    expect(warned).toBeGreaterThanOrEqual(0);
    expect(r.states.indexOf('writing')).toBeGreaterThan(r.states.indexOf('log'));
    expectFailure(o, 'region-not-erased', /first difference at 0x3c0[0-9a-f]{2}: .*, in 0x3c000-0x3dfff, which the bootloader writes without erasing/);
  });

  it('a link that turns slow after the round trip was measured: session-timeout, naming the limit', async () => {
    const r = await rig('stk500v2-atmega2560');
    let bytes = 0;
    // From the first page on, every answer comes 400 ms late, inside each command's deadline.
    r.board.line = { toMcu: (v) => (bytes++ === 200 ? ((r.board.latencyMs = 200), v) : v), toHost: (v) => v };
    const img = image(16 * 1024, 7);
    const t0 = r.board.clock.now();
    const o = await r.flash(img, { board: 'arduino-mega2560' });
    expectFailure(o, 'session-timeout', /The limit for a 16\.0 KiB image is 5\d s\./);
    expect(r.board.clock.now() - t0).toBeLessThan(60_000);
    expect(released(r.port)).toBe(true);
  });

  it('a link slow from the start (200 ms each way): the limit grows with the measured round trip and the flash ends verified', async () => {
    const r = await rig('stk500v2-atmega2560', { latencyMs: 200 });
    const img = image(16 * 1024, 7);
    const o = await r.flash(img, { board: 'arduino-mega2560' });
    const result = expectFlashed(o, r.board, img);
    // 64 pages, 20 round trips each allowed at the measured ~400 ms, on top of the base budget.
    expect(result.budgetMs).toBeGreaterThan(sessionBudgetMs(img.end, 256) + 64 * 20 * 390);
    expect(result.ms.total).toBeLessThan(result.budgetMs);
  });

  it("the user's cancel mid-write (real time): aborted within 1 s, the port released, the next flash succeeds", async () => {
    const r = await rig('stk500v2-atmega2560', { speed: 'realtime' });
    const img = image(20_000, 8);
    const ac = new AbortController();
    let cancelledAt = 0;
    const updates: string[] = [];
    const flashing = runFlash(
      { image: img, request: { board: 'arduino-mega2560' }, verbose: false },
      { requestPort: async () => r.port as unknown as SerialPort, openLink: (p, o) => openWebSerialLink(p, o), clock: r.board.clock },
      (u) => {
        updates.push(u.state);
        if (u.state === 'writing' && u.done > 4000 && !cancelledAt) {
          cancelledAt = performance.now();
          ac.abort(new FlashError('aborted', 'Cancelled by the user.'));
        }
      },
      ac.signal,
    );
    const o = await flashing;
    const ms = performance.now() - cancelledAt;
    expect(cancelledAt).toBeGreaterThan(0);
    expectFailure(o, 'aborted', /^$/);
    expect(ms).toBeLessThan(1000);
    expect(released(r.port)).toBe(true);
    expectFlashed(await r.flash(img, { board: 'arduino-mega2560' }), r.board, img);
  });
});

describe('faults the session recovers from: success, the flash equal to the image, the recovery counted', () => {
  const cases: [string, BootloaderId, (board: EmulatedBoard) => void, 'resyncs' | 'repairs' | 'reconnects'][] = [
    ['a byte lost on its way to the 2560', 'stk500v2-atmega2560', (b) => lose(b, 'toMcu', 3000), 'resyncs'],
    ['a bit flipped in page data to the 328p (no checksum: verify catches it, the page is written again)', 'optiboot-atmega328p', (b) => flipInPageData(b, 700), 'repairs'],
    ['a byte lost from the 328p', 'optiboot-atmega328p', (b) => lose(b, 'toHost', 1500), 'resyncs'],
    ['the 2560 bootloader restarting mid-write (erase counter back at 0)', 'stk500v2-atmega2560', (b) => restartAt(b, 2500), 'repairs'],
    ['the 328p bootloader restarting mid-write', 'optiboot-atmega328p', (b) => restartAt(b, 900), 'reconnects'],
  ];
  for (const [name, id, install, counter] of cases) {
    it(name, async () => {
      const r = await rig(id, { application: randomBytes(12_000, 9) });
      install(r.board);
      const img = image(6000, 10);
      const o = await r.flash(img, { board: id.startsWith('stk500v2') ? 'arduino-mega2560' : 'arduino-uno' });
      expectFlashed(o, r.board, img);
      if (o.state === 'done') expect(o.result.recovery[counter]).toBeGreaterThan(0);
    });
  }
});

describe('after a verified write', () => {
  it("a lost answer to LEAVE_PROGMODE is a note, not a failure: the flash is what was asked for", async () => {
    const r = await rig('optiboot-atmega328p');
    const img = image(2000, 17);
    // Drop everything from the board once the host has sent LEAVE_PROGMODE (51 20).
    let last = 0;
    let leaving = false;
    r.board.line = {
      toMcu: (v) => {
        if (last === 0x51 && v === 0x20) leaving = true;
        last = v;
        return v;
      },
      toHost: (v) => (leaving ? null : v),
    };
    const o = await r.flash(img, { board: 'arduino-uno' });
    expectFlashed(o, r.board, img);
    expect(leaving).toBe(true);
    if (o.state === 'done') {
      expect(o.result.started).toBe(false);
      expect(o.result.warnings).toContain('The bootloader did not confirm starting the firmware; if it does not run, press reset or unplug the board.');
    }
  });
});

describe('STK500v1 has no checksum', () => {
  it('a flipped address bit sends a page past the image: verify repairs the page, the stray copy is found and erased', async () => {
    const r = await rig('optiboot-atmega328p');
    const img = imageFromSegments([{ address: 0, data: Uint8Array.from({ length: 1024 }, (_, i) => (i * 7 + 3) & 0x7f) }]);
    // The second page's LOAD_ADDRESS (55 40 00 20) arrives as 55 40 10 20: word 0x1040, byte 0x2080.
    let last = [0, 0];
    let fired = false;
    r.board.line = {
      toMcu: (v) => {
        const out = !fired && last[0] === 0x55 && last[1] === 0x40 && v === 0x00 ? ((fired = true), 0x10) : v;
        last = [last[1] ?? 0, v];
        return out;
      },
      toHost: (v) => v,
    };
    const o = await r.flash(img, { board: 'arduino-uno' });
    expectFlashed(o, r.board, img);
    expect(fired).toBe(true);
    if (o.state === 'done') expect(o.result.recovery.repairs).toBe(1);
    expect(r.log).toContain('A copy of a firmware page sat at 0x2080, past the image: erasing it.');
    expect(r.board.flash.subarray(0x2080, 0x2100).every((b) => b === 0xff)).toBe(true);
  });
});

describe('a bootloader that leaves on every lost byte (optiboot)', () => {
  it('goes on where the last pass stopped instead of starting over, as long as passes get further', async () => {
    const r = await rig('optiboot-atmega328p', { application: randomBytes(12_000, 15) });
    let i = 0;
    const losses = new Set([700, 1900, 3100, 4300]);
    r.board.line = { toMcu: (v) => (losses.has(i++) ? null : v), toHost: (v) => v };
    const img = image(6000, 16);
    const o = await r.flash(img, { board: 'arduino-uno' });
    expectFlashed(o, r.board, img);
    if (o.state === 'done') expect(o.result.recovery.reconnects).toBe(4);
    expect(r.log.filter((l) => /^Going on with the write at 0x[0-9a-f]+\.$/.test(l)).length).toBe(4);
  });
});

function lose(board: EmulatedBoard, dir: 'toMcu' | 'toHost', at: number): void {
  let i = 0;
  const pass = (v: number): number => v;
  board.line = { toMcu: pass, toHost: pass, [dir]: (v: number) => (i++ === at ? null : v) };
}

function flip(board: EmulatedBoard, dir: 'toMcu' | 'toHost', at: number): void {
  let i = 0;
  const pass = (v: number): number => v;
  board.line = { toMcu: pass, toHost: pass, [dir]: (v: number) => (i++ === at ? v ^ 0x10 : v) };
}

/**
 * Flips a bit `at` bytes after optiboot's first PROG_PAGE (0x64, which no command before it carries):
 * page data (137 bytes a page with its LOAD_ADDRESS), however many bytes the session sent before.
 */
function flipInPageData(board: EmulatedBoard, at: number): void {
  let i = -1;
  const pass = (v: number): number => v;
  board.line = { toHost: pass, toMcu: (v: number) => (i < 0 && v !== 0x64 ? v : i++ === at ? v ^ 0x10 : v) };
}

function restartAt(board: EmulatedBoard, at: number): void {
  let i = 0;
  board.line = {
    toMcu: (v) => {
      if (i++ === at) board.reset();
      return v;
    },
    toHost: (v) => v,
  };
}
