// The CLI's 1200-baud touch: an emulated Leonardo (Caterina's own command loop on the emulated
// 32U4) behind serialport bindings that show its USB identity (test/emulator/mock-usb-serial.ts).
// `hexflash flash --port /dev/ttyACM0` sees the sketch's USB ID, touches the port, watches the port
// list for the bootloader's product ID, flashes and verifies over AVR109, and sees the sketch's port
// come back; a firmware that ignores the touch ends in the missed-window error, exit status 1.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { imageFromSegments } from '../../src/core/hex/binary.js';
import { toIntelHex } from '../../src/core/hex/intel-hex.js';
import { MockUsbSerial } from '../emulator/mock-usb-serial.js';
import type { UsbCdcDevice } from '../emulator/usb-device.js';
import { plugLeonardo as plugInto } from '../helpers/leonardo.js';
import { randomBytes } from '../helpers/random.js';

const dir = mkdtempSync(join(tmpdir(), 'hexflash-touch-'));
let unplug: (() => Promise<void>) | null = null;

afterEach(async () => {
  await unplug?.();
  unplug = null;
});

async function plugLeonardo(): Promise<{ usb: MockUsbSerial; device: UsbCdcDevice }> {
  const usb = new MockUsbSerial('/dev/ttyACM0');
  const { device, stop } = await plugInto(usb);
  unplug = stop;
  return { usb, device };
}

function lines(): { text: () => string; out: (s: string) => void } {
  const all: string[] = [];
  return { text: () => all.join('\n'), out: (s) => all.push(s) };
}

function firmware(name: string, bytes: number, seed: number): { file: string; data: Uint8Array } {
  const data = randomBytes(bytes, seed);
  const file = join(dir, name);
  writeFileSync(file, toIntelHex(imageFromSegments([{ address: 0, data }])));
  return { file, data };
}

describe('CLI: the 1200-baud touch of an ATmega32U4 board', () => {
  for (const [how, args] of [
    ['by its USB ID (no board given)', []],
    ['with --board arduino-leonardo', ['--board', 'arduino-leonardo']],
  ] as const) {
    it(`flashes a Leonardo ${how}: touch, bootloader port found in the port list, AVR109 verified, sketch port back`, async () => {
      const { usb, device: d } = await plugLeonardo();
      const { file, data } = firmware(`leo-${args.length}.hex`, 12_000, 51 + args.length);
      const err = lines();
      const out = lines();
      const code = await main(['flash', file, '--port', '/dev/ttyACM0', ...args], { err: err.out, out: out.out, binding: usb.binding });
      expect(code, err.text()).toBe(0);
      expect(JSON.parse(out.text())).toMatchObject({ ok: true, protocol: 'avr109', mcu: 'ATmega32U4', bytesVerified: Math.ceil(12_000 / 128) * 128 });
      expect(Buffer.compare(Buffer.from(d.board.flash.subarray(0, data.length)), Buffer.from(data))).toBe(0);
      // The touch opened the sketch's port at 1200 baud; the flash opened the bootloader's under the same path.
      expect(usb.opens[0]).toEqual({ path: '/dev/ttyACM0', baud: 1200 });
      expect(err.text()).toMatch(/opening its port at 1200 baud and closing it/);
      expect(err.text()).toMatch(/The bootloader's port appeared after \d+ ms: Arduino Leonardo bootloader \(USB 2341:0036\)/);
      expect(err.text()).toMatch(/the firmware's own port is back: \/dev\/ttyACM0/);
      expect(d.history.join(' > ')).toBe('sketch 8036 > touch > bootloader 0036 > sketch 8036');
    });
  }

  it('a firmware that ignores the touch (no bootloader port within 8 s): exit status 1, the missed-window error and what to do', async () => {
    const { usb, device: d } = await plugLeonardo();
    d.ignoresTouch = true;
    const { file } = firmware('leo-missed.hex', 4000, 59);
    const err = lines();
    const out = lines();
    const code = await main(['flash', file, '--port', '/dev/ttyACM0'], { err: err.out, out: out.out, binding: usb.binding });
    expect(code).toBe(1);
    const summary = JSON.parse(out.text()) as { ok: boolean; code: string; message: string; hint: string };
    expect(summary).toMatchObject({ ok: false, code: 'bootloader-window-missed' });
    expect(summary.message).toMatch(/No port with the bootloader's USB ID \(2341:0036\) appeared within 8 s/);
    expect(summary.hint).toMatch(/double-tap|twice/i);
    expect(usb.opens).toEqual([{ path: '/dev/ttyACM0', baud: 1200 }]);
  }, 20_000);
});
