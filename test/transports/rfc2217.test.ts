// The RFC 2217 client's failure paths against small scripted servers, each ending in a FlashError
// with words a user can act on, the socket released and no wait without a deadline: nothing
// listening, a raw TCP bridge that speaks no telnet, a server that refuses COM-PORT-OPTION, one
// that never confirms or changes the baud asked for, one busy with another client, one that hangs
// up mid-session; and the port names it accepts.
import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { isFlashError, type ErrorCode } from '../../src/core/errors.js';
import { checkPortSpec } from '../../src/transports/node-link.js';
import { openRfc2217Link, parseRfc2217Port, type Rfc2217Timeouts } from '../../src/transports/rfc2217.js';
import { baudBytes, comPortCommand, CPO, DO, DONT, negotiation, OPT_COM_PORT, SERVER_OFFSET, TelnetDecoder } from '../../src/transports/telnet.js';
import { startRfc2217Board, type Rfc2217Board } from '../helpers/bridged-board.js';

const FAST: Partial<Rfc2217Timeouts> = { negotiateMs: 300, answerMs: 300, controlMs: 100 };

let servers: Server[] = [];
let board: Rfc2217Board | null = null;
afterEach(async () => {
  for (const s of servers) await new Promise((r) => s.close(r));
  servers = [];
  await board?.stop();
  board = null;
});

interface Scripted {
  readonly port: number;
  /** Resolves when the client's socket has closed. */
  readonly released: Promise<void>;
}

/** A server that greets with `greeting`, then hands each COM-PORT-OPTION command to `onCommand`. */
async function scripted(greeting: Uint8Array | null, onCommand: (code: number, value: Uint8Array, s: Socket) => void = () => undefined): Promise<Scripted> {
  let release: () => void = () => undefined;
  const released = new Promise<void>((r) => (release = r));
  const server = createServer((s) => {
    s.on('close', release);
    s.on('error', () => undefined);
    if (greeting) s.write(greeting);
    const d = new TelnetDecoder({
      data: () => undefined,
      negotiate: () => undefined,
      subnegotiation: (b) => {
        if (b[0] === OPT_COM_PORT) onCommand(b[1] ?? 0, b.subarray(2), s);
      },
    });
    s.on('data', (c: Buffer) => d.push(new Uint8Array(c)));
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const a = server.address();
  if (!a || typeof a === 'string') throw new Error('no port');
  return { port: a.port, released };
}

/** Agrees to COM-PORT-OPTION and echoes every command back as its answer (code + 100). */
const echoing = (code: number, value: Uint8Array, s: Socket): void => void s.write(comPortCommand(code + SERVER_OFFSET, value));

async function failure(p: Promise<unknown>): Promise<{ code: ErrorCode; message: string }> {
  try {
    await p;
  } catch (e) {
    if (isFlashError(e)) return { code: e.code, message: e.message };
    throw e;
  }
  throw new Error('it did not fail');
}

describe('RFC 2217 client: failures', () => {
  it('nothing listening: port-unreachable naming host and port', async () => {
    const s = await scripted(null);
    await new Promise((r) => servers.pop()?.close(r));
    const f = await failure(openRfc2217Link(`rfc2217://127.0.0.1:${s.port}`, { baud: 115200 }));
    expect(f).toMatchObject({ code: 'port-unreachable' });
    expect(f.message).toContain(`RFC 2217 server at 127.0.0.1:${s.port} (ECONNREFUSED)`);
  });

  it('a raw TCP bridge (no telnet at all): port-unreachable within the deadline, pointing at net:, socket released', async () => {
    const s = await scripted(null);
    const started = Date.now();
    const f = await failure(openRfc2217Link(`rfc2217://127.0.0.1:${s.port}`, { baud: 115200, timeouts: FAST }));
    expect(Date.now() - started).toBeLessThan(2000);
    expect(f.code).toBe('port-unreachable');
    expect(f.message).toContain('does not speak RFC 2217 (it did not agree to COM-PORT-OPTION within 300 ms)');
    expect(f.message).toContain(`opened as net:127.0.0.1:${s.port} instead`);
    await s.released;
  });

  it('a telnet server that refuses COM-PORT-OPTION: said so at once', async () => {
    const s = await scripted(null);
    servers[0]?.removeAllListeners('connection');
    servers[0]?.on('connection', (c: Socket) => {
      c.on('error', () => undefined);
      c.on('data', () => void c.write(negotiation(DONT, OPT_COM_PORT)));
    });
    const f = await failure(openRfc2217Link(`rfc2217://127.0.0.1:${s.port}`, { baud: 115200, timeouts: FAST }));
    expect(f.message).toContain('does not speak RFC 2217 (it refused COM-PORT-OPTION)');
  });

  it('a server that never confirms the baud: port-unreachable after the deadline, socket released', async () => {
    const s = await scripted(negotiation(DO, OPT_COM_PORT), (code, value, sock) => {
      if (code !== CPO.SET_BAUDRATE) echoing(code, value, sock);
    });
    const f = await failure(openRfc2217Link(`rfc2217://127.0.0.1:${s.port}`, { baud: 57600, timeouts: FAST }));
    expect(f.code).toBe('port-unreachable');
    expect(f.message).toContain('did not confirm 57600 baud (SET-BAUDRATE) within 300 ms');
    await s.released;
  });

  it('a server that answers another baud than asked: says which', async () => {
    const s = await scripted(negotiation(DO, OPT_COM_PORT), (code, value, sock) => {
      if (code === CPO.SET_BAUDRATE) sock.write(comPortCommand(code + SERVER_OFFSET, baudBytes(38400)));
      else echoing(code, value, sock);
    });
    const f = await failure(openRfc2217Link(`rfc2217://127.0.0.1:${s.port}`, { baud: 57600, timeouts: FAST }));
    expect(f.message).toContain('was asked for 57600 baud and answered 38400');
  });

  it('a server that hangs up while the port is being set up: link-closed, no stray rejections', async () => {
    const s = await scripted(negotiation(DO, OPT_COM_PORT), (code, _value, sock) => {
      if (code === CPO.SET_BAUDRATE) sock.destroy();
    });
    const f = await failure(openRfc2217Link(`rfc2217://127.0.0.1:${s.port}`, { baud: 115200, timeouts: FAST }));
    expect(f.code).toBe('link-closed');
    expect(f.message).toContain('closed the connection while it was being set up');
  });

  it('opens with the settings in the order RFC 2217 recommends, then purges', async () => {
    const codes: number[] = [];
    const s = await scripted(negotiation(DO, OPT_COM_PORT), (code, value, sock) => {
      codes.push(code);
      echoing(code, value, sock);
    });
    const link = await openRfc2217Link(`rfc2217://127.0.0.1:${s.port}`, { baud: 115200, timeouts: FAST });
    await link.close();
    expect(codes).toEqual([CPO.SET_BAUDRATE, CPO.SET_DATASIZE, CPO.SET_PARITY, CPO.SET_STOPSIZE, CPO.PURGE_DATA]);
  });

  it("answers a server's SIGNATURE request, and ignores its modem-state notices", async () => {
    const signatures: string[] = [];
    const greeting = Uint8Array.of(...negotiation(DO, OPT_COM_PORT), ...comPortCommand(CPO.SIGNATURE + SERVER_OFFSET, new Uint8Array()));
    const s = await scripted(greeting, (code, value, sock) => {
      if (code === CPO.SIGNATURE) signatures.push(new TextDecoder().decode(value));
      else echoing(code, value, sock);
      // NOTIFY-MODEMSTATE, unasked, as ser2net sends it: no answer of ours may take it for one.
      sock.write(comPortCommand(CPO.NOTIFY_MODEMSTATE + SERVER_OFFSET, Uint8Array.of(0)));
    });
    const link = await openRfc2217Link(`rfc2217://127.0.0.1:${s.port}`, { baud: 115200, timeouts: FAST });
    await link.close();
    expect(signatures).toEqual(['HexFlash']);
  });

  it('a server that hangs up mid-session: reads end in link-closed naming the server', async () => {
    let client: Socket | null = null;
    const s = await scripted(negotiation(DO, OPT_COM_PORT), (code, value, sock) => {
      client = sock;
      echoing(code, value, sock);
    });
    const link = await openRfc2217Link(`rfc2217://127.0.0.1:${s.port}`, { baud: 115200, timeouts: FAST });
    const read = failure(link.read(1, 5000));
    (client as Socket | null)?.destroy();
    const f = await read;
    expect(f.code).toBe('link-closed');
    expect(f.message).toContain(`The RFC 2217 server at 127.0.0.1:${s.port} closed the connection.`);
    await expect(failure(link.setBaud?.(57600) ?? Promise.resolve())).resolves.toMatchObject({ code: 'link-closed' });
    await link.close();
  });

  it('a server already serving a client: port-busy quoting its refusal', async () => {
    board = await startRfc2217Board('optiboot-atmega328p');
    const first = await openRfc2217Link(board.spec, { baud: 115200 });
    try {
      const f = await failure(openRfc2217Link(board.spec, { baud: 115200 }));
      expect(f.code).toBe('port-busy');
      expect(f.message).toContain('refused the connection ("Port already in use"): another client is using it');
      expect(board.listener.refused).toBe(1);
    } finally {
      await first.close();
    }
  });

  it('close releases the connection, and a new client is served', async () => {
    board = await startRfc2217Board('optiboot-atmega328p');
    const first = await openRfc2217Link(board.spec, { baud: 115200 });
    await first.close();
    await first.close();
    const second = await openRfc2217Link(board.spec, { baud: 115200 });
    await second.close();
    expect(board.listener.connections).toBe(2);
    expect(board.listener.refused).toBe(0);
  });
});

describe('RFC 2217 port names', () => {
  it('parses host and port, IPv6 in brackets', () => {
    expect(parseRfc2217Port('rfc2217://192.168.1.20:2000')).toEqual({ host: '192.168.1.20', port: 2000 });
    expect(parseRfc2217Port('RFC2217://printer.local:4001/')).toEqual({ host: 'printer.local', port: 4001 });
    expect(parseRfc2217Port('rfc2217://[::1]:2000')).toEqual({ host: '::1', port: 2000 });
    expect(() => checkPortSpec('rfc2217://127.0.0.1:7000')).not.toThrow();
  });

  it.each([
    ['rfc2217://192.168.1.20', 'names no TCP port'],
    ['rfc2217://192.168.1.20:0', 'TCP port 0 is not between 1 and 65535'],
    ['rfc2217://192.168.1.20:70000', 'TCP port 70000 is not between 1 and 65535'],
    ['rfc2217:192.168.1.20:2000', 'is not of the form rfc2217://HOST:PORT'],
    ['rfc2217://:2000', 'is not of the form rfc2217://HOST:PORT'],
    ['rfc2217://host:2000/x', 'is not of the form rfc2217://HOST:PORT'],
  ])('%s: bad-argument saying %s', (spec, words) => {
    let caught: unknown;
    try {
      checkPortSpec(spec);
    } catch (e) {
      caught = e;
    }
    expect(isFlashError(caught, 'bad-argument')).toBe(true);
    expect((caught as Error).message).toContain(words);
  });
});
