// The CLI as a user runs it: a separate process flashing an emulated board started by
// `npm run emulate`, and clear non-zero exits for a bad file, a bad argument, an unreachable port.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toIntelHex } from '../../src/core/hex/intel-hex.js';
import { imageFromSegments } from '../../src/core/hex/binary.js';
import { randomBytes } from '../helpers/random.js';

const TSX = join(process.cwd(), 'node_modules/.bin/tsx');

function run(args: string[], timeoutMs = 60_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(TSX, ['src/cli/hexflash.ts', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => p.kill('SIGKILL'), timeoutMs);
    p.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

let emulator: ChildProcess;
let port = 0;
const dir = mkdtempSync(join(tmpdir(), 'hexflash-cli-'));
const image = imageFromSegments([{ address: 0, data: randomBytes(20_000, 11) }]);
const hexFile = join(dir, 'firmware.hex');
writeFileSync(hexFile, toIntelHex(image));

beforeAll(async () => {
  port = 17_000 + Math.floor(Math.random() * 2000);
  emulator = spawn(join(process.cwd(), 'node_modules/.bin/tsx'), ['test/emulator/serve.ts', '--mcu', 'atmega328p', '--port', String(port), '--speed', 'adaptive'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('emulator did not start')), 60_000);
    emulator.stdout?.on('data', (d: Buffer) => {
      if (d.toString().includes('net:127.0.0.1:')) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
});

afterAll(() => {
  emulator?.kill('SIGTERM');
});

describe('hexflash CLI', () => {
  it('flashes the emulated 328p started by the emulate command and prints a JSON summary', async () => {
    const r = await run(['flash', hexFile, '--port', `net:127.0.0.1:${port}`, '--board', 'arduino-uno']);
    expect(r.stderr).toContain('Connected: ATmega328P, signature 1e 95 0f');
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}') as Record<string, unknown>;
    expect(summary).toMatchObject({ ok: true, protocol: 'stk500v1', signature: '1e 95 0f', bytesWritten: 20_096, bytesVerified: 20_096 });
    expect(summary.ms).toMatchObject({ connect: expect.any(Number), write: expect.any(Number), verify: expect.any(Number) });
  });

  it('finds the protocol by itself with --protocol auto', async () => {
    const r = await run(['flash', hexFile, '--port', `net:127.0.0.1:${port}`, '--protocol', 'auto']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('"protocol":"stk500v1"');
  });

  it('exits 1 with the parser words for a bad file', async () => {
    const bad = join(dir, 'bad.hex');
    writeFileSync(bad, ':10000000FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF01\n:00000001FF\n');
    const r = await run(['flash', bad, '--port', `net:127.0.0.1:${port}`]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/not a valid Intel HEX file\. Line 1: checksum/);
    expect(r.stdout).toContain('"code":"hex-parse"');
  });

  it('exits 1 naming a missing file', async () => {
    const r = await run(['flash', join(dir, 'nope.hex'), '--port', `net:127.0.0.1:${port}`]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('Cannot read firmware file');
  });

  it('exits 2 with usage for bad arguments', async () => {
    for (const args of [
      ['flash', hexFile, '--port', 'ttyUSB0'],
      ['flash', hexFile, '--port', `net:127.0.0.1:${port}`, '--protocol', 'wiring'],
      ['flash', hexFile, '--port', `net:127.0.0.1:${port}`, '--baud', 'fast'],
      ['flash', hexFile, '--port', `net:127.0.0.1:${port}`, '--mcu', 'atmega8u2'],
      ['flash', hexFile],
      ['burn', hexFile],
    ]) {
      const r = await run(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toContain('An option is not valid.');
      expect(r.stderr).toContain('Usage:');
    }
  });

  it('exits 1 for an unreachable port, naming the address', async () => {
    const r = await run(['flash', hexFile, '--port', 'net:127.0.0.1:1']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('Could not connect to 127.0.0.1:1 (ECONNREFUSED)');
    expect(r.stderr).toContain('What to do:');
  });

  it('refuses an image too large for the given board before connecting (the port is not even reached)', async () => {
    const big = join(dir, 'too-big.hex');
    writeFileSync(big, toIntelHex(imageFromSegments([{ address: 0, data: randomBytes(33_000, 12) }])));
    const r = await run(['flash', big, '--port', 'net:127.0.0.1:1', '--board', 'arduino-uno']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('The firmware is larger than the application space of this chip.');
    expect(r.stderr).not.toContain('ECONNREFUSED');
    expect(JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}')).toMatchObject({ ok: false, code: 'image-too-large' });
  });
});
