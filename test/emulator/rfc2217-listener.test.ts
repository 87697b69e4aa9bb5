// The emulated board's RFC 2217 server against an independent client: pyserial's rfc2217://
// (Debian's python3-serial, run with /usr/bin/python3). pyserial negotiates, sets 57600 8N1, DTR
// and RTS, then the script resets the board with a DTR edge, fails to sync at the wrong baud, sets
// 115200, resets with an RTS edge and talks to optiboot; the test checks what the server and the
// board saw. (HexFlash's own client is checked against ser2net in test/cli/rfc2217-ser2net.test.ts.)
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { CONTROL } from '../../src/transports/telnet.js';
import { startRfc2217Board, type Rfc2217Board } from '../helpers/bridged-board.js';

const PYTHON = '/usr/bin/python3';
const SCRIPT = join(process.cwd(), 'test/emulator/pyserial-rfc2217.py');

let running: Rfc2217Board | null = null;
afterEach(async () => {
  await running?.stop();
  running = null;
});

describe('emulated RFC 2217 server with pyserial as the client', () => {
  it('answers negotiation and settings, takes the baud and the DTR and RTS edges, and carries optiboot both ways', async () => {
    running = await startRfc2217Board('optiboot-atmega328p', { lineBaud: 9600 });
    const resetsBefore = running.board.stats.resets;
    const { stdout, stderr } = await promisify(execFile)(PYTHON, [SCRIPT, `rfc2217://127.0.0.1:${running.listener.port}`], { timeout: 60_000 });
    const seen = JSON.parse(stdout.trim()) as Record<string, string>;
    const { listener } = running;

    // pyserial's open: SET-BAUDRATE 57600 (then 8N1, no flow control), DTR on, RTS on; the script's
    // DTR off/on; its baud change; its RTS off/on. pyserial raises an error on any unanswered one.
    expect(listener.bauds, stderr).toEqual([57600, 115200]);
    expect(listener.controls).toEqual([
      CONTROL.USE_NO_FLOW_CONTROL,
      CONTROL.DTR_ON,
      CONTROL.RTS_ON,
      CONTROL.DTR_OFF,
      CONTROL.DTR_ON,
      CONTROL.USE_NO_FLOW_CONTROL, // pyserial sends all port settings again on a baud change
      CONTROL.RTS_OFF,
      CONTROL.RTS_ON,
    ]);
    expect(listener.purges).toBeGreaterThanOrEqual(2);
    // The connection raised both lines (one reset, as a server opening its tty); then one DTR and one RTS edge.
    expect(listener.risingEdges).toBe(2);
    expect(running.board.stats.resets - resetsBefore).toBeGreaterThanOrEqual(3);

    // At 57600 optiboot (115200) hears garbage; at 115200 it answers, 0xFF data included.
    expect(seen.sync_at_57600).not.toBe('1410');
    expect(seen.sync_at_115200).toBe('1410');
    expect(seen.signature).toBe('141e950f10');
    expect(seen.load_address).toBe('1410');
    expect(seen.read_page).toBe(`14${'ff'.repeat(16)}10`);
  });
});
