// An RFC 2217 server in front of an EmulatedBoard, as ser2net's `telnet(rfc2217)` accepter is in
// front of a real USB serial port: telnet negotiation (BINARY, SGA, COM-PORT-OPTION), SET-BAUDRATE
// sets the baud the host's bytes arrive at (so a wrong baud garbles both ways, as on the wire),
// SET-CONTROL drives DTR/RTS (a rising edge resets the board, as the auto-reset capacitor does),
// PURGE-DATA and the line settings are answered with code + 100. Opening the connection raises DTR
// and RTS, as a server opening its tty does; hanging up drops them. One client at a time: a second
// one hears "Port already in use" and is hung up on, as ser2net does.
import { createServer, type Socket } from 'node:net';
import {
  baudBytes,
  baudFrom,
  comPortCommand,
  CONTROL,
  CPO,
  escapeIac,
  OPT_BINARY,
  OPT_COM_PORT,
  OPT_SGA,
  SERVER_OFFSET,
  TelnetDecoder,
  TelnetOptions,
} from '../../src/transports/telnet.js';
import type { EmulatedBoard } from './board.js';

export interface Rfc2217Listener {
  readonly port: number;
  /** Every SET-BAUDRATE value a client asked for (0, "tell me", left out). */
  readonly bauds: readonly number[];
  /** Every SET-CONTROL value received, in order (8/9 DTR on/off, 11/12 RTS on/off). */
  readonly controls: readonly number[];
  /** SET-CONTROL requests that raised DTR or RTS (each one resets the board). */
  readonly risingEdges: number;
  readonly purges: number;
  /** Clients turned away while another was connected. */
  readonly refused: number;
  /** Clients served. */
  readonly connections: number;
  /** The baud the host's bytes are sent to the board at now. */
  readonly baud: number;
  close(): Promise<void>;
}

export interface Rfc2217ListenerOptions {
  readonly host?: string;
  readonly port?: number;
  /** The line's baud until a client sets one (the bootloader's, or a wrong one to test garbling). */
  readonly baud: number;
}

const REQUEST_CURRENT = 0;

export async function startRfc2217Listener(board: EmulatedBoard, opts: Rfc2217ListenerOptions): Promise<Rfc2217Listener> {
  const bauds: number[] = [];
  const controls: number[] = [];
  let purges = 0;
  let risingEdges = 0;
  let refused = 0;
  let connections = 0;
  let baud = opts.baud;
  let current: Socket | null = null;
  const lines = { dataTerminalReady: false, requestToSend: false };

  const serve = (socket: Socket): void => {
    socket.setNoDelay(true);
    const send = (bytes: Uint8Array): void => {
      if (!socket.destroyed) socket.write(bytes);
    };
    const options = new TelnetOptions({ local: [OPT_BINARY, OPT_SGA], remote: [OPT_BINARY, OPT_SGA, OPT_COM_PORT] }, send);
    const answer = (code: number, value: Uint8Array): void => send(comPortCommand(code + SERVER_OFFSET, value));
    const setLines = (): void => board.setSignals({ ...lines });

    const command = (code: number, value: Uint8Array): void => {
      const v = value[0] ?? REQUEST_CURRENT;
      switch (code) {
        case CPO.SIGNATURE:
          answer(code, new TextEncoder().encode(`HexFlash emulated ${board.mcu}`));
          break;
        case CPO.SET_BAUDRATE: {
          const asked = baudFrom(value) ?? REQUEST_CURRENT;
          if (asked !== REQUEST_CURRENT) {
            bauds.push(asked);
            baud = asked;
          }
          answer(code, baudBytes(baud));
          break;
        }
        case CPO.SET_DATASIZE:
          answer(code, Uint8Array.of(v === REQUEST_CURRENT ? 8 : v));
          break;
        case CPO.SET_PARITY:
        case CPO.SET_STOPSIZE:
          answer(code, Uint8Array.of(v === REQUEST_CURRENT ? 1 : v));
          break;
        case CPO.SET_CONTROL:
          controls.push(v);
          if ((v === CONTROL.DTR_ON && !lines.dataTerminalReady) || (v === CONTROL.RTS_ON && !lines.requestToSend)) risingEdges++;
          if (v === CONTROL.DTR_ON || v === CONTROL.DTR_OFF) lines.dataTerminalReady = v === CONTROL.DTR_ON;
          if (v === CONTROL.RTS_ON || v === CONTROL.RTS_OFF) lines.requestToSend = v === CONTROL.RTS_ON;
          setLines();
          answer(code, Uint8Array.of(v));
          break;
        case CPO.PURGE_DATA:
          purges++;
          answer(code, Uint8Array.of(v));
          break;
        default:
          // Masks and notifications: acknowledged with the value asked for.
          answer(code, value);
      }
    };

    const decoder = new TelnetDecoder({
      data: (bytes) => {
        if (current === socket) board.hostWrite(bytes, baud);
      },
      negotiate: (c, o) => options.receive(c, o),
      subnegotiation: (body) => {
        if (body[0] === OPT_COM_PORT && body.length >= 2 && current === socket) command(body[1] ?? 0, body.subarray(2));
      },
    });
    for (const o of [OPT_BINARY, OPT_SGA]) options.offer(o);
    for (const o of [OPT_BINARY, OPT_SGA, OPT_COM_PORT]) options.ask(o);
    socket.on('data', (d: Buffer) => decoder.push(new Uint8Array(d.buffer, d.byteOffset, d.byteLength)));
    // The server opens its tty for the client: DTR and RTS go up (an edge, so the board resets).
    board.onHostData = (bytes) => {
      if (current === socket) send(escapeIac(bytes));
    };
    lines.dataTerminalReady = true;
    lines.requestToSend = true;
    setLines();
    const drop = (): void => {
      if (current !== socket) return;
      current = null;
      board.onHostData = null;
      lines.dataTerminalReady = false;
      lines.requestToSend = false;
      setLines();
    };
    socket.on('close', drop);
    socket.on('error', drop);
  };

  const server = createServer((socket) => {
    if (current) {
      refused++;
      socket.end('Port already in use\r\n');
      return;
    }
    current = socket;
    connections++;
    serve(socket);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the RFC 2217 listener has no TCP port');
  return {
    port: address.port,
    bauds,
    controls,
    get risingEdges() {
      return risingEdges;
    },
    get purges() {
      return purges;
    },
    get refused() {
      return refused;
    },
    get connections() {
      return connections;
    },
    get baud() {
      return baud;
    },
    close: () =>
      new Promise<void>((resolve) => {
        current?.destroy();
        server.close(() => resolve());
      }),
  };
}
