// Refusals and dead ends on the emulated 2560 and 328p: each ends with its own error code and
// words, nothing is written, no bootloader -> within 10 s naming what was tried, link released.
import { afterEach, describe, expect, it } from 'vitest';
import { FlashError } from '../../src/core/errors.js';
import { imageFromSegments } from '../../src/core/hex/binary.js';
import { parseIntelHex } from '../../src/core/hex/intel-hex.js';
import { flashFirmware, type FlashRequest } from '../../src/core/session.js';
import { systemClock } from '../../src/transports/system-clock.js';
import { EmulatedBoard } from '../emulator/board.js';
import { EmulatedSerialPort } from '../emulator/serial-port.js';
import { openWebSerialLink } from '../../src/transports/web-serial.js';
import { startBench, type BenchBoard } from '../helpers/bench-board.js';
import { randomBytes } from '../helpers/random.js';

let bench: BenchBoard | undefined;
afterEach(async () => {
  await bench?.stop();
  bench = undefined;
});

async function refuse(req: FlashRequest, baud = 115200): Promise<{ error: FlashError; written: boolean }> {
  bench ??= await startBench('stk500v2-atmega2560');
  const before = bench.board.flash.slice();
  const link = await bench.open(baud);
  try {
    await flashFirmware(req, { link, clock: systemClock });
  } catch (e) {
    expect(e).toBeInstanceOf(FlashError);
    return { error: e as FlashError, written: !bench.board.flash.every((b, i) => b === before[i]) };
  } finally {
    await link.close();
  }
  throw new Error('the session did not refuse');
}

describe('the session refuses without writing a byte', () => {
  it('an image larger than the application section', async () => {
    const image = imageFromSegments([{ address: 0, data: randomBytes(256 * 1024 - 4096, 1) }]);
    const { error, written } = await refuse({ image, board: 'arduino-mega2560' });
    expect(error.code).toBe('image-too-large');
    expect(error.message).toMatch(/larger than the application space.*ATmega2560 has 248\.0 KiB/);
    expect(written).toBe(false);
  });

  it('an image overlapping the bootloader', async () => {
    const image = imageFromSegments([
      { address: 0, data: randomBytes(1024, 2) },
      { address: 0x3e100, data: randomBytes(16, 3) },
    ]);
    const { error, written } = await refuse({ image, board: 'arduino-mega2560' });
    expect(error.code).toBe('image-overlaps-bootloader');
    expect(error.message).toContain('data at 0x3e100, but the bootloader of this ATmega2560 starts at 0x3e000');
    expect(written).toBe(false);
  });

  it('the same oversized image when the chip is only learnt from its signature', async () => {
    const image = imageFromSegments([{ address: 0, data: randomBytes(256 * 1024 - 4096, 1) }]);
    const { error, written } = await refuse({ image, protocol: 'auto' });
    expect(error.code).toBe('image-too-large');
    expect(written).toBe(false);
  });

  it('a signature that differs from the chosen MCU', async () => {
    const image = imageFromSegments([{ address: 0, data: randomBytes(512, 4) }]);
    const { error, written } = await refuse({ image, mcu: 'atmega1280', protocol: 'stk500v2', baud: 115200 });
    expect(error.code).toBe('signature-mismatch');
    expect(error.message).toContain('Expected ATmega1280 (1e 97 03), the board reported ATmega2560 (1e 98 01)');
    expect(written).toBe(false);
  });

  it('malformed hex files never reach the session: bad checksum, unknown record type, truncated line', () => {
    const bad = {
      ':100000000C9434000C9446000C9446000C944600AA\n:00000001FF\n': /Line 1: checksum/,
      ':100000070C9434000C9446000C9446000C9446006A\n:00000001FF\n': /Line 1: unknown record type 0x07/,
      ':020000040000FA\n:10000000\n': /Line 2: /,
    };
    for (const [text, words] of Object.entries(bad)) {
      let err: unknown;
      try {
        parseIntelHex(text);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(FlashError);
      expect((err as FlashError).code).toBe('hex-parse');
      expect((err as FlashError).message).toMatch(words);
    }
  });
});

describe('when no bootloader answers', () => {
  it('a board without a bootloader: ends within 10 s naming what was tried and the likely causes, port released', async () => {
    const board = new EmulatedBoard({ mcu: 'atmega2560', bootloader: null, speed: 'adaptive' });
    board.start();
    const port = new EmulatedSerialPort(board);
    const link = await openWebSerialLink(port as unknown as SerialPort, { baud: 115200 });
    const t0 = performance.now();
    const err = await flashFirmware({ image: imageFromSegments([{ address: 0, data: randomBytes(256, 5) }]), protocol: 'auto' }, { link, clock: systemClock }).then(() => new FlashError('protocol-error', 'unexpected success'), 
      (e: unknown) => e as FlashError,
    );
    const ms = performance.now() - t0;
    await link.close();
    await board.stop();
    expect(ms).toBeLessThan(10_000);
    expect(err.code).toBe('no-bootloader');
    expect(err.message).toContain('Tried STK500V2 at 115200 baud, STK500V1 at 115200 baud, STK500V1 at 57600 baud');
    expect(err.hint).toMatch(/other program that holds the port \(OctoPrint/);
    expect(err.hint).toMatch(/reset/);
    expect(port.readable).toBeNull();
    expect(port.writable).toBeNull();
  });

  it('the wrong baud given: ends within 10 s with no-bootloader', async () => {
    const t0 = performance.now();
    const { error } = await refuse({ image: imageFromSegments([{ address: 0, data: randomBytes(256, 6) }]), protocol: 'stk500v2', baud: 57600 }, 57600);
    expect(performance.now() - t0).toBeLessThan(10_000);
    expect(error.code).toBe('no-bootloader');
    expect(error.message).toContain('STK500V2 at 57600 baud');
  });
});
