// The app's flash flow (port chooser -> open -> session -> close) against a scripted optiboot:
// the updates it reports, the bytes that land, and that the port is closed on every path.
import { describe, expect, it } from 'vitest';
import { runFlash, type FlashDeps, type FlashUpdate } from '../../src/app/flash-service.js';
import { FlashError } from '../../src/core/errors.js';
import type { FirmwareImage } from '../../src/core/hex/image.js';
import type { ByteLink } from '../../src/core/link/byte-link.js';
import { systemClock } from '../../src/transports/system-clock.js';
import { memoryOptiboot } from './memory-optiboot.js';

function imageOf(bytes: Uint8Array): FirmwareImage {
  return { bytes, segments: [{ start: 0, end: bytes.length }], end: bytes.length, dataBytes: bytes.length, warnings: [] };
}

const fakePort = { getInfo: () => ({ usbVendorId: 0x2341, usbProductId: 0x0043 }) } as unknown as SerialPort;

function deps(link: ByteLink | (() => Promise<ByteLink>), opts: { noPort?: boolean } = {}) {
  const calls = { closed: 0, opened: 0, baud: 0 };
  const d: FlashDeps = {
    requestPort: async () => {
      if (opts.noPort) throw new DOMException('No port selected by the user.', 'NotFoundError');
      return fakePort;
    },
    openLink: async (_port, o) => {
      calls.opened++;
      calls.baud = o.baud;
      const l = typeof link === 'function' ? await link() : link;
      const close = l.close.bind(l);
      (l as { close: () => Promise<void> }).close = async () => {
        calls.closed++;
        await close();
      };
      return l;
    },
    clock: systemClock,
  };
  return { d, calls };
}

const image = imageOf(Uint8Array.from({ length: 1000 }, (_, i) => (i * 7) & 0xff));

describe('runFlash', () => {
  it('flashes through the chosen port and reports phases up to done', async () => {
    const board = memoryOptiboot();
    const { d, calls } = deps(board.link);
    const updates: FlashUpdate[] = [];
    const out = await runFlash({ image, request: { board: 'arduino-uno' }, verbose: true }, d, (u) => updates.push(u));
    if (out.state !== 'done') throw new Error(`expected done, got ${JSON.stringify(out.state === 'error' ? out.error.message : out)}`);
    expect(out.result.signature).toBe('1e 95 0f');
    expect(out.port.label).toBe('Arduino Uno R3 (USB 2341:0043)');
    expect(board.flash.subarray(0, 1000)).toEqual(image.bytes);
    expect(board.flash.subarray(1000, 1024).every((b) => b === 0xff)).toBe(true);
    const states = [...new Set(updates.map((u) => u.state))];
    expect(states).toEqual(['choosing-port', 'opening', 'log', 'resetting', 'connecting', 'connected', 'writing', 'verifying', 'leaving', 'done']);
    const writes = updates.filter((u) => u.state === 'writing');
    expect(writes.at(-1)).toMatchObject({ done: 1024, total: 1024 });
    expect(updates.some((u) => u.state === 'log' && u.level === 'debug')).toBe(true);
    expect(calls).toEqual({ opened: 1, closed: 1, baud: 115200 });
  });

  it('flashes on a port given with the job without opening the chooser', async () => {
    const board = memoryOptiboot();
    const { d, calls } = deps(board.link, { noPort: true });
    let asked = 0;
    const requestPort = d.requestPort;
    const counted: FlashDeps = { ...d, requestPort: (f) => (asked++, requestPort(f)) };
    const updates: FlashUpdate[] = [];
    const out = await runFlash({ image, request: { board: 'arduino-uno' }, verbose: false, port: fakePort }, counted, (u) => updates.push(u));
    expect(out.state).toBe('done');
    expect(asked).toBe(0);
    expect(updates.some((u) => u.state === 'choosing-port')).toBe(false);
    expect(updates[0]).toMatchObject({ state: 'opening', port: { label: 'Arduino Uno R3 (USB 2341:0043)' } });
    expect(board.flash.subarray(0, 1000)).toEqual(image.bytes);
    expect(calls).toMatchObject({ opened: 1, closed: 1 });
  });

  it('ends with no-port when the chooser is dismissed, without opening anything', async () => {
    const board = memoryOptiboot();
    const { d, calls } = deps(board.link, { noPort: true });
    const updates: FlashUpdate[] = [];
    const out = await runFlash({ image, request: {}, verbose: false }, d, (u) => updates.push(u));
    expect(out.state).toBe('no-port');
    expect(updates.map((u) => u.state)).toEqual(['choosing-port', 'no-port']);
    expect(calls.opened).toBe(0);
  });

  it('reports a busy port as port-busy', async () => {
    const { d } = deps(async () => {
      throw new FlashError('port-busy', 'The system refused to open it.');
    });
    const out = await runFlash({ image, request: {}, verbose: false }, d, () => undefined);
    expect(out.state).toBe('error');
    if (out.state === 'error') {
      expect(out.error.code).toBe('port-busy');
      expect(out.error.hint).toMatch(/OctoPrint/);
    }
  });

  it('reports no-bootloader when nothing answers, and closes the port', async () => {
    const board = memoryOptiboot({ silent: true });
    const { d, calls } = deps(board.link);
    const out = await runFlash({ image, request: { protocol: 'stk500v2', baud: 115200 }, verbose: false }, d, () => undefined);
    expect(out.state).toBe('error');
    if (out.state === 'error') expect(out.error.code).toBe('no-bootloader');
    expect(calls.closed).toBe(1);
  });

  it('reports a signature mismatch for the wrong board and writes nothing', async () => {
    const board = memoryOptiboot();
    const { d, calls } = deps(board.link);
    const out = await runFlash({ image, request: { board: 'arduino-mega2560', protocol: 'stk500v1' }, verbose: false }, d, () => undefined);
    expect(out.state === 'error' && out.error.code).toBe('signature-mismatch');
    expect(board.flash.every((b) => b === 0xff)).toBe(true);
    expect(calls.closed).toBe(1);
  });

  it('stops with aborted when cancelled, and closes the port', async () => {
    const board = memoryOptiboot({ silent: true });
    const { d, calls } = deps(board.link);
    const ac = new AbortController();
    setTimeout(() => ac.abort(new FlashError('aborted', 'test')), 100);
    const out = await runFlash({ image, request: { board: 'arduino-uno' }, verbose: false }, d, () => undefined, ac.signal);
    expect(out.state === 'error' && out.error.code).toBe('aborted');
    expect(calls.closed).toBe(1);
  });
});
