// Caterina's own entry and timeout logic on the emulated ATmega32U4 (virtual time): which resets
// enter the bootloader, the 8 s window after a 1200-baud touch, and that traffic keeps it open.
import { afterEach, describe, expect, it } from 'vitest';
import { parseIntelHex } from '../../src/core/hex/intel-hex.js';
import { sleep } from '../../src/core/link/clock.js';
import { EmulatedBoard } from './board.js';
import { loadBootloader } from './bootloaders.js';

/** What a sketch does on the 1200-baud touch (Arduino's CDC code): boot key 0x7777 at RAM 0x0800, then the watchdog. */
const BOOT_KEY = { address: 0x0800, bytes: [0x77, 0x77] };
const SKETCH = Uint8Array.of(0x0c, 0x94, 0x5c, 0x00); // a "jmp" at 0: flash word 0 is not erased

let board: EmulatedBoard | null = null;
afterEach(async () => {
  await board?.stop();
  board = null;
});

async function start(application?: Uint8Array): Promise<EmulatedBoard> {
  const info = await loadBootloader('caterina-atmega32u4');
  board = new EmulatedBoard({
    mcu: 'atmega32u4',
    bootloader: { bytes: parseIntelHex(info.hexText).bytes, start: info.start },
    speed: 'virtual',
    usbCdc: true,
    ...(application ? { application } : {}),
  });
  board.start();
  return board;
}

/** Sends 'S' and collects the answer for `ms` of emulated time. */
async function ask(b: EmulatedBoard, ms = 20): Promise<string> {
  let got = '';
  b.onHostData = (bytes) => (got += String.fromCharCode(...bytes));
  b.hostWrite(Uint8Array.of(0x53), 57600);
  await sleep(b.clock, ms);
  return got;
}

describe('Caterina on the emulated ATmega32U4', () => {
  it('starts the sketch at power-on when there is one, and stays in the bootloader on an empty chip', async () => {
    const withSketch = await start(SKETCH);
    await sleep(withSketch.clock, 50);
    expect(withSketch.inApplication).toBe(true);
    await withSketch.stop();
    const empty = await start();
    await sleep(empty.clock, 12_000);
    expect(empty.inApplication).toBe(false);
    expect(await ask(empty)).toBe('CATERIN');
  });

  it('after the touch (boot key + watchdog) answers AVR109 for 8 s, then starts the sketch', async () => {
    const b = await start(SKETCH);
    await sleep(b.clock, 50);
    let startedAt = -1;
    b.onApplicationStart = () => (startedAt = b.clock.now());
    const touchedAt = b.clock.now();
    b.watchdogReset(BOOT_KEY);
    await sleep(b.clock, 100);
    expect(b.inApplication).toBe(false);
    expect(await ask(b)).toBe('CATERIN');
    await sleep(b.clock, 9_000);
    expect(b.inApplication).toBe(true);
    // TIMEOUT_PERIOD is 8000 ticks of the 1 ms Timer1 interrupt (OCR1A 250 at clk/64).
    expect(startedAt - touchedAt).toBeGreaterThan(7_900);
    expect(startedAt - touchedAt).toBeLessThan(8_300);
  });

  it("a watchdog reset without the boot key starts the sketch; the reset button enters the bootloader", async () => {
    const b = await start(SKETCH);
    await sleep(b.clock, 50);
    b.watchdogReset();
    await sleep(b.clock, 50);
    expect(b.inApplication).toBe(true);
    b.reset();
    await sleep(b.clock, 50);
    expect(b.inApplication).toBe(false);
    expect(await ask(b)).toBe('CATERIN');
  });

  it("'E' cuts the window to 500 ms", async () => {
    const b = await start(SKETCH);
    b.watchdogReset(BOOT_KEY);
    await sleep(b.clock, 100);
    let startedAt = -1;
    b.onApplicationStart = () => (startedAt = b.clock.now());
    b.hostWrite(Uint8Array.of(0x45), 57600);
    const sentAt = b.clock.now();
    await sleep(b.clock, 1_000);
    expect(startedAt - sentAt).toBeGreaterThan(400);
    expect(startedAt - sentAt).toBeLessThan(600);
  });
});
