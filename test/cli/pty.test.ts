// The CLI through a real tty: a pseudo-terminal pair made by socat (Debian) between the serialport
// transport and the emulated board's TCP listener, so the bytes cross the kernel's tty layer as on
// a USB adapter. What a pty cannot carry: modem lines (DTR/RTS set() fails with ENOTTY, so no reset
// reaches the board) and the baud rate (the emulated line runs at the bootloader's own). The board
// therefore resets on the first byte it receives, as if its user pressed reset; DTR/RTS and baud
// switching are covered on serialport's mock binding (test/transports/node-serial.test.ts).
// The 19200-baud boards go through test/emulator/pty-bridge.py instead: a pty whose baud reaches
// the board (a wrong one garbles); it pulses DTR when the host starts a new try after a silence, in
// place of the DTR pulses a pty cannot carry (ATmegaBOOT_168 starts only after an external reset).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { imageFromSegments } from '../../src/core/hex/binary.js';
import { toIntelHex } from '../../src/core/hex/intel-hex.js';
import type { BootloaderId } from '../emulator/bootloaders.js';
import { startBridgedBoard, startRfc2217Board, type BridgedBoard, type Rfc2217Board } from '../helpers/bridged-board.js';
import { runCli } from '../helpers/cli-process.js';
import { randomBytes } from '../helpers/random.js';

const dir = mkdtempSync(join(tmpdir(), 'hexflash-pty-'));
let running: BridgedBoard | Rfc2217Board | null = null;
let socat: ChildProcess | null = null;
afterEach(async () => {
  socat?.kill('SIGTERM');
  socat = null;
  await running?.stop();
  running = null;
});

async function ptyBoard(id: BootloaderId, name: string): Promise<{ board: BridgedBoard; tty: string }> {
  running = await startBridgedBoard(id, { resetOn: 'first-byte' });
  const tty = join(dir, name);
  socat = spawn('socat', [`PTY,link=${tty},raw,echo=0`, `TCP:127.0.0.1:${running.bridge.port}`], { stdio: 'ignore' });
  const until = Date.now() + 5000;
  while (!existsSync(tty) && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
  if (!existsSync(tty)) throw new Error('socat made no pty');
  return { board: running, tty };
}

describe('CLI over a pseudo-terminal (socat)', () => {
  for (const [id, board, bytes, page] of [
    ['optiboot-atmega328p', 'arduino-uno', 20_000, 128],
    ['stk500v2-atmega2560', 'arduino-mega2560', 40_000, 256],
  ] as const) {
    it(`flashes the ${id} through the tty, saying that it cannot reset the board there`, async () => {
      const { board: b, tty } = await ptyBoard(id, `tty-${board}`);
      const data = randomBytes(bytes, bytes);
      const file = join(dir, `${board}.hex`);
      writeFileSync(file, toIntelHex(imageFromSegments([{ address: 0, data }])));
      const r = await runCli(['flash', file, '--port', tty, '--board', board]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.summary).toMatchObject({ ok: true, bytesVerified: Math.ceil(bytes / page) * page });
      expect(r.stderr).toMatch(/has no modem lines \(DTR\/RTS: "[^"]*Inappropriate ioctl/);
      expect(Buffer.compare(Buffer.from(b.board.flash.subarray(0, bytes)), Buffer.from(data))).toBe(0);
    });
  }
});

/** The board behind pty-bridge.py: resolves once the tty exists; `events` collects its "reset" and "baud N" lines. */
async function baudCarryingTty(id: BootloaderId, name: string): Promise<{ board: Rfc2217Board; tty: string; events: string[] }> {
  const b = await startRfc2217Board(id);
  running = b;
  const tty = join(dir, name);
  const events: string[] = [];
  const bridge = spawn('/usr/bin/python3', [fileURLToPath(new URL('../emulator/pty-bridge.py', import.meta.url)), tty, b.spec], { stdio: ['ignore', 'pipe', 'inherit'] });
  socat = bridge;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('pty-bridge.py did not get ready')), 10_000);
    bridge.stdout?.setEncoding('utf8');
    bridge.stdout?.on('data', (text: string) => {
      for (const line of text.split('\n').filter((l) => l !== '')) {
        if (line === 'ready') {
          clearTimeout(timer);
          resolve();
        } else events.push(line);
      }
    });
    bridge.once('exit', (code) => reject(new Error(`pty-bridge.py exited (${code})`)));
  });
  return { board: b, tty, events };
}

describe('CLI over a baud-carrying pseudo-terminal: the 19200-baud boards with "Detect automatically"', () => {
  for (const [id, mcu, bytes, page] of [
    ['atmegaboot-diecimila-atmega168', 'ATmega168', 9_000, 128],
    ['atmegaboot-atmega8', 'ATmega8', 5_000, 64],
  ] as const) {
    it(`finds ${mcu}'s ATmegaBOOT at 19200 after the faster tries garbled, flashes it verified`, async () => {
      const { board: b, tty, events } = await baudCarryingTty(id, `tty-${mcu}`);
      const data = randomBytes(bytes, bytes + 3);
      const file = join(dir, `${mcu}.hex`);
      writeFileSync(file, toIntelHex(imageFromSegments([{ address: 0, data }])));
      const r = await runCli(['flash', file, '--port', tty]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.summary).toMatchObject({ ok: true, protocol: 'stk500v1', baud: 19200, mcu, bytesVerified: Math.ceil(bytes / page) * page });
      // The faster rates were tried first on the wire and garbled there: the board's line followed the tty.
      expect(b.listener.bauds).toEqual(expect.arrayContaining([115200, 57600, 19200]));
      expect(events).toContain('baud 19200');
      expect(events).toContain('reset');
      expect(Buffer.compare(Buffer.from(b.board.flash.subarray(0, bytes)), Buffer.from(data))).toBe(0);
    }, 60_000);
  }
});
