// `hexflash flash FILE --port A --port B --port C`: three emulated boards with their real
// bootloaders (ATmega2560 STK500v2, ATmega328P optiboot, ATmega1284P ATmegaBOOT), each in its own
// process behind a TCP bridge (`npm run emulate`), flashed in parallel by one CLI process with
// protocol auto. The emulators run at real time: three in one event loop, or in "adaptive" mode (flat
// out while bytes are in flight), take the CPU a 2-core machine needs for the others' detection.
// The 328P's bridge process is killed mid-write: that board fails in words, the other two end
// verified byte for byte (their flash written out when stopped), the summary has all three, and
// the exit status is not 0. Then all three verified gives 0. The argument rules are checked in-process.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseCommand } from '../../src/cli/args.js';
import { imageFromSegments } from '../../src/core/hex/binary.js';
import { toIntelHex } from '../../src/core/hex/intel-hex.js';
import type { FleetRow } from '../../src/core/fleet.js';
import { runCli } from '../helpers/cli-process.js';
import { randomBytes } from '../helpers/random.js';

const dir = mkdtempSync(join(tmpdir(), 'hexflash-multi-'));
const data = randomBytes(12_000, 77);
const file = join(dir, 'fleet.hex');
writeFileSync(file, toIntelHex(imageFromSegments([{ address: 0, data }])));

interface Served {
  readonly spec: string;
  readonly process: ChildProcess;
  /** Stops the emulator and returns its flash from address 0, as long as the image. */
  flash(): Promise<Buffer>;
}

let running: Served[] = [];
afterEach(() => {
  for (const s of running) s.process.kill('SIGKILL');
  running = [];
});

async function serve(mcu: string, n: number): Promise<Served> {
  const out = join(dir, `${mcu}-${n}.bin`);
  // Node itself (not the tsx wrapper, whose child would outlive a SIGKILL), with tsx as its loader.
  const p = spawn(process.execPath, ['--import', 'tsx', 'test/emulator/serve.ts', '--mcu', mcu, '--port', '0', '--speed', 'realtime', '--clients', 'one-at-a-time', '--flash-out', out], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const spec = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the ${mcu} emulator did not start`)), 60_000);
    p.stdout?.on('data', (d: Buffer) => {
      const m = /net:127\.0\.0\.1:\d+/.exec(d.toString());
      if (m) {
        clearTimeout(timer);
        resolve(m[0]);
      }
    });
  });
  const closed = new Promise<void>((resolve) => p.once('close', () => resolve()));
  const s: Served = {
    spec,
    process: p,
    flash: async () => {
      p.kill('SIGTERM');
      await closed;
      return readFileSync(out).subarray(0, data.length);
    },
  };
  running.push(s);
  return s;
}

async function threeBoards(n: number): Promise<[Served, Served, Served]> {
  const [mega, uno, anet] = await Promise.all([serve('atmega2560', n), serve('atmega328p', n), serve('atmega1284p', n)]);
  return [mega, uno, anet];
}

describe('hexflash flash with --port more than once', () => {
  it('one bridge closed mid-write: that board fails in words, the other two verified byte for byte, exit 1', async () => {
    const [mega, uno, anet] = await threeBoards(1);
    const r = await runCli(['flash', file, '--port', mega.spec, '--port', uno.spec, '--port', anet.spec], {
      timeoutMs: 150_000,
      // The 328P is being written: its bridge goes away (the process behind it dies).
      when: { stderr: `[${uno.spec}] Writing 0/`, then: () => setTimeout(() => uno.process.kill('SIGKILL'), 400) },
    });
    expect(r.code, r.stderr).toBe(1);
    expect(Buffer.compare(await mega.flash(), Buffer.from(data)), r.stderr).toBe(0);
    expect(Buffer.compare(await anet.flash(), Buffer.from(data)), r.stderr).toBe(0);
    const rows = (r.summary as { ok: boolean; boards: FleetRow[] }).boards;
    expect(r.summary).toMatchObject({ ok: false });
    expect(rows.map((x) => [x.board, x.chip, x.result])).toEqual([
      [mega.spec, 'ATmega2560', 'verified'],
      [uno.spec, 'ATmega328P', 'failed'],
      [anet.spec, 'ATmega1284P', 'verified'],
    ]);
    expect(rows[0]?.bytesVerified).toBeGreaterThanOrEqual(data.length);
    expect(rows[1]?.bytesVerified).toBe(0);
    expect(rows[1]?.error).toMatch(/closed the connection|could not be reached|refused/);
    // Per-board lines carry their port; the summary table and the verdict name the failed board.
    expect(r.stderr).toContain(`[${mega.spec}] Connected: ATmega2560`);
    expect(r.stderr).toContain(`[${anet.spec}] Connected: ATmega1284P`);
    expect(r.stderr).toContain(`[${uno.spec}] Error: `);
    expect(r.stderr).toMatch(/\| Board \| Chip \| Protocol \| Result \| Bytes verified \| Time \(s\) \| Error \|/);
    expect(r.stderr).toContain(`2 of 3 boards verified. ${uno.spec} failed.`);
  }, 180_000);

  it('every board verified: exit 0 and ok:true', async () => {
    const boards = await threeBoards(2);
    const r = await runCli(['flash', file, ...boards.flatMap((b) => ['--port', b.spec])], { timeoutMs: 150_000 });
    expect(r.code, r.stderr).toBe(0);
    expect(r.summary).toMatchObject({ ok: true });
    for (const b of boards) expect(Buffer.compare(await b.flash(), Buffer.from(data))).toBe(0);
    expect(r.stderr).toContain('All 3 boards written and verified.');
  }, 180_000);

  it('argument rules: each port once, read takes one, a bad port is named before anything runs', () => {
    const cmd = parseCommand(['flash', file, '--port', 'net:127.0.0.1:1', '--port', 'net:127.0.0.1:2']);
    expect(cmd).toMatchObject({ kind: 'flash', port: 'net:127.0.0.1:1', ports: ['net:127.0.0.1:1', 'net:127.0.0.1:2'] });
    expect(parseCommand(['flash', file, '--port', 'net:127.0.0.1:1'])).not.toHaveProperty('ports');
    expect(() => parseCommand(['flash', file, '--port', 'net:127.0.0.1:1', '--port', 'net:127.0.0.1:1'])).toThrow(/given twice/);
    expect(() => parseCommand(['read', 'out.hex', '--port', 'net:127.0.0.1:1', '--port', 'net:127.0.0.1:2'])).toThrow(/takes one --port/);
    expect(() => parseCommand(['flash', file, '--port', 'net:127.0.0.1:1', '--port', 'ttyUSB0'])).toThrow(/neither a serial port/);
  });
});
