// The Node serial transport on serialport's mock binding wired to emulated boards with their real
// bootloaders: DTR/RTS edges reset the board, baud changes reach the line (a wrong baud garbles),
// so protocol auto works as in the browser; avrdude's dialect with the wrong programmer type still
// flashes; -U flash:r reads what is on the board; `hexflash ports` lists the mock ports by name.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SerialPortMock } from 'serialport';
import { afterEach, describe, expect, it } from 'vitest';
import { imageFromSegments } from '../../src/core/hex/binary.js';
import { parseIntelHex, toIntelHex } from '../../src/core/hex/intel-hex.js';
import { flashFirmware } from '../../src/core/session.js';
import { main } from '../../src/cli/main.js';
import { openNodeSerialLink } from '../../src/transports/node-serial.js';
import { systemClock } from '../../src/transports/system-clock.js';
import { startBench, type BenchBoard } from '../helpers/bench-board.js';
import { randomBytes } from '../helpers/random.js';
import { wireMockSerial } from '../emulator/mock-serial.js';
import type { BootloaderId } from '../emulator/bootloaders.js';

const dir = mkdtempSync(join(tmpdir(), 'hexflash-node-serial-'));
let bench: BenchBoard | null = null;
afterEach(async () => {
  await bench?.stop();
  bench = null;
  SerialPortMock.binding.reset();
});

async function board(id: BootloaderId, path: string, info = {}) {
  bench = await startBench(id);
  return { bench, wire: wireMockSerial(bench.board, path, info) };
}

function lines(): { text: () => string; out: (s: string) => void } {
  const all: string[] = [];
  return { text: () => all.join('\n'), out: (s) => all.push(s) };
}

describe('Node serial transport (serialport mock binding on an emulated board)', () => {
  it('protocol auto on the Anet A8 (ATmegaBOOT at 57600): resets by DTR/RTS, switches baud, flashes verified', async () => {
    const { bench: b, wire } = await board('atmegaboot-atmega1284p', '/dev/ttyUSB0', { vendorId: '1a86', productId: '7523' });
    const data = randomBytes(30_000, 41);
    const image = imageFromSegments([{ address: 0, data }]);
    const link = await openNodeSerialLink('/dev/ttyUSB0', { baud: 115200, clock: systemClock, binding: wire.binding });
    const resetsBefore = b.board.stats.resets;
    try {
      const result = await flashFirmware({ image, protocol: 'auto' }, { link, clock: systemClock });
      expect(result).toMatchObject({ protocol: 'stk500v1', baud: 57600, mcu: 'ATmega1284P', bytesVerified: result.bytesWritten });
    } finally {
      await link.close();
    }
    expect(Buffer.compare(Buffer.from(b.board.flash.subarray(0, data.length)), Buffer.from(data))).toBe(0);
    // 115200 was tried (and garbled) before 57600 answered; each try pulsed DTR and RTS low, then high.
    expect(wire.bauds.slice(0, 2)).toEqual([115200, 57600]);
    expect(wire.signals).toContainEqual({ dtr: false, rts: false });
    expect(wire.signals).toContainEqual({ dtr: true, rts: true });
    expect(b.board.stats.resets - resetsBefore).toBeGreaterThanOrEqual(3);
  });

  it('a port another program holds is port-busy, naming the path', async () => {
    const { wire } = await board('optiboot-atmega328p', '/dev/ttyACM0');
    const first = await openNodeSerialLink('/dev/ttyACM0', { baud: 115200, binding: wire.binding });
    try {
      await expect(openNodeSerialLink('/dev/ttyACM0', { baud: 115200, binding: wire.binding })).rejects.toMatchObject({
        code: 'port-busy',
        message: expect.stringContaining('/dev/ttyACM0 is held by another program'),
      });
    } finally {
      await first.close();
    }
  });

  it("avrdude's dialect: OctoPrint's command line with -c wiring -b 115200 on the Anet A8 still flashes, and says what answered", async () => {
    const { bench: b, wire } = await board('atmegaboot-atmega1284p', '/dev/ttyUSB1');
    const data = randomBytes(20_000, 42);
    const file = join(dir, 'marlin.hex');
    writeFileSync(file, toIntelHex(imageFromSegments([{ address: 0, data }])));
    const err = lines();
    const out = lines();
    const code = await main(['-v', '-q', '-p', 'm1284p', '-c', 'wiring', '-P', '/dev/ttyUSB1', '-D', '-C', '/etc/avrdude.conf', '-b', '115200', '', '-U', `flash:w:${file}:i`], {
      err: err.out,
      out: out.out,
      binding: wire.binding,
    });
    expect(code, err.text()).toBe(0);
    expect(err.text()).toMatch(/writing flash \(20224 bytes\)/);
    expect(err.text()).toContain('reading on-chip flash data');
    expect(err.text()).toContain('20224 bytes of flash verified');
    expect(err.text()).toMatch(/the bootloader answered STK500V1 at 57600 baud, not the -c\/-b given/);
    expect(err.text().toLowerCase()).not.toContain('timeout communicating with programmer');
    expect(out.text()).toBe('');
    expect(Buffer.compare(Buffer.from(b.board.flash.subarray(0, data.length)), Buffer.from(data))).toBe(0);
  });

  it('-U flash:r:out.hex:i writes the application section below the bootloader, trailing erased pages trimmed', async () => {
    const data = randomBytes(5000, 43);
    const { bench: b, wire } = await board('optiboot-atmega328p', '/dev/ttyUSB2');
    b.board.flash.set(data, 0);
    const out = join(dir, 'backup.hex');
    const err = lines();
    const code = await main(['-p', 'm328p', '-c', 'arduino', '-P', '/dev/ttyUSB2', '-b', '115200', '-U', `flash:r:${out}:i`], { err: err.out, out: () => undefined, binding: wire.binding });
    expect(code, err.text()).toBe(0);
    const read = parseIntelHex(readFileSync(out, 'latin1'));
    const app = 0x8000 - 512;
    const expected = Buffer.from(b.board.flash.subarray(0, app));
    const got = Buffer.alloc(app, 0xff);
    got.set(read.bytes.subarray(0, Math.min(read.bytes.length, app)));
    expect(read.end).toBeLessThanOrEqual(app);
    expect(Buffer.compare(got, expected)).toBe(0);
    expect(read.end).toBe(Math.ceil(data.length / 128) * 128);
  });

  it('hexflash ports lists the ports with their USB IDs and what they probably are', async () => {
    const { wire } = await board('stk500v2-atmega2560', '/dev/ttyACM0', { vendorId: '2341', productId: '0042', manufacturer: 'Arduino (www.arduino.cc)' });
    SerialPortMock.binding.createPort('/dev/ttyUSB0', { vendorId: '1a86', productId: '7523', manufacturer: '1a86' });
    SerialPortMock.binding.createPort('/dev/ttyUSB1', { vendorId: '2c99', productId: '0002', manufacturer: 'Prusa Research (prusa3d.com)' });
    SerialPortMock.binding.createPort('/dev/ttyS0', {});
    const out = lines();
    expect(await main(['ports'], { err: () => undefined, out: out.out, binding: wire.binding })).toBe(0);
    const rows = out.text().split('\n');
    expect(rows[0]).toMatch(/^PORT\s+USB ID\s+MAKER\s+PRODUCT\s+PROBABLY$/);
    expect(rows.find((r) => r.startsWith('/dev/ttyACM0'))).toMatch(/2341:0042\s+Arduino \(www\.arduino\.cc\)\s+-\s+Arduino Mega 2560 R3$/);
    expect(rows.find((r) => r.startsWith('/dev/ttyUSB0'))).toMatch(/1a86:7523 .*CH340 USB-serial adapter$/);
    expect(rows.find((r) => r.startsWith('/dev/ttyUSB1'))).toMatch(/2c99:0002 .*Original Prusa i3 MK3/);
    expect(rows.find((r) => r.startsWith('/dev/ttyS0'))).toMatch(/^\/dev\/ttyS0\s+-\s+/);
    const json = lines();
    await main(['ports', '--json'], { err: () => undefined, out: json.out, binding: wire.binding });
    expect(JSON.parse(json.text())).toContainEqual(expect.objectContaining({ path: '/dev/ttyACM0', vid: 0x2341, pid: 0x42, board: 'arduino-mega2560' }));
  });
});
