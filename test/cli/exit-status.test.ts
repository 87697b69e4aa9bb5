// Every failure the CLI can meet, run as a separate process against real bootloaders on emulated
// boards: each must exit non-zero and end stdout with an ok:false JSON line naming its code. The
// first case is the regression for exit status 0 after a bridge hung up (the process used to end
// while main() still awaited a socket close that had already happened).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { imageFromSegments } from '../../src/core/hex/binary.js';
import { toIntelHex } from '../../src/core/hex/intel-hex.js';
import { startBridgedBoard, type BridgedBoard } from '../helpers/bridged-board.js';
import { runCli, type CliRun } from '../helpers/cli-process.js';
import { randomBytes } from '../helpers/random.js';

const dir = mkdtempSync(join(tmpdir(), 'hexflash-exit-'));
function hexFile(name: string, bytes: number, seed: number, address = 0): string {
  const f = join(dir, name);
  writeFileSync(f, toIntelHex(imageFromSegments([{ address, data: randomBytes(bytes, seed) }])));
  return f;
}
const small = hexFile('small.hex', 3000, 21);

// Each test stops its boards: emulators left running would starve the next test's.
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function board(...args: Parameters<typeof startBridgedBoard>): Promise<BridgedBoard> {
  const b = await startBridgedBoard(...args);
  cleanups.push(() => b.stop());
  return b;
}

function expectFailed(r: CliRun, code: string, words?: RegExp): void {
  expect(r.code, r.stderr).not.toBe(0);
  expect(r.code).not.toBeNull();
  expect(r.summary, r.stdout).toMatchObject({ ok: false, code });
  if (words) expect(r.stderr).toMatch(words);
}

describe('CLI exit status on failure', () => {
  it('a bridge that hangs up on the first bytes: link-closed and exit 1, not 0', async () => {
    const server: Server = createServer((c) => c.once('data', () => c.destroy()));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise((resolve) => server.close(() => resolve())));
    const port = (server.address() as { port: number }).port;
    const r = await runCli(['flash', small, '--port', `net:127.0.0.1:${port}`, '--board', 'arduino-uno']);
    expect(r.code).toBe(1);
    expectFailed(r, 'link-closed', /closed the connection/);
  });

  it('a malformed file: hex-parse', async () => {
    const bad = join(dir, 'bad.hex');
    writeFileSync(bad, ':0400000001020304F3\n:00000001FF\n');
    expectFailed(await runCli(['flash', bad, '--port', 'net:127.0.0.1:1']), 'hex-parse', /Line 1: checksum/);
  });

  it('a missing file, an empty one, one cut off before its EOF record', async () => {
    expectFailed(await runCli(['flash', join(dir, 'none.hex'), '--port', 'net:127.0.0.1:1']), 'bad-argument', /Cannot read firmware file/);
    const empty = join(dir, 'empty.hex');
    writeFileSync(empty, ':00000001FF\n');
    expectFailed(await runCli(['flash', empty, '--port', 'net:127.0.0.1:1']), 'image-empty');
    const cut = join(dir, 'cut.hex');
    writeFileSync(cut, toIntelHex(imageFromSegments([{ address: 0, data: randomBytes(64, 3) }])).replace(':00000001FF\n', ''));
    expectFailed(await runCli(['flash', cut, '--port', 'net:127.0.0.1:1']), 'hex-parse', /Line 4: .*without an end-of-file record/);
  });

  it('refusals before connecting: image-too-large, image-overlaps-bootloader', async () => {
    expectFailed(await runCli(['flash', hexFile('big.hex', 33_000, 5), '--port', 'net:127.0.0.1:1', '--board', 'arduino-uno']), 'image-too-large');
    expectFailed(await runCli(['flash', hexFile('boot.hex', 64, 6, 0x7f00), '--port', 'net:127.0.0.1:1', '--board', 'arduino-uno']), 'image-overlaps-bootloader');
  });

  it('the wrong board for the chip: signature-mismatch, nothing written', async () => {
    const b = await board('optiboot-atmega328p');
    const before = Buffer.from(b.board.flash);
    expectFailed(await runCli(['flash', small, '--port', b.spec, '--board', 'arduino-mega2560', '--protocol', 'stk500v1']), 'signature-mismatch', /Expected ATmega2560/);
    expect(Buffer.compare(before, Buffer.from(b.board.flash))).toBe(0);
  });

  it('a board without bootloader: no-bootloader', async () => {
    const b = await board('stk500v2-atmega2560', { bootloader: false });
    expectFailed(await runCli(['flash', small, '--port', b.spec]), 'no-bootloader', /Tried STK500V2/);
  });

  it('a board that falls silent mid-write: link-timeout', async () => {
    const b = await board('optiboot-atmega328p');
    let n = 0;
    b.board.line = { toMcu: (v) => (n++ > 800 ? null : v), toHost: (v) => v };
    expectFailed(await runCli(['flash', small, '--port', b.spec, '--board', 'arduino-uno']), 'link-timeout', /No answer within \d+ ms while (writing|reading) page 0x[0-9a-f]+, and re-synchronising with the bootloader got no answer either/);
  });

  it('answers garbled on the way back: protocol-error', async () => {
    const b = await board('optiboot-atmega328p');
    let n = 0;
    b.board.line = { toMcu: (v) => v, toHost: (v) => (n++ > 40 ? v ^ 0x80 : v) };
    expectFailed(await runCli(['flash', small, '--port', b.spec, '--board', 'arduino-uno']), 'protocol-error');
  });

  it('a worn-out flash cell: verify-failed', async () => {
    const b = await board('optiboot-atmega328p');
    b.board.spm.stuckLow.set(0x234, 0x01);
    const f = join(dir, 'ff.hex');
    writeFileSync(f, toIntelHex(imageFromSegments([{ address: 0, data: new Uint8Array(1024).fill(0xff).fill(0x11, 0, 16) }])));
    expectFailed(await runCli(['flash', f, '--port', b.spec, '--board', 'arduino-uno']), 'verify-failed', /first difference at 0x234/);
  });

  it('Ctrl-C mid-write: aborted, and the bridge is free again', async () => {
    const b = await board('stk500v2-atmega2560', { clients: 'one-at-a-time' });
    const big = hexFile('mega.hex', 60_000, 8);
    const r = await runCli(['flash', big, '--port', b.spec, '--board', 'arduino-mega2560'], {
      when: { stderr: 'Writing 0/', then: (p) => setTimeout(() => p.kill('SIGINT'), 300) },
    });
    expectFailed(r, 'aborted', /cancelled/);
    const again = await runCli(['flash', small, '--port', b.spec, '--board', 'arduino-mega2560']);
    expect(again.code, again.stderr).toBe(0);
  });

  it('unreachable ports: a closed TCP port, a serial device that is not there', async () => {
    expectFailed(await runCli(['flash', small, '--port', 'net:127.0.0.1:1']), 'port-unreachable', /ECONNREFUSED/);
    expectFailed(await runCli(['flash', small, '--port', '/dev/ttyHEXFLASH-NONE']), 'port-unreachable', /There is no serial port \/dev\/ttyHEXFLASH-NONE/);
  });

  it('bad arguments: exit 2 with the usage and an ok:false line', async () => {
    const r = await runCli(['flash', small, '--port', 'ttyUSB0']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Usage:');
    expectFailed(r, 'bad-argument', /neither a serial port/);
  });
});
