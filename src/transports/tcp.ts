// TCP adapter for serial bridges (avrdude's "net:host:port" form: ser2net, esp-link, the emulated
// board). A raw TCP bridge has no modem lines, so a DTR/RTS reset is carried out by reconnecting:
// bridges that reset the board when a client connects (esp-link, our emulator) then reset it.
import { connect, type Socket } from 'node:net';
import { FlashError } from '../core/errors.js';
import { QueueLink } from '../core/link/queue-link.js';
import type { Clock } from '../core/link/clock.js';
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

function open(addr: NetAddress): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: addr.host, port: addr.port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new FlashError('port-unreachable', `No connection to ${addr.host}:${addr.port} within ${CONNECT_TIMEOUT_MS} ms.`));
    }, CONNECT_TIMEOUT_MS);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.setNoDelay(true);
      resolve(socket);
    });
    socket.once('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      socket.destroy();
      const code = e.code ?? e.message;
      reject(new FlashError('port-unreachable', `Could not connect to ${addr.host}:${addr.port} (${code}).`, { cause: e }));
    });
  });
}

export async function openTcpLink(spec: string, clock: Clock = systemClock): Promise<QueueLink> {
  const addr = parseNetPort(spec);
  let socket = await open(addr);
  let linesUp = true;
  let closed = false;

  const attach = (s: Socket): void => {
    s.on('data', (chunk: Buffer) => {
      if (s === socket) link.queue.push(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    });
    s.on('close', () => {
      if (s === socket && !closed) link.fail(new FlashError('link-closed', `The bridge at ${addr.host}:${addr.port} closed the connection.`));
    });
    s.on('error', () => undefined);
  };

  const link: QueueLink = new QueueLink({
    description: `net:${addr.host}:${addr.port}`,
    clock,
    write: (bytes) =>
      new Promise<void>((resolve, reject) => {
        socket.write(bytes, (e) => (e ? reject(new FlashError('link-closed', 'Writing to the bridge failed.', { cause: e })) : resolve()));
      }),
    setSignals: async (s) => {
      const up = s.dataTerminalReady ?? s.requestToSend ?? linesUp;
      if (up && !linesUp) {
        const old = socket;
        socket = await open(addr);
        old.destroy();
        attach(socket);
        link.queue.clear();
      }
      linesUp = up;
    },
    close: async () => {
      closed = true;
      await new Promise<void>((resolve) => {
        socket.once('close', () => resolve());
        socket.end();
        setTimeout(() => {
          socket.destroy();
          resolve();
        }, 500).unref();
      });
    },
  });
  attach(socket);
  return link;
}
