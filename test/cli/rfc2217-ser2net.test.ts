// HexFlash's RFC 2217 client against a real, independent server: Debian's ser2net in
// `telnet(rfc2217)` mode on a pseudo-terminal made by socat, whose other end is the emulated board's
// raw TCP listener. Checked: the telnet negotiation, baud changes that ser2net confirms and applies
// to the tty (read back with stty), the data path (a flash verified byte for byte), ser2net's
// refusal of a second client, and the note the client prints when ser2net leaves DTR/RTS
// unanswered (a pty has no modem lines). What a pty cannot carry: the modem lines (so the board
// resets on its first received byte, and the protocol is given) and the baud (the emulated line
// behind socat runs at the bootloader's own); protocol auto through an RFC 2217 server that
// carries both is test/cli/rfc2217.test.ts.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { QueueLink } from '../../src/core/link/queue-link.js';
import { openNodeLink } from '../../src/transports/node-link.js';
import type { BootloaderId } from '../emulator/bootloaders.js';
import { startBridgedBoard, type BridgedBoard } from '../helpers/bridged-board.js';
import { runCli } from '../helpers/cli-process.js';
import { writeFirmware } from '../helpers/firmware-file.js';

const dir = mkdtempSync(join(tmpdir(), 'hexflash-ser2net-'));
let running: BridgedBoard | null = null;
const children: ChildProcess[] = [];
let link: QueueLink | null = null;
afterEach(async () => {
  await link?.close();
  link = null;
  for (const c of children.splice(0)) c.kill('SIGTERM');
  await running?.stop();
  running = null;
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => (a && typeof a !== 'string' ? resolve(a.port) : reject(new Error('no port'))));
    });
  });
}

/** True once something listens on 127.0.0.1:port (read from /proc, so no probe connection disturbs ser2net). */
function listening(port: number): boolean {
  const hex = `0100007F:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  return readFileSync('/proc/net/tcp', 'latin1')
    .split('\n')
    .some((l) => {
      const f = l.trim().split(/\s+/);
      return f[1] === hex && f[3] === '0A';
    });
}

async function until(what: string, ok: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`${what} within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

interface Rig {
  readonly board: BridgedBoard;
  readonly tty: string;
  readonly spec: string;
  readonly log: () => string;
}

/** Board <- raw TCP <- socat pty <- ser2net telnet(rfc2217) <- HexFlash. */
async function ser2netBoard(id: BootloaderId, name: string): Promise<Rig> {
  running = await startBridgedBoard(id, { resetOn: 'first-byte' });
  const tty = join(dir, `tty-${name}`);
  children.push(spawn('socat', [`PTY,link=${tty},raw,echo=0`, `TCP:127.0.0.1:${running.bridge.port}`], { stdio: 'ignore' }));
  await until('socat made no pty', () => existsSync(tty));
  const port = await freePort();
  const config = join(dir, `ser2net-${name}.yaml`);
  writeFileSync(
    config,
    ['connection: &c', `  accepter: telnet(rfc2217),tcp,127.0.0.1,${port}`, `  connector: serialdev,${tty},115200n81,local`, ''].join('\n'),
  );
  // -n: stay in the foreground; -d: debug output to stdout; -u: no UUCP lock files; -P: our own pid file.
  const ser2net = spawn('ser2net', ['-n', '-d', '-u', '-P', join(dir, `ser2net-${name}.pid`), '-c', config], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(ser2net);
  let out = '';
  ser2net.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  ser2net.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  await until(`ser2net did not listen on ${port} (it said: ${out})`, () => listening(port));
  return { board: running, tty, spec: `rfc2217://127.0.0.1:${port}`, log: () => out };
}

const ttyBaud = (tty: string): string => /speed (\d+) baud/.exec(execFileSync('stty', ['-F', tty], { encoding: 'utf8' }))?.[1] ?? '?';

describe('RFC 2217 client against ser2net (telnet(rfc2217) on a socat pty)', () => {
  it('negotiates, has each baud change confirmed and applied to the tty, and notes the unanswered DTR/RTS once', async () => {
    const rig = await ser2netBoard('optiboot-atmega328p', 'baud');
    const notes: string[] = [];
    const steps: string[] = [];
    link = await openNodeLink(rig.spec, { baud: 57600, onNote: (t) => notes.push(t), onLog: (t) => steps.push(t) });
    expect(steps).toContain('server: DO COM-PORT-OPTION');
    expect(steps).toContain('server agreed to COM-PORT-OPTION');
    expect(steps).toContain('server: serial port at 57600 baud');
    expect(ttyBaud(rig.tty)).toBe('57600');
    for (const baud of [19200, 115200]) {
      await link.setBaud?.(baud);
      expect(link.baud).toBe(baud);
      expect(ttyBaud(rig.tty)).toBe(String(baud));
    }

    const started = Date.now();
    await link.setSignals({ dataTerminalReady: false, requestToSend: false });
    const firstMs = Date.now() - started;
    await link.setSignals({ dataTerminalReady: true, requestToSend: true });
    const secondMs = Date.now() - started - firstMs;
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatch(/^The RFC 2217 server at 127\.0\.0\.1:\d+ did not answer the DTR\/RTS request \(SET-CONTROL\) within 500 ms/);
    // The first request waited for its deadline; later ones go out without waiting.
    expect(firstMs).toBeGreaterThanOrEqual(450);
    expect(secondMs).toBeLessThan(200);

    // The data path both ways, 0xFF included (IAC IAC on the wire): optiboot answers GET_SYNC.
    // The board resets on its first byte (no DTR through a pty), so sync is retried as a flasher does.
    let answer = '';
    const end = Date.now() + 5000;
    while (answer !== '14 10' && Date.now() < end) {
      await link.drain();
      await link.write(Uint8Array.of(0x30, 0x20));
      answer = await link.read(2, 300).then(
        (b) => [...b].map((x) => x.toString(16)).join(' '),
        () => '',
      );
    }
    expect(answer).toBe('14 10');
  });

  for (const [id, board, bytes, page] of [
    ['optiboot-atmega328p', 'arduino-uno', 20_000, 128],
    ['stk500v2-atmega2560', 'arduino-mega2560', 40_000, 256],
  ] as const) {
    it(`the CLI flashes the ${id} through ser2net, verified byte for byte, saying DTR/RTS went unanswered`, async () => {
      const rig = await ser2netBoard(id, board);
      const fw = writeFirmware(dir, bytes, bytes);
      const r = await runCli(['flash', fw.file, '--port', rig.spec, '--board', board]);
      expect(r.code, `${r.stderr}\nser2net: ${rig.log()}`).toBe(0);
      expect(r.summary).toMatchObject({ ok: true, bytesVerified: Math.ceil(bytes / page) * page });
      expect(Buffer.compare(Buffer.from(rig.board.board.flash.subarray(0, bytes)), Buffer.from(fw.data))).toBe(0);
      expect(r.stderr).toMatch(/Note: The RFC 2217 server at 127\.0\.0\.1:\d+ did not answer the DTR\/RTS request/);
      expect(r.stderr.match(/did not answer the DTR\/RTS request/g)).toHaveLength(1);
    });
  }

  it('ser2net already serving a client: port-busy, quoting what ser2net said', async () => {
    const rig = await ser2netBoard('optiboot-atmega328p', 'busy');
    link = await openNodeLink(rig.spec, { baud: 115200 });
    const r = await runCli(['flash', writeFirmware(dir, 2000, 9).file, '--port', rig.spec, '--board', 'arduino-uno']);
    expect(r.code).toBe(1);
    expect(r.summary, r.stderr).toMatchObject({ ok: false, code: 'port-busy' });
    expect(r.stderr).toContain('refused the connection ("Port already in use")');
  });
});
