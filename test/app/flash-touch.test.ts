// The app's flash path for an ATmega32U4 board end to end in-process: the Leonardo's sketch port,
// the 1200-baud touch, Caterina's real command loop behind the bootloader port that appears (granted:
// picked up without asking; not granted: chosen by the user through the ask step; not chosen: a
// missed window with its message; reset by hand: flashed from the bootloader port without a touch),
// the flash verified, and the sketch's port back afterwards.
import { afterEach, describe, expect, it } from 'vitest';
import { runFlash, type FlashDeps, type FlashUpdate } from '../../src/app/flash-service.js';
import { webSerialPorts } from '../../src/app/touch-ports.js';
import { imageFromSegments } from '../../src/core/hex/binary.js';
import type { PortDirectory } from '../../src/core/touch.js';
import { openWebSerialLink } from '../../src/transports/web-serial.js';
import { systemClock } from '../../src/transports/system-clock.js';
import { EmulatedSerial } from '../emulator/serial-hub.js';
import type { UsbCdcDevice } from '../emulator/usb-device.js';
import { LEONARDO_IDS, plugLeonardo as plugInto } from '../helpers/leonardo.js';
import { randomBytes } from '../helpers/random.js';

const IDS = LEONARDO_IDS;
let unplug: (() => Promise<void>) | null = null;

afterEach(async () => {
  await unplug?.();
  unplug = null;
});

async function plugLeonardo(): Promise<{ hub: EmulatedSerial; device: UsbCdcDevice }> {
  const hub = new EmulatedSerial();
  const { device, stop } = await plugInto(hub);
  unplug = stop;
  // The user chose the Leonardo's port once before.
  hub.grantIds(IDS.vid, IDS.sketchPid);
  return { hub, device };
}

function deps(hub: EmulatedSerial, ask?: PortDirectory<SerialPort>['ask']): FlashDeps {
  const serial = hub as unknown as Serial;
  return {
    requestPort: (filters) => serial.requestPort(filters ? { filters: [...filters] } : undefined),
    openLink: (port, opts) => openWebSerialLink(port, { ...opts, clock: systemClock }),
    clock: systemClock,
    ports: webSerialPorts(serial, systemClock, ask),
  };
}

const image = imageFromSegments([{ address: 0, data: randomBytes(5000, 21) }]);

describe('flashing a Leonardo through the 1200-baud touch', () => {
  it('picks up a granted bootloader port without asking, verifies, and sees the sketch port come back', async () => {
    const { hub, device: d } = await plugLeonardo();
    hub.grantIds(IDS.vid, IDS.bootloaderPid);
    const updates: FlashUpdate[] = [];
    const out = await runFlash({ image, request: { board: 'arduino-leonardo' }, verbose: false }, deps(hub), (u) => updates.push(u));
    if (out.state !== 'done') throw new Error(`expected done, got ${JSON.stringify(out)}`);
    expect(out.result.protocol).toBe('avr109');
    expect(out.result.bytesVerified).toBe(out.result.bytesWritten);
    expect(out.port.label).toBe('Arduino Leonardo bootloader (USB 2341:0036)');
    expect(Buffer.compare(d.board.flash.subarray(0, image.end), image.bytes)).toBe(0);
    expect(hub.requests).toBe(1);
    expect(updates.map((u) => u.state)).toContain('touching');
    const logs = updates.flatMap((u) => (u.state === 'log' ? [u.text] : []));
    expect(logs.some((l) => /appeared after \d+ ms/.test(l))).toBe(true);
    expect(logs).toContain("The firmware's own port is back: Arduino Leonardo (USB 2341:8036).");
    expect(d.mode).toBe('sketch');
    expect(d.history).toEqual(['sketch 8036', 'touch', 'bootloader 0036', 'sketch 8036']);
  });

  it('asks the user for the bootloader port when it is not granted, with its USB ID as the filter', async () => {
    const { hub, device: d } = await plugLeonardo();
    const asked: number[] = [];
    const ask: PortDirectory<SerialPort>['ask'] = async (expected, deadline) => {
      asked.push(deadline - systemClock.now());
      // The user clicks "Choose the bootloader port" and picks it in the filtered chooser.
      const filters = expected.map((e) => ({ usbVendorId: e.vid, ...(e.pid !== undefined ? { usbProductId: e.pid } : {}) }));
      await new Promise((r) => setTimeout(r, 300));
      return (hub as unknown as Serial).requestPort({ filters });
    };
    const out = await runFlash({ image, request: { board: 'arduino-leonardo' }, verbose: false }, deps(hub, ask), () => undefined);
    expect(out.state).toBe('done');
    expect(asked).toHaveLength(1);
    expect(asked[0]).toBeGreaterThan(5000);
    expect(hub.lastFilters).toEqual([{ usbVendorId: 0x2341, usbProductId: 0x0036 }]);
    expect(Buffer.compare(d.board.flash.subarray(0, image.end), image.bytes)).toBe(0);
  });

  it('with "Detect automatically", the sketch port\'s USB ID alone leads to the touch and AVR109', async () => {
    const { hub } = await plugLeonardo();
    hub.grantIds(IDS.vid, IDS.bootloaderPid);
    const out = await runFlash({ image, request: { protocol: 'auto' }, verbose: false }, deps(hub), () => undefined);
    if (out.state !== 'done') throw new Error(`expected done, got ${JSON.stringify(out)}`);
    expect(out.result.protocol).toBe('avr109');
    expect(out.result.mcu).toBe('ATmega32U4');
  });

  it('after a reset by hand (the double-tap on a Pro Micro) the bootloader port is flashed as it is, without a touch', async () => {
    const { hub, device: d } = await plugLeonardo();
    d.pressReset();
    await d.settled('bootloader');
    hub.chooser = (offered) => offered.find((p) => p.getInfo().usbProductId === IDS.bootloaderPid) ?? null;
    const updates: FlashUpdate[] = [];
    const out = await runFlash({ image, request: { board: 'arduino-leonardo' }, verbose: false }, deps(hub), (u) => updates.push(u));
    expect(out.state).toBe('done');
    expect(updates.map((u) => u.state)).not.toContain('touching');
    expect(d.history).not.toContain('touch');
    expect(Buffer.compare(d.board.flash.subarray(0, image.end), image.bytes)).toBe(0);
  });

  it('a missed window ends with bootloader-window-missed, writes nothing, and the board goes back to its sketch', async () => {
    const { hub, device: d } = await plugLeonardo();
    const before = d.board.flash.slice(0, 0x7000);
    const out = await runFlash({ image, request: { board: 'arduino-leonardo' }, verbose: false }, deps(hub, async () => null), () => undefined);
    if (out.state !== 'error') throw new Error(`expected an error, got ${out.state}`);
    expect(out.error.code).toBe('bootloader-window-missed');
    expect(out.error.hint).toMatch(/twice quickly on a Pro Micro/);
    expect(Buffer.compare(d.board.flash.subarray(0, 0x7000), before)).toBe(0);
    // Caterina's own 8 s (emulated time: on a loaded machine they take longer) run out and the sketch's port comes back.
    for (const end = Date.now() + 20_000; d.mode !== 'sketch' && Date.now() < end; ) await new Promise((r) => setTimeout(r, 100));
    expect(d.mode).toBe('sketch');
  }, 40_000);
});
