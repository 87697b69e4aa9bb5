// TCP adapter for serial bridges (avrdude's "net:host:port" form: ser2net, esp-link, the emulated
// board). A raw TCP bridge has no modem lines, so a DTR/RTS reset is carried out by reconnecting:
// lines down closes the connection, lines up opens a new one. Bridges that serve one client at a
// time (ser2net's default) must see the old connection gone first, and may take a moment to let go.
import { connect, type Socket } from 'node:net';
import { FlashError } from '../core/errors.js';
import { QueueLink } from '../core/link/queue-link.js';
import { sleep, type Clock } from '../core/link/clock.js';
import { systemClock } from './system-clock.js';

export interface NetAddress {
  readonly host: string;
  readonly port: number;
}

export function parseNetPort(spec: string): NetAddress {
  const m = /^net:(\[[^\]]+\]|[^:]+):(\d{1,5})$/.exec(spec);
  const port = m ? Number(m[2]) : NaN;
  if (!m || !m[1] || port < 1 || port > 65535) {
    throw new FlashError('bad-argument', `Port "${spec}" is not of the form net:HOST:PORT (for example net:127.0.0.1:7000).`);
  }
  return { host: m[1].replace(/^\[|\]$/g, ''), port };
}

const CONNECT_TIMEOUT_MS = 5000;
/** How long a reconnect keeps trying while the bridge lets go of the previous connection. */
const RECONNECT_FOR_MS = 4000;
const RECONNECT_PAUSE_MS = 150;
/** A bridge that refuses a client accepts it and hangs up at once (ser2net: "Port already in use"). */
const REFUSAL_WINDOW_MS = 120;

class Refused extends Error {}

function where(addr: NetAddress): string {
  return `the bridge at ${addr.host}:${addr.port}`;
}

/**
 * Connects, and tells a refusal (connection refused, or accepted and hung up at once) from a
 * connection. `onData` sees every byte from the start, so nothing is lost while it settles.
 */
function open(addr: NetAddress, onData: (chunk: Buffer) => void): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: addr.host, port: addr.port });
    let said = '';
    let settle: ReturnType<typeof setTimeout> | undefined;
    const fail = (e: Error): void => {
      clearTimeout(timer);
      clearTimeout(settle);
      socket.destroy();
      reject(e);
    };
    const timer = setTimeout(() => fail(new FlashError('port-unreachable', `No connection to ${addr.host}:${addr.port} within ${CONNECT_TIMEOUT_MS} ms.`)), CONNECT_TIMEOUT_MS);
    const early: Buffer[] = [];
    const hold = (d: Buffer): void => {
      early.push(d);
      said += d.toString('latin1');
    };
    const onClose = (): void => fail(new Refused(said.trim() || 'it closed the connection at once'));
    socket.on('error', () => undefined);
    socket.once('error', (e: NodeJS.ErrnoException) => {
      const code = e.code ?? e.message;
      if (code === 'ECONNREFUSED') fail(new Refused(code));
      else fail(new FlashError('port-unreachable', `Could not connect to ${addr.host}:${addr.port} (${code}).`, { cause: e }));
    });
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.setNoDelay(true);
      socket.on('data', hold);
      socket.once('close', onClose);
      settle = setTimeout(() => {
        socket.off('close', onClose);
        socket.off('data', hold);
        socket.on('data', onData);
        for (const d of early) onData(d);
        resolve(socket);
      }, REFUSAL_WINDOW_MS);
    });
  });
}

async function openFirst(addr: NetAddress, onData: (chunk: Buffer) => void): Promise<Socket> {
  try {
    return await open(addr, onData);
  } catch (e) {
    if (!(e instanceof Refused)) throw e;
    if (e.message === 'ECONNREFUSED') throw new FlashError('port-unreachable', `Could not connect to ${addr.host}:${addr.port} (ECONNREFUSED).`, { cause: e });
    throw new FlashError('port-busy', `${capital(where(addr))} refused the connection ("${e.message}"): another client is using it.`, { cause: e });
  }
}

/** Reconnects after a reset, retrying while the bridge still holds the old connection. */
async function reopen(addr: NetAddress, clock: Clock, onData: (chunk: Buffer) => void): Promise<Socket> {
  const started = clock.now();
  let last = '';
  for (;;) {
    try {
      return await open(addr, onData);
    } catch (e) {
      if (!(e instanceof Refused)) throw e;
      last = e.message;
    }
    if (clock.now() - started >= RECONNECT_FOR_MS) break;
    await sleep(clock, RECONNECT_PAUSE_MS);
  }
  throw new FlashError(
    'link-closed',
    `${capital(where(addr))} took no new connection within ${RECONNECT_FOR_MS / 1000} s after a reset (${last}). ` +
      'HexFlash resets a board behind a TCP bridge by reconnecting: a bridge that serves a single connection and then exits cannot do that.',
  );
}

function capital(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** Ends the connection politely; destroys it if the other end has not let go within 500 ms. */
export function closeSocket(s: Socket): Promise<void> {
  if (s.destroyed || s.closed) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const timer = setTimeout(() => s.destroy(), 500);
    s.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
    s.end();
  });
}

export async function openTcpLink(spec: string, clock: Clock = systemClock): Promise<QueueLink> {
  const addr = parseNetPort(spec);
  let socket: Socket | null = null;
  let linesUp = true;
  let closed = false;
  const onData = (chunk: Buffer): void => link.queue.push(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));

  const attach = (s: Socket): void => {
    socket = s;
    s.on('close', () => {
      if (s === socket && !closed) link.fail(new FlashError('link-closed', `${capital(where(addr))} closed the connection.`));
    });
  };
  const hangUp = async (): Promise<void> => {
    const old = socket;
    socket = null;
    if (old) await closeSocket(old);
  };

  const link: QueueLink = new QueueLink({
    description: `net:${addr.host}:${addr.port}`,
    clock,
    write: (bytes) =>
      new Promise<void>((resolve, reject) => {
        const s = socket;
        if (!s) {
          reject(new FlashError('link-closed', `Not connected to ${where(addr)}.`));
          return;
        }
        s.write(bytes, (e) => (e ? reject(new FlashError('link-closed', `Writing to ${where(addr)} failed.`, { cause: e })) : resolve()));
      }),
    setSignals: async (s) => {
      const up = s.dataTerminalReady ?? s.requestToSend ?? linesUp;
      if (!up && linesUp) await hangUp();
      else if (up && !linesUp) {
        await hangUp();
        attach(await reopen(addr, clock, onData));
        link.queue.clear();
      }
      linesUp = up;
    },
    close: async () => {
      closed = true;
      await hangUp();
    },
  });
  attach(await openFirst(addr, onData));
  return link;
}
