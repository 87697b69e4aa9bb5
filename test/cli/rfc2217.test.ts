// The CLI, as a separate process, through the emulated board's RFC 2217 server (rfc2217://): protocol
// auto changes the server's baud with SET-BAUDRATE (a wrong baud garbles bytes both ways, as on
// the wire) and resets the board with DTR/RTS through SET-CONTROL, over one connection. Each board
// is flashed and verified byte for byte, and what the server was told is checked from its side.
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CONTROL } from '../../src/transports/telnet.js';
import { startRfc2217Board, type Rfc2217Board } from '../helpers/bridged-board.js';
import { runCli, TSX } from '../helpers/cli-process.js';
import { writeFirmware } from '../helpers/firmware-file.js';

const dir = mkdtempSync(join(tmpdir(), 'hexflash-rfc2217-'));
let running: Rfc2217Board | null = null;
afterEach(async () => {
  await running?.stop();
  running = null;
});

const firmware = (bytes: number, seed: number): { file: string; data: Uint8Array } => writeFirmware(dir, bytes, seed);

describe('CLI through an RFC 2217 server (the emulated board)', () => {
  // [bootloader, image bytes, page bytes, its baud, bauds protocol auto tries, attempts until it answers]
  for (const [id, bytes, page, baud, tried, attempts] of [
    ['stk500v2-atmega2560', 40_000, 256, 115200, [115200], 1],
    ['optiboot-atmega328p', 12_000, 128, 115200, [115200], 2],
    ['atmegaboot-atmega1280', 30_000, 256, 57600, [115200, 57600], 3],
  ] as const) {
    it(`protocol auto flashes the ${id} (${baud} baud), changing baud and resetting by DTR over one connection`, async () => {
      // The line starts at a baud no bootloader uses: only the client's SET-BAUDRATE makes it work.
      running = await startRfc2217Board(id, { lineBaud: 9600 });
      const fw = firmware(bytes, bytes + baud);
      const r = await runCli(['flash', fw.file, '--port', running.spec, '--protocol', 'auto', '--verbose']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.summary).toMatchObject({ ok: true, bytesVerified: Math.ceil(bytes / page) * page });
      expect(Buffer.compare(Buffer.from(running.board.flash.subarray(0, bytes)), Buffer.from(fw.data))).toBe(0);

      // The log shows each baud tried and the server confirming it.
      for (const b of tried) expect(r.stderr).toContain(`at ${b} baud (attempt`);
      expect(r.stderr).toContain(`${running.spec}: server: serial port at ${baud} baud`);
      expect(r.stderr).toMatch(new RegExp(`Connected: \\w+, signature [0-9a-f ]+, STK500V[12] at ${baud} baud`));
      // The server was told the bauds over the one connection, and the board's reset came by DTR edges.
      expect(running.listener.bauds[0]).toBe(115200);
      expect(running.listener.bauds.at(-1)).toBe(baud);
      expect(running.listener.bauds).toEqual(expect.arrayContaining([...tried]));
      expect(running.listener.controls).toEqual(expect.arrayContaining([CONTROL.DTR_OFF, CONTROL.DTR_ON, CONTROL.RTS_OFF, CONTROL.RTS_ON]));
      // Each attempt pulsed the lines (a rising edge through SET-CONTROL), and each edge reset the
      // board: beyond power-on and the connection's own reset (the server opening its port).
      expect(running.listener.risingEdges).toBeGreaterThanOrEqual(attempts);
      expect(running.board.stats.resets).toBeGreaterThanOrEqual(2 + attempts);
      expect(running.listener.connections).toBe(1);
      expect(running.listener.refused).toBe(0);
      expect(running.listener.purges).toBeGreaterThanOrEqual(tried.length);
      expect(r.stderr).not.toContain('did not answer the DTR/RTS request');
    });
  }

  it("in avrdude's place: OctoPrint-FirmwareUpdater's command line with -P rfc2217:// flashes verified", async () => {
    running = await startRfc2217Board('optiboot-atmega328p');
    const fw = firmware(8000, 8000);
    const r = await runCli(['-v', '-q', '-p', 'atmega328p', '-c', 'arduino', '-P', running.spec, '-D', '-C', '/etc/avrdude.conf', '-b', '115200', '-U', `flash:w:${fw.file}:i`]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('8064 bytes of flash verified');
    expect(Buffer.compare(Buffer.from(running.board.flash.subarray(0, 8000)), Buffer.from(fw.data))).toBe(0);
    expect(running.listener.connections).toBe(1);
  });

  it('npm run emulate -- --rfc2217: a board another process serves, flashed with protocol auto', async () => {
    const emulator = spawn(TSX, ['test/emulator/serve.ts', '--mcu', 'atmega1280', '--port', '0', '--speed', 'adaptive', '--rfc2217'], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      const spec = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('the emulator did not start')), 60_000);
        let out = '';
        emulator.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          const m = /on (rfc2217:\/\/127\.0\.0\.1:\d+)/.exec(out);
          if (m?.[1]) {
            clearTimeout(timer);
            resolve(m[1]);
          }
        });
      });
      const r = await runCli(['flash', firmware(4000, 4000).file, '--port', spec, '--protocol', 'auto']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.summary).toMatchObject({ ok: true, protocol: 'stk500v1', baud: 57600, bytesVerified: 4096 });
    } finally {
      emulator.kill('SIGTERM');
    }
  });

  it('a malformed rfc2217:// port: exit 2 before anything is opened, saying the form', async () => {
    const r = await runCli(['flash', firmware(100, 1).file, '--port', 'rfc2217://127.0.0.1']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('names no TCP port: use rfc2217://HOST:PORT');
  });
});
