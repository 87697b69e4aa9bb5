// Several boards at once in the app (multi-flash-service.ts): every board flashed in parallel on its
// own port and link; one whose port throws, or whose board never answers, ends alone with its words
// while the others are verified; a per-board resolver probes each board and gets its signature, and
// a refusal writes nothing; Cancel stops all and releases every port. Against scripted optiboot
// answerers (memory-optiboot.ts): protocol behaviour is proven on emulated boards elsewhere.
import { describe, expect, it } from 'vitest';
import type { FlashDeps, FlashUpdate } from '../../src/app/flash-service.js';
import { flashBoards, type MultiBoardPort } from '../../src/app/multi-flash-service.js';
import { FlashError } from '../../src/core/errors.js';
import { sameImage, type BoardIdentity, type ImageResolver } from '../../src/core/fleet.js';
import type { FirmwareImage } from '../../src/core/hex/image.js';
import { systemClock } from '../../src/transports/system-clock.js';
import { memoryOptiboot } from './memory-optiboot.js';

function imageOf(bytes: Uint8Array): FirmwareImage {
  return { bytes, segments: [{ start: 0, end: bytes.length }], end: bytes.length, dataBytes: bytes.length, warnings: [] };
}

interface FakeBoard {
  readonly port: SerialPort;
  readonly flash: Uint8Array;
  signature?: readonly number[];
  silent?: boolean;
  /** openLink throws this (not a FlashError) for this port. */
  throws?: Error;
  opened: number;
  closed: number;
}

function board(pid: number, o: Partial<Pick<FakeBoard, 'signature' | 'silent' | 'throws'>> = {}): FakeBoard {
  const port = { getInfo: () => ({ usbVendorId: 0x2341, usbProductId: pid }) } as unknown as SerialPort;
  return { port, flash: new Uint8Array(32 * 1024).fill(0xff), opened: 0, closed: 0, ...o };
}

function depsFor(boards: readonly FakeBoard[]): FlashDeps {
  return {
    requestPort: async () => {
      throw new Error('no chooser in a several-boards flash');
    },
    openLink: async (port) => {
      const b = boards.find((x) => x.port === port);
      if (!b) throw new Error('unknown port');
      if (b.throws) throw b.throws;
      b.opened++;
      const { link } = memoryOptiboot({ flash: b.flash, ...(b.signature ? { signature: b.signature } : {}), ...(b.silent ? { silent: true } : {}) });
      const close = link.close.bind(link);
      link.close = async () => {
        b.closed++;
        await close();
      };
      return link;
    },
    clock: systemClock,
  };
}

const ports = (boards: readonly FakeBoard[]): MultiBoardPort[] => boards.map((b, i) => ({ key: `b${i}`, port: b.port, label: `board ${i}` }));
const image = imageOf(Uint8Array.from({ length: 3000 }, (_, i) => (i * 13 + 5) & 0xff));
const request = { protocol: 'stk500v1' as const, baud: 115200 };

describe('flashBoards', () => {
  it('flashes all in parallel; a port that throws and a board that never answers end alone, the others verified', async () => {
    const boards = [board(0x43), board(0x42, { throws: new TypeError('port.open is not a function') }), board(0x44, { silent: true }), board(0x45)];
    const updates = new Map<string, FlashUpdate[]>();
    const ends = await flashBoards(ports(boards), { images: sameImage(image), request, verbose: false }, depsFor(boards), (key, u) => {
      updates.set(key, [...(updates.get(key) ?? []), u]);
    });
    expect(ends.map((e) => e.row.result)).toEqual(['verified', 'failed', 'failed', 'verified']);
    for (const i of [0, 3]) expect(boards[i]?.flash.subarray(0, image.end)).toEqual(image.bytes);
    expect(boards[2]?.flash.every((b) => b === 0xff)).toBe(true);
    expect(ends[1]?.row.error).toContain('port.open is not a function');
    expect(ends[2]?.outcome.state === 'error' && ends[2].outcome.error.code).toBe('no-bootloader');
    expect(ends[0]?.row).toMatchObject({ board: 'board 0', chip: 'ATmega328P', protocol: 'STK500V1', bytesVerified: 3072, error: '' });
    // Each board's own progress, and every opened port closed again.
    expect(updates.get('b0')?.some((u) => u.state === 'writing')).toBe(true);
    expect(updates.get('b1')?.at(-1)?.state).toBe('error');
    for (const b of boards) expect(b.closed).toBe(b.opened);
  });

  it('a per-board resolver: each board probed, its identity given, its build written; a refusal writes nothing', async () => {
    const uno = board(0x43);
    const other = board(0x44, { signature: [0x1e, 0x94, 0x06] });
    const asked: BoardIdentity[] = [];
    const unoBuild = imageOf(Uint8Array.from({ length: 2000 }, (_, i) => (i * 3) & 0xff));
    const images: ImageResolver = async (id) => {
      asked.push(id);
      return id.signature === '1e 95 0f' ? unoBuild : { refused: 'The manifest has a build for the ATmega328P only.' };
    };
    const ends = await flashBoards(ports([uno, other]), { images, request: { protocol: 'stk500v1', baud: 115200 }, verbose: false }, depsFor([uno, other]), () => undefined);
    expect(asked).toEqual(expect.arrayContaining([
      { signature: '1e 95 0f', protocol: 'stk500v1', baud: null, usbIds: { vid: 0x2341, pid: 0x43 } },
      { signature: '1e 94 06', protocol: 'stk500v1', baud: null, usbIds: { vid: 0x2341, pid: 0x44 } },
    ]));
    expect(uno.flash.subarray(0, unoBuild.end)).toEqual(unoBuild.bytes);
    expect(other.flash.every((b) => b === 0xff)).toBe(true);
    expect(ends.map((e) => e.row.result)).toEqual(['verified', 'refused']);
    expect(ends[1]?.row).toMatchObject({ chip: 'ATmega168', error: expect.stringContaining('build for the ATmega328P only') });
    // Probe and flash each opened and closed the port; the refused board only for the probe.
    expect([uno.opened, uno.closed, other.opened, other.closed]).toEqual([2, 2, 1, 1]);
  });

  it('Cancel stops every board and releases every port', async () => {
    const boards = [board(0x43, { silent: true }), board(0x42, { silent: true })];
    const ac = new AbortController();
    setTimeout(() => ac.abort(new FlashError('aborted', 'test')), 150);
    const ends = await flashBoards(ports(boards), { images: sameImage(image), request, verbose: false }, depsFor(boards), () => undefined, ac.signal);
    expect(ends.map((e) => e.row.result)).toEqual(['cancelled', 'cancelled']);
    for (const b of boards) expect(b.closed).toBe(b.opened);
  });
});
