// A tiny static server for the built app on 127.0.0.1, with the app's security headers and the
// index.html fallback for navigations. It can stop and start again on the same port, which is how
// the browser tests take "the network" away and bring it back (same origin, same storage).
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';
import { SECURITY_HEADERS } from '../../src/app/csp.js';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.webmanifest': 'application/manifest+json',
  '.txt': 'text/plain; charset=utf-8',
  '.json': 'application/json',
  '.hex': 'text/plain; charset=utf-8',
};

export interface StaticServer {
  readonly url: string;
  readonly port: number;
  /** Stops answering (connections refused) until start() is called again. */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Requests served so far, by path. */
  readonly hits: string[];
}

export async function startStaticServer(root: string, port = 0): Promise<StaticServer> {
  const hits: string[] = [];
  let server: Server | null = null;
  let boundPort = port;

  const handler = async (path: string): Promise<{ file: string; status: number } | null> => {
    const clean = normalize(decodeURIComponent(path.split('?')[0] ?? '/')).replace(/^(\.\.[/\\])+/, '');
    let file = join(root, clean);
    if (!file.startsWith(root + sep) && file !== root) return null;
    try {
      const s = await stat(file);
      if (s.isDirectory()) file = join(file, 'index.html');
      await stat(file);
      return { file, status: 200 };
    } catch {
      return extname(clean) === '' ? { file: join(root, 'index.html'), status: 200 } : null;
    }
  };

  const listen = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const s = createServer((req, res) => {
        const path = req.url ?? '/';
        hits.push(path);
        void handler(path).then((found) => {
          if (!found) {
            res.writeHead(404, { 'Content-Type': 'text/plain', ...SECURITY_HEADERS }).end('not found');
            return;
          }
          const type = TYPES[extname(found.file)] ?? 'application/octet-stream';
          const cache = found.file.includes(`${sep}assets${sep}`) ? 'public, max-age=31536000, immutable' : 'no-cache';
          res.writeHead(found.status, { 'Content-Type': type, 'Cache-Control': cache, ...SECURITY_HEADERS });
          createReadStream(found.file).pipe(res);
        });
      });
      s.once('error', reject);
      s.listen(boundPort, '127.0.0.1', () => {
        boundPort = (s.address() as AddressInfo).port;
        server = s;
        resolve();
      });
    });

  await listen();
  return {
    get url() {
      return `http://127.0.0.1:${boundPort}`;
    },
    get port() {
      return boundPort;
    },
    hits,
    stop: () =>
      new Promise<void>((resolve) => {
        const s = server;
        server = null;
        if (!s) return resolve();
        s.close(() => resolve());
        s.closeAllConnections();
      }),
    start: listen,
  };
}
