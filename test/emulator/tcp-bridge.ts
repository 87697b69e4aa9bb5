// A TCP listener in front of an EmulatedBoard, like ser2net or esp-link in front of a real one: the
// board reset on each new connection, bytes piped both ways at `baud`. How it treats clients:
// 'replace' drops the old client for a new one; 'one-at-a-time' refuses a second client while one is
// connected, as ser2net does by default ("Port already in use", then hang up); 'single' serves its
// first client and then stops listening, as `socat TCP-LISTEN` without fork does. A board behind a
// pseudo-terminal cannot see DTR: with resetOn 'first-byte' it resets on the first byte a client
// sends (as if its user pressed reset just before), instead of on the connection.
import { createServer, type Socket } from 'node:net';
import type { EmulatedBoard } from './board.js';

export type ClientPolicy = 'replace' | 'one-at-a-time' | 'single';
export const CLIENT_POLICIES: readonly ClientPolicy[] = ['replace', 'one-at-a-time', 'single'];

export interface TcpBridge {
  readonly port: number;
  /** Clients turned away while another was connected. */
  readonly refused: number;
  close(): Promise<void>;
  /** Resolves when a 'single' bridge has served its client and stopped. */
  readonly finished: Promise<void>;
}

export interface TcpBridgeOptions {
  readonly host?: string;
  readonly port?: number;
  readonly baud: number;
  readonly clients?: ClientPolicy;
  readonly resetOn?: 'connect' | 'first-byte';
}

export async function startTcpBridge(board: EmulatedBoard, opts: TcpBridgeOptions): Promise<TcpBridge> {
  const policy = opts.clients ?? 'replace';
  let current: Socket | null = null;
  let refused = 0;
  let finish: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => (finish = resolve));
  const server = createServer((socket) => {
    if (current && policy !== 'replace') {
      refused++;
      socket.end('Port already in use\r\n');
      return;
    }
    current?.destroy();
    current = socket;
    socket.setNoDelay(true);
    board.onHostData = (bytes) => {
      if (current === socket) socket.write(bytes);
    };
    let untouched = opts.resetOn === 'first-byte';
    if (!untouched) board.reset();
    socket.on('data', (d: Buffer) => {
      if (current !== socket) return;
      if (untouched) {
        untouched = false;
        board.reset();
      }
      board.hostWrite(new Uint8Array(d.buffer, d.byteOffset, d.byteLength), opts.baud);
    });
    const drop = (): void => {
      if (current !== socket) return;
      current = null;
      board.onHostData = null;
      if (policy === 'single') server.close(() => finish());
    };
    socket.on('close', drop);
    socket.on('error', drop);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the bridge has no TCP port');
  return {
    port: address.port,
    get refused() {
      return refused;
    },
    finished,
    close: () =>
      new Promise<void>((resolve) => {
        current?.destroy();
        if (!server.listening) resolve();
        else server.close(() => resolve());
      }),
  };
}
