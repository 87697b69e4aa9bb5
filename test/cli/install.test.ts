// The hexflash command as a user installs it: `npm pack` of this repo (which builds the CLI to plain
// JavaScript), `npm install -g` of the tarball into a scratch prefix with no network (serialport is
// bundled), then the installed command, run outside the repo with a bare PATH, prints its help and
// flashes an emulated board: no TypeScript, tsx or other dev dependency involved.
import { execFileSync, type ExecFileSyncOptions } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { imageFromSegments } from '../../src/core/hex/binary.js';
import { toIntelHex } from '../../src/core/hex/intel-hex.js';
import { startBridgedBoard, type BridgedBoard } from '../helpers/bridged-board.js';
import { runCli } from '../helpers/cli-process.js';
import { randomBytes } from '../helpers/random.js';

const scratch = mkdtempSync(join(tmpdir(), 'hexflash-install-'));
const prefix = join(scratch, 'prefix');
const bin = join(prefix, 'bin', 'hexflash');
const env = { PATH: `${dirname(process.execPath)}:/usr/bin:/bin`, HOME: scratch };
let board: BridgedBoard;

beforeAll(() => {
  const quiet: ExecFileSyncOptions = { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' } };
  execFileSync('npm', ['pack', '--silent', '--pack-destination', scratch], quiet);
  const tarball = readdirSync(scratch).find((f) => f.endsWith('.tgz'));
  if (!tarball) throw new Error('npm pack made no tarball');
  execFileSync('npm', ['install', '-g', '--offline', '--prefix', prefix, join(scratch, tarball)], { ...quiet, cwd: scratch });
}, 180_000);

afterAll(async () => {
  await board?.stop();
});

describe('the installed hexflash command', () => {
  it('is installed without dev dependencies', () => {
    const installed = join(prefix, 'lib', 'node_modules', 'hexflash');
    expect(existsSync(bin)).toBe(true);
    expect(existsSync(join(installed, 'node_modules', 'serialport'))).toBe(true);
    for (const dev of ['typescript', 'tsx', 'vite', 'vitest', 'avr8js', 'lit']) expect(existsSync(join(installed, 'node_modules', dev)), dev).toBe(false);
    expect(existsSync(join(installed, 'src'))).toBe(false);
  });

  it('prints its help and exits 0', async () => {
    const r = await runCli(['--help'], { command: [bin], env, cwd: scratch });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('hexflash flash FILE --port PORT');
  });

  it('flashes an emulated board and exits 0 only after verifying', async () => {
    board = await startBridgedBoard('optiboot-atmega328p', { clients: 'one-at-a-time' });
    const data = randomBytes(6000, 61);
    const file = join(scratch, 'blink.hex');
    writeFileSync(file, toIntelHex(imageFromSegments([{ address: 0, data }])));
    const r = await runCli(['flash', file, '--port', board.spec], { command: [bin], env, cwd: scratch });
    expect(r.code, r.stderr).toBe(0);
    expect(r.summary).toMatchObject({ ok: true, protocol: 'stk500v1', bytesVerified: 6016 });
    expect(Buffer.compare(Buffer.from(board.board.flash.subarray(0, data.length)), Buffer.from(data))).toBe(0);
  });
});
