// Runs HexFlash's own CLI (src/cli, through tsx) in a process of its own against a net: port, as
// avrdude runs in its own: the emulated board's real-time loop then does not share an event loop
// with the flasher it is measured against. Reads the one-line JSON summary.
import { spawn } from 'node:child_process';
import type { FlashResult } from '../../src/core/events.js';

export interface CliRun {
  readonly ok: boolean;
  readonly result: FlashResult | null;
  readonly output: string;
}

export function runHexFlashCli(hexFile: string, port: number, board: string, timeoutMs = 300_000): Promise<CliRun> {
  return new Promise((resolve) => {
    const child = spawn('node_modules/.bin/tsx', ['src/cli/hexflash.ts', 'flash', hexFile, '--port', `net:127.0.0.1:${port}`, '--board', board], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      const line = out.trim().split('\n').pop() ?? '';
      let result: FlashResult | null = null;
      try {
        const j = JSON.parse(line) as { ok: boolean } & FlashResult;
        if (j.ok) result = j;
      } catch {
        result = null;
      }
      resolve({ ok: code === 0 && result !== null, result, output: `${out}\n${err}`.slice(-600) });
    });
  });
}
