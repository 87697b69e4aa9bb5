// The 1200-baud touch sequence against a scripted port directory: the bootloader port found among
// the granted ports, chosen by the user, or missed; the sketch's port coming back.
import { describe, expect, it } from 'vitest';
import { isFlashError } from '../../src/core/errors.js';
import { isBootloaderPort, needsTouch, touchIntoBootloader, waitForSketchPort, type PortDirectory, type UsbIds } from '../../src/core/touch.js';
import type { UsbDevice } from '../../src/core/usb-ids.js';
import { systemClock } from '../../src/transports/system-clock.js';

interface Fake {
  readonly name: string;
  readonly ids: UsbIds;
}

const LEONARDO: Fake = { name: 'sketch', ids: { vid: 0x2341, pid: 0x8036 } };
const BOOT: Fake = { name: 'bootloader', ids: { vid: 0x2341, pid: 0x0036 } };

/** Ports listed now; the touch makes the bootloader appear after `appearMs` (if `granted`). */
function directory(o: { appearMs: number; granted: boolean; ask?: (expected: readonly UsbDevice[], deadline: number) => Promise<Fake | null> }) {
  let ports: Fake[] = [LEONARDO];
  const touches: number[] = [];
  const dir: PortDirectory<Fake> = {
    list: async () => ports,
    ids: (p) => p.ids,
    touch: async (_p, baud) => {
      touches.push(baud);
      ports = [];
      setTimeout(() => {
        if (o.granted) ports = [BOOT];
      }, o.appearMs);
    },
    changed: (ms) => new Promise((r) => setTimeout(r, ms)),
    ...(o.ask ? { ask: o.ask } : {}),
  };
  return { dir, touches, setPorts: (p: Fake[]) => (ports = p) };
}

describe('touchIntoBootloader', () => {
  it('knows which IDs need a touch and which are a bootloader already', () => {
    expect(needsTouch(LEONARDO.ids)).toBe(true);
    expect(needsTouch(BOOT.ids)).toBe(false);
    expect(needsTouch({ vid: 0x2341, pid: 0x0043 })).toBe(false);
    expect(isBootloaderPort(BOOT.ids)).toBe(true);
    expect(isBootloaderPort(LEONARDO.ids)).toBe(false);
  });

  it('opens at 1200 baud and picks up a granted bootloader port without asking', async () => {
    const asked: number[] = [];
    const d = directory({ appearMs: 300, granted: true, ask: async () => (asked.push(1), null) });
    const logs: string[] = [];
    const t = await touchIntoBootloader(d.dir, LEONARDO, { clock: systemClock, log: (l) => logs.push(l) });
    expect(d.touches).toEqual([1200]);
    expect(t.port).toBe(BOOT);
    expect(t.how).toBe('found');
    expect(t.ms).toBeGreaterThanOrEqual(250);
    expect(asked).toEqual([]);
    expect(logs.join('\n')).toMatch(/appeared after \d+ ms: Arduino Leonardo bootloader \(USB 2341:0036\)/);
  });

  it('asks the user, with the expected IDs and the deadline, when the port is not granted', async () => {
    let seen = null as { pids: (number | undefined)[]; left: number } | null;
    const d = directory({
      appearMs: 100,
      granted: false,
      ask: async (expected, deadline) => {
        seen = { pids: expected.map((e) => e.pid), left: deadline - systemClock.now() };
        return BOOT;
      },
    });
    const t = await touchIntoBootloader(d.dir, LEONARDO, { clock: systemClock, log: () => undefined, askAfterMs: 200 });
    expect(t).toMatchObject({ port: BOOT, how: 'chosen' });
    expect(seen).not.toBeNull();
    expect(seen?.pids).toEqual([0x0036]);
    expect(seen?.left).toBeGreaterThan(7000);
    expect(seen?.left).toBeLessThanOrEqual(8000);
  });

  it('fails with bootloader-window-missed, saying what to do, when nothing appears in the window', async () => {
    const d = directory({ appearMs: 100, granted: false });
    const e = await touchIntoBootloader(d.dir, LEONARDO, { clock: systemClock, log: () => undefined, windowMs: 600 }).catch((x: unknown) => x);
    expect(isFlashError(e, 'bootloader-window-missed')).toBe(true);
    if (!isFlashError(e)) return;
    expect(e.detail).toContain('2341:0036');
    expect(e.hint).toMatch(/reset button \(twice quickly on a Pro Micro/);
  });

  it('fails when the user chooses too late or not at all', async () => {
    const late = directory({ appearMs: 100, granted: false, ask: (_e, deadline) => new Promise((r) => setTimeout(() => r(BOOT), deadline - systemClock.now() + 50)) });
    const e1 = await touchIntoBootloader(late.dir, LEONARDO, { clock: systemClock, log: () => undefined, windowMs: 500, askAfterMs: 50 }).catch((x: unknown) => x);
    expect(isFlashError(e1, 'bootloader-window-missed') && /after its 0.5 s were over/.test(e1.detail)).toBe(true);
    const none = directory({ appearMs: 100, granted: false, ask: async () => null });
    const e2 = await touchIntoBootloader(none.dir, LEONARDO, { clock: systemClock, log: () => undefined, windowMs: 500, askAfterMs: 50 }).catch((x: unknown) => x);
    expect(isFlashError(e2, 'bootloader-window-missed') && /was not chosen/.test(e2.detail)).toBe(true);
  });

  it('gives up with port-unreachable when opening the port for the touch never returns', async () => {
    const d = directory({ appearMs: 0, granted: false });
    const hung: PortDirectory<Fake> = { ...d.dir, touch: () => new Promise<void>(() => undefined) };
    const e = await touchIntoBootloader(hung, LEONARDO, { clock: systemClock, log: () => undefined }).catch((x: unknown) => x);
    expect(isFlashError(e, 'port-unreachable') && /more than 3 s/.test(e.detail)).toBe(true);
  });

  it("waits for the sketch's port to come back, or gives up after the time given", async () => {
    const d = directory({ appearMs: 0, granted: false });
    d.setPorts([BOOT]);
    setTimeout(() => d.setPorts([LEONARDO]), 200);
    expect(await waitForSketchPort(d.dir, LEONARDO.ids, 2000, systemClock)).toBe(LEONARDO);
    d.setPorts([]);
    expect(await waitForSketchPort(d.dir, LEONARDO.ids, 300, systemClock)).toBeNull();
  });
});
