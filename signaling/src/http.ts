import { existsSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import sirv from 'sirv';

export type RequestHandler = (req: IncomingMessage, res: ServerResponse) => void;

function sendText(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
  res.end(body);
}

/**
 * HTTP side of the server: a liveness probe and the built client. Any path that is not
 * a file gets index.html, so that `/r/<room-id>` opens the app.
 */
export function createHttpHandler(clientDir: string): RequestHandler {
  const clientBuilt = existsSync(clientDir);
  const serveClient = clientBuilt
    ? sirv(clientDir, {
        single: true,
        etag: true,
        setHeaders: (res, pathname) => {
          // Vite fingerprints everything under /assets; the rest (index.html) must be revalidated.
          res.setHeader('cache-control', pathname.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache');
        },
      })
    : undefined;

  return (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return sendText(res, 405, 'method not allowed\n');
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/healthz') return sendText(res, 200, 'ok\n');
    if (!serveClient) return sendText(res, 503, `client not built: run "npm run build" (looked in ${clientDir})\n`);
    serveClient(req, res, () => sendText(res, 404, 'not found\n'));
  };
}
