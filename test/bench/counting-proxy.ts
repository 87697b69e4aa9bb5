// A TCP proxy between a flasher and the emulated board's bridge that counts what crosses it:
// bytes each way, round trips (a host burst answered by the board), and the time from the last
// connection (which resets the board) to the first answered page-sized write, and the host's turnaround.
import { createServer, connect, type Server, type Socket } from 'node:net';

export interface ProxyStats {
  bytesToBoard: number;
  bytesFromBoard: number;
  roundTrips: number;
  /** ms from the last (re)connection, i.e. the reset, to the answer of the first write of at least `pageBytes`. */
  resetToFirstPageMs: number | null;
  /** ms from an answer's (last) chunk reaching the proxy to the host's next bytes, for each write that followed an answer. */
  turnarounds: number[];
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : ((s[(s.length - 1) >> 1] ?? 0) + (s[s.length >> 1] ?? 0)) / 2;
}

export interface CountingProxy {
  readonly port: number;
  readonly stats: ProxyStats;
  reset(): void;
  close(): Promise<void>;
}

export async function startCountingProxy(targetPort: number, pageBytes: number): Promise<CountingProxy> {
  const stats: ProxyStats = { bytesToBoard: 0, bytesFromBoard: 0, roundTrips: 0, resetToFirstPageMs: null, turnarounds: [] };
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect({ host: '127.0.0.1', port: targetPort });
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    sockets.add(client).add(upstream);
    const connectedAt = performance.now();
    let burst = 0;
    let awaitingAnswer = false;
    let pageSeen = false;
    let answerAt = -1;
    client.on('data', (d: Buffer) => {
      stats.bytesToBoard += d.length;
      if (answerAt >= 0) stats.turnarounds.push(performance.now() - answerAt);
      answerAt = -1;
      if (!awaitingAnswer) burst = 0;
      burst += d.length;
      awaitingAnswer = true;
      upstream.write(d);
    });
    upstream.on('data', (d: Buffer) => {
      stats.bytesFromBoard += d.length;
      if (awaitingAnswer) {
        stats.roundTrips++;
        if (!pageSeen && burst >= pageBytes) {
          pageSeen = true;
          stats.resetToFirstPageMs = performance.now() - connectedAt;
        }
      }
      awaitingAnswer = false;
      answerAt = performance.now();
      client.write(d);
    });
    const end = (): void => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('proxy has no port');
  return {
    port: address.port,
    stats,
    reset: () => Object.assign(stats, { bytesToBoard: 0, bytesFromBoard: 0, roundTrips: 0, resetToFirstPageMs: null, turnarounds: [] }),
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
