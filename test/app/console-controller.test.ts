// The console controller: sent lines kept as history (arrow up/down, no repeats, bounded), the
// choices remembered in settings, a dismissed chooser is no failure, a busy port shows its problem,
// and a port that opens is released by close().
import { describe, expect, it } from 'vitest';
import type { ReactiveControllerHost } from 'lit';
import { ConsoleController } from '../../src/app/console-controller.js';
import type { ConsoleDeps } from '../../src/app/console-service.js';
import { memorySettings, type Settings } from '../../src/store/settings.js';
import { systemClock } from '../../src/transports/system-clock.js';
import { openWebSerialLink } from '../../src/transports/web-serial.js';
import { EmulatedBoard } from '../emulator/board.js';
import { EmulatedSerialPort } from '../emulator/serial-port.js';

function host(): ReactiveControllerHost & { updates: number } {
  const h = {
    updates: 0,
    addController: () => undefined,
    removeController: () => undefined,
    requestUpdate: () => void h.updates++,
    updateComplete: Promise.resolve(true),
  };
  return h;
}

function controller(settings: Settings, deps: Partial<ConsoleDeps> = {}): ConsoleController {
  const full: ConsoleDeps = {
    requestPort: () => Promise.reject(new DOMException('No port selected by the user.', 'NotFoundError')),
    openLink: (p, o) => openWebSerialLink(p, o),
    clock: systemClock,
    ...deps,
  };
  return new ConsoleController(host(), { deps: () => full, settings, announce: () => undefined });
}

describe('ConsoleController', () => {
  it('keeps sent lines as history: arrow up goes back, down comes forward, past the newest is empty', async () => {
    const c = controller(memorySettings());
    for (const line of ['G28', 'M115', 'M115', '', 'M105']) await c.send(line);
    expect(c.history).toEqual(['G28', 'M115', 'M105']);
    expect([c.recall(-1), c.recall(-1), c.recall(-1), c.recall(-1)]).toEqual(['M105', 'M115', 'G28', 'G28']);
    expect([c.recall(1), c.recall(1), c.recall(1), c.recall(1)]).toEqual(['M115', 'M105', '', '']);
    for (let i = 0; i < 80; i++) await c.send(`line ${i}`);
    expect(c.history.length).toBe(50);
    expect(c.history[0]).toBe('line 30');
  });

  it('remembers the baud, the line ending and time stamps, and ignores stored values it does not know', async () => {
    const settings = memorySettings();
    const first = controller(settings);
    expect([first.baudChoice, first.ending, first.timestamps]).toEqual(['auto', 'lf', false]);
    await first.chooseBaud(115200);
    first.setEnding('crlf');
    first.setTimestamps(true);
    const again = controller(settings);
    expect([again.baudChoice, again.ending, again.timestamps]).toEqual([115200, 'crlf', true]);
    settings.write('console.baud', '12345');
    settings.write('console.ending', 'lfcr');
    const odd = controller(settings);
    expect([odd.baudChoice, odd.ending]).toEqual(['auto', 'lf']);
  });

  it('a dismissed chooser is no failure; a busy port shows its own problem; an open port is released by close()', async () => {
    const dismissed = controller(memorySettings());
    await dismissed.open(null);
    expect([dismissed.status, dismissed.message, dismissed.problem]).toEqual(['closed', 'No port was chosen.', null]);

    const board = new EmulatedBoard({ mcu: 'atmega328p', bootloader: null });
    const busy = controller(memorySettings());
    await busy.open(new EmulatedSerialPort(board, { failOpen: 'busy' }) as unknown as SerialPort);
    expect(busy.status).toBe('closed');
    expect(busy.problem?.code).toBe('port-busy');

    const settings = memorySettings();
    settings.write('console.baud', '115200');
    const port = new EmulatedSerialPort(board);
    const ok = controller(settings);
    await ok.open(port as unknown as SerialPort);
    expect(ok.status).toBe('open');
    expect(ok.message).toMatch(/^Open at 115200 baud on CH340/);
    expect(port.readable).not.toBeNull();
    await ok.close();
    expect(ok.status).toBe('closed');
    expect(ok.message).toMatch(/the port \(CH340.*\) is free/);
    expect(port.readable).toBeNull();
  });
});
