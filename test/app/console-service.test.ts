// The console service on the emulated boards through the Web Serial adapter: every byte the firmware
// sends lands in the ring, Auto finds the rate from the start-up text (at 115200 after garbage at
// 250000), a sent line comes back with the chosen ending, an unplug ends the session with its cause,
// and close releases the port.
import { describe, expect, it } from 'vitest';
import { ConsoleSession, type ConsoleDeps } from '../../src/app/console-service.js';
import { LineRing } from '../../src/core/console/line-ring.js';
import type { FlashError } from '../../src/core/errors.js';
import { parseIntelHex } from '../../src/core/hex/intel-hex.js';
import { openWebSerialLink } from '../../src/transports/web-serial.js';
import { EmulatedBoard } from '../emulator/board.js';
import { loadBootloader } from '../emulator/bootloaders.js';
import { EmulatedSerialPort } from '../emulator/serial-port.js';
import { loadConsoleFirmware } from '../emulator/test-firmware.js';

async function uno(baud: number) {
  const [bl, app] = await Promise.all([loadBootloader('optiboot-atmega328p'), loadConsoleFirmware('atmega328p', baud)]);
  const board = new EmulatedBoard({ mcu: 'atmega328p', bootloader: { bytes: parseIntelHex(bl.hexText).bytes, start: bl.start }, application: app.bytes, speed: 'virtual' });
  board.start();
  const port = new EmulatedSerialPort(board);
  const deps: ConsoleDeps = {
    requestPort: async () => port as unknown as SerialPort,
    openLink: (p, o) => openWebSerialLink(p, { ...o, clock: board.clock }),
    // Emulated time: Auto's listening windows and the bootloader's wait share one timeline, whatever the machine's load.
    clock: board.clock,
  };
  return { board, port, deps, app };
}

async function until(what: string, ok: () => boolean, ms = 8000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('ConsoleSession on an emulated Uno running the console test firmware at 115200', () => {
  it('Auto tries 250000 (garbage), keeps 115200 and shows only its banner; a sent line comes back; close frees the port', async () => {
    const { board, port, deps, app } = await uno(115200);
    const ring = new LineRing(100);
    const tried: number[] = [];
    const s = await ConsoleSession.open(port as unknown as SerialPort, 250000, deps, ring, { data: () => undefined, ended: () => undefined });
    try {
      const { found, tries } = await s.autoBaud([250000, 115200, 57600], (b) => tried.push(b));
      expect(tried).toEqual([250000, 115200]);
      expect(found?.baud).toBe(115200);
      expect(tries[0]?.share).toBeLessThan(0.9);
      expect(s.baud).toBe(115200);
      await until('the banner', () => ring.length >= 1 && ring.line(0)?.text === app.banner);
      await s.send('M115', 'cr');
      await until('the echo', () => ring.line(1)?.text === 'echo: M115');
      expect(ring.line(1)?.escaped).toBe(0);
    } finally {
      await s.close();
      await board.stop();
    }
    expect(port.readable).toBeNull();
    expect(port.writable).toBeNull();
  });

  it('with nothing readable at any rate it says so and stays at the best-looking one', async () => {
    const { board, port, deps } = await uno(115200);
    const ring = new LineRing(100);
    const s = await ConsoleSession.open(port as unknown as SerialPort, 57600, deps, ring, { data: () => undefined, ended: () => undefined });
    try {
      const { found, tries } = await s.autoBaud([250000, 57600]);
      expect(found).toBeNull();
      expect(tries.map((t) => t.baud)).toEqual([250000, 57600]);
      expect(tries.every((t) => t.bytes > 0)).toBe(true);
      const best = tries[0] && tries[1] && (tries[0].share >= tries[1].share ? tries[0] : tries[1]);
      expect(s.baud).toBe(best?.baud);
    } finally {
      await s.close();
      await board.stop();
    }
  });

  it('an unplug ends the session with the cause', async () => {
    const { board, port, deps } = await uno(115200);
    let ended: FlashError | null = null;
    const s = await ConsoleSession.open(port as unknown as SerialPort, 115200, deps, new LineRing(10), { data: () => undefined, ended: (e) => (ended = e) });
    port.disconnect();
    await until('the end', () => ended !== null, 3000);
    expect((ended as FlashError | null)?.code).toBe('link-closed');
    await s.close();
    await board.stop();
  });
});
