// Runs the real avrdude (Debian) against a net: port and reads its write and verify times.
import { spawn } from 'node:child_process';
import type { ProtocolId } from '../../src/core/programmer.js';

export interface AvrdudeRun {
  readonly ok: boolean;
  readonly writeMs: number;
  readonly verifyMs: number;
  readonly wallMs: number;
  readonly output: string;
}

const PROGRAMMER: Record<string, { programmer: string; part: string }> = {
  stk500v2: { programmer: 'wiring', part: 'm2560' },
  stk500v1: { programmer: 'arduino', part: 'm328p' },
  avr109: { programmer: 'avr109', part: 'm32u4' },
};

export function avrdudeArgs(protocol: ProtocolId, part: string, port: number, baud: number, hexFile: string): string[] {
  const p = PROGRAMMER[protocol];
  if (!p) throw new Error(`no avrdude programmer for ${protocol}`);
  return ['-c', p.programmer, '-p', part, '-P', `net:127.0.0.1:${port}`, '-b', String(baud), '-D', '-U', `flash:w:${hexFile}:i`];
}

export function runAvrdude(args: string[], timeoutMs = 180_000): Promise<AvrdudeRun> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const child = spawn('avrdude', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      const times = [...output.matchAll(/\|\s*100%\s+([\d.]+)\s*s/g)].map((m) => Number(m[1]) * 1000);
      resolve({
        ok: code === 0,
        // avrdude prints one progress bar for writing and one for reading back.
        writeMs: times[0] ?? NaN,
        verifyMs: times[1] ?? NaN,
        wallMs: performance.now() - t0,
        output,
      });
    });
  });
}
