// The serial console's test firmware on the emulated boards: built with avr-gcc, started by the real
// bootloader after it hands over (stk500v2 on the 2560, optiboot on the 328P), prints its banner,
// echoes lines, answers "bin" with bytes that are not text, and a port opened at the wrong rate
// gets garbage (the emulated UART garbles both ways), which is what the console's Auto relies on.
import { describe, expect, it } from 'vitest';
import { openWebSerialLink } from '../../src/transports/web-serial.js';
import { EmulatedBoard } from './board.js';
import { loadBootloader, type BootloaderId } from './bootloaders.js';
import { EmulatedSerialPort } from './serial-port.js';
import { loadConsoleFirmware, type ConsoleFirmwareMcu } from './test-firmware.js';
import type { ByteLink } from '../../src/core/link/byte-link.js';
import type { Clock } from '../../src/core/link/clock.js';
import { textShare } from '../../src/core/console/baud.js';

const latin1 = (b: Uint8Array): string => Buffer.from(b).toString('latin1');

/** Reads until `want` matches the text so far or `ms` of the board's time pass; returns all bytes read. */
async function readUntil(link: ByteLink, clock: Clock, want: RegExp, ms: number): Promise<Uint8Array> {
  const end = clock.now() + ms;
  let got = new Uint8Array(0);
  while (!want.test(latin1(got)) && clock.now() < end) {
    const chunk = await link.readSome(4096, end - clock.now()).catch(() => new Uint8Array(0));
    got = Uint8Array.from([...got, ...chunk]);
  }
  return got;
}

async function boardWith(mcu: ConsoleFirmwareMcu, bootloader: BootloaderId, baud: number) {
  const [bl, app] = await Promise.all([loadBootloader(bootloader), loadConsoleFirmware(mcu, baud)]);
  const { parseIntelHex } = await import('../../src/core/hex/intel-hex.js');
  const board = new EmulatedBoard({
    mcu,
    bootloader: { bytes: parseIntelHex(bl.hexText).bytes, start: bl.start },
    application: app.bytes,
    // Emulated time, shared by the link's deadlines: a loaded machine cannot make the bootloader's 1 s wait look longer.
    speed: 'virtual',
  });
  board.start();
  return { board, app, port: new EmulatedSerialPort(board) as unknown as SerialPort };
}

describe.each([
  ['atmega2560', 'stk500v2-atmega2560', 250000, 115200],
  ['atmega328p', 'optiboot-atmega328p', 115200, 250000],
] as const)('console test firmware on the %s (%s) at %i baud', (mcu, bootloader, baud, wrong) => {
  it('starts after the bootloader, prints its banner, echoes a line and answers "bin" with raw bytes', async () => {
    const { board, app, port } = await boardWith(mcu, bootloader, baud);
    const link = await openWebSerialLink(port, { baud, clock: board.clock });
    try {
      const banner = latin1(await readUntil(link, board.clock, /\r\n/, 5000));
      expect(banner).toBe(`${app.banner}\r\n`);
      await link.write(Buffer.from('hello board\n'));
      expect(latin1(await readUntil(link, board.clock, /\r\n/, 3000))).toBe('echo: hello board\r\n');
      await link.write(Buffer.from('bin\r'));
      expect([...(await readUntil(link, board.clock, />\r\n/, 3000))]).toEqual([...Buffer.from('bin: <'), 0x00, 0x1b, 0x7f, 0xff, ...Buffer.from('>\r\n')]);
      // A DTR pulse resets the board: the bootloader runs, then the banner comes again.
      await link.setSignals({ dataTerminalReady: false, requestToSend: false });
      await link.setSignals({ dataTerminalReady: true, requestToSend: true });
      expect(latin1(await readUntil(link, board.clock, /\r\n/, 5000))).toBe(`${app.banner}\r\n`);
    } finally {
      await link.close();
      await board.stop();
    }
  });

  it(`garbles the banner for a port opened at ${wrong} baud`, async () => {
    const { board, port } = await boardWith(mcu, bootloader, baud);
    const link = await openWebSerialLink(port, { baud: wrong, clock: board.clock });
    try {
      const got = await readUntil(link, board.clock, /(?!)/, 2500);
      expect(got.length).toBeGreaterThan(40);
      expect(textShare(got)).toBeLessThan(0.7);
    } finally {
      await link.close();
      await board.stop();
    }
  });
});
