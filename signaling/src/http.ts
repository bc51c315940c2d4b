import { existsSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import sirv from 'sirv';
import type { Metrics } from './metrics.js';
import { applyHeaders } from './security-headers.js';

export type RequestHandler = (req: IncomingMessage, res: ServerResponse) => void;

export interface HttpDeps {
  clientDir: string;
  metrics: Metrics;
  /** Security headers sent with every response (security-headers.ts). */
  securityHeaders: Readonly<Record<string, string>>;
  /** Null when ready; otherwise why not (shutting down, store unreachable). */
  notReady(): Promise<string | null>;
}

function sendText(res: ServerResponse, status: number, body: string, type = 'text/plain; charset=utf-8'): void {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
  res.end(body);
}

/**
 * HTTP side of the server: probes, metrics and the built client. Any path that is not
 * a file gets index.html, so that `/r/<room-id>` opens the app. Every response carries
 * the security headers (CSP and the rest), the client's pages and scripts above all.
 */
export function createHttpHandler({ clientDir, metrics, notReady, securityHeaders }: HttpDeps): RequestHandler {
  const serveClient = existsSync(clientDir)
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
    applyHeaders(res, securityHeaders);
    if (req.method !== 'GET' && req.method !== 'HEAD') return sendText(res, 405, 'method not allowed\n');
    const path = (req.url ?? '/').split('?')[0];
    switch (path) {
      case '/healthz':
        return sendText(res, 200, 'ok\n');
      case '/readyz':
        void notReady().then((why) => (why ? sendText(res, 503, `not ready: ${why}\n`) : sendText(res, 200, 'ready\n')));
        return;
      case '/metrics':
        void metrics.registry.metrics().then(
          (text) => sendText(res, 200, text, metrics.registry.contentType),
          () => sendText(res, 500, 'metrics unavailable\n'),
        );
        return;
    }
    if (!serveClient) return sendText(res, 503, `client not built: run "npm run build" (looked in ${clientDir})\n`);
    serveClient(req, res, () => sendText(res, 404, 'not found\n'));
  };
}
