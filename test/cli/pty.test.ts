// The CLI through a real tty: a pseudo-terminal pair made by socat (Debian) between the serialport
// transport and the emulated board's TCP listener, so the bytes cross the kernel's tty layer as on
// a USB adapter. What a pty cannot carry: modem lines (DTR/RTS set() fails with ENOTTY, so no reset
// reaches the board) and the baud rate (the emulated line runs at the bootloader's own). The board
// therefore resets on the first byte it receives, as if its user pressed reset; DTR/RTS and baud
// switching are covered on serialport's mock binding (test/transports/node-serial.test.ts).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { imageFromSegments } from '../../src/core/hex/binary.js';
import { toIntelHex } from '../../src/core/hex/intel-hex.js';
import type { BootloaderId } from '../emulator/bootloaders.js';
import { startBridgedBoard, type BridgedBoard } from '../helpers/bridged-board.js';
import { runCli } from '../helpers/cli-process.js';
import { randomBytes } from '../helpers/random.js';

const dir = mkdtempSync(join(tmpdir(), 'hexflash-pty-'));
let running: BridgedBoard | null = null;
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
