// A TCP listener in front of an EmulatedBoard, like ser2net or esp-link in front of a real one:
// one client at a time, the board reset on each new connection, bytes piped both ways at `baud`.
import { createServer, type Socket } from 'node:net';
import type { EmulatedBoard } from './board.js';

export interface TcpBridge {
  readonly port: number;
  close(): Promise<void>;
}

export async function startTcpBridge(board: EmulatedBoard, opts: { host?: string; port?: number; baud: number }): Promise<TcpBridge> {
  let current: Socket | null = null;
  const server = createServer((socket) => {
    current?.destroy();
    current = socket;
    socket.setNoDelay(true);
    board.onHostData = (bytes) => {
      if (current === socket) socket.write(bytes);
    };
    board.reset();
    socket.on('data', (d: Buffer) => {
      if (current === socket) board.hostWrite(new Uint8Array(d.buffer, d.byteOffset, d.byteLength), opts.baud);
    });
    const drop = (): void => {
      if (current === socket) {
        current = null;
        board.onHostData = null;
      }
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
    close: () =>
      new Promise<void>((resolve) => {
        current?.destroy();
        server.close(() => resolve());
      }),
  };
}
