// The CLI against TCP bridges that behave like real ones: one that serves one client at a time and
// turns a second away ("Port already in use", as ser2net does by default), and one that serves a
// single connection and exits (socat TCP-LISTEN without fork). Protocol auto resets the board by
// reconnecting, so the old connection must be gone before the new one is made.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { imageFromSegments } from '../../src/core/hex/binary.js';
import { parseIntelHex, toIntelHex } from '../../src/core/hex/intel-hex.js';
import { startBridgedBoard, type BridgedBoard } from '../helpers/bridged-board.js';
import { runCli } from '../helpers/cli-process.js';
import { randomBytes } from '../helpers/random.js';

const dir = mkdtempSync(join(tmpdir(), 'hexflash-bridges-'));
let running: BridgedBoard | null = null;
afterEach(async () => {
  await running?.stop();
  running = null;
});

function firmware(bytes: number, seed: number): { file: string; data: Uint8Array } {
  const data = randomBytes(bytes, seed);
  const file = join(dir, `fw-${seed}.hex`);
  writeFileSync(file, toIntelHex(imageFromSegments([{ address: 0, data }])));
  return { file, data: parseIntelHex(toIntelHex(imageFromSegments([{ address: 0, data }]))).bytes };
}

describe('CLI through TCP bridges', () => {
  for (const [id, bytes] of [
    ['stk500v2-atmega2560', 40_000],
    ['optiboot-atmega328p', 12_000],
  ] as const) {
    it(`protocol auto flashes the ${id} through a bridge that serves one client at a time`, async () => {
      running = await startBridgedBoard(id, { clients: 'one-at-a-time' });
      const fw = firmware(bytes, bytes);
      const r = await runCli(['flash', fw.file, '--port', running.spec, '--protocol', 'auto']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.summary).toMatchObject({ ok: true, bytesVerified: expect.any(Number) });
      expect(Buffer.compare(Buffer.from(running.board.flash.subarray(0, bytes)), Buffer.from(fw.data))).toBe(0);
      // Every reset was a hang-up and a new connection, and none was turned away.
      expect(running.bridge.refused).toBe(0);
      expect(running.board.stats.resets).toBeGreaterThanOrEqual(2);
    });
  }

  it('a bridge that serves a single connection and exits: non-zero exit naming the bridge', async () => {
    running = await startBridgedBoard('optiboot-atmega328p', { clients: 'single' });
    const fw = firmware(2000, 7);
    const r = await runCli(['flash', fw.file, '--port', running.spec, '--board', 'arduino-uno']);
    expect(r.code).toBe(1);
    expect(r.summary).toMatchObject({ ok: false, code: 'link-closed' });
    expect(r.stderr).toContain(`The bridge at 127.0.0.1:${running.bridge.port} took no new connection within 4 s after a reset`);
    expect(r.stderr).toContain('a bridge that serves a single connection and then exits cannot do that');
  });

  it('a bridge already serving another client: port-busy, saying what the bridge said', async () => {
    running = await startBridgedBoard('optiboot-atmega328p', { clients: 'one-at-a-time' });
    const { connect } = await import('node:net');
    const other = connect({ host: '127.0.0.1', port: running.bridge.port });
    await new Promise((resolve) => other.once('connect', resolve));
    try {
      const r = await runCli(['flash', firmware(2000, 8).file, '--port', running.spec, '--board', 'arduino-uno']);
      expect(r.code).toBe(1);
      expect(r.summary).toMatchObject({ ok: false, code: 'port-busy' });
      expect(r.stderr).toContain('refused the connection ("Port already in use")');
    } finally {
      other.destroy();
    }
  });
});
