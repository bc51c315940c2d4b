/**
 * The archive service: the portal page (the client's archive.html and its assets) and
 * the API on one origin, with the project's strict security headers; the inbox scanner.
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { type AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Logger } from 'pino';
import sirv from 'sirv';
import { appPolicy, applyHeaders, securityHeaders } from '@conclave/signaling/security-headers';
import { type Accounts } from '../accounts/accounts.js';
import { openConfiguredArchive, type Archive } from '../archive.js';
import { type ArchiveConfig } from '../config.js';
import { Inbox } from '../inbox.js';
import { Maintenance } from '../maintenance.js';
import { createApi } from './api.js';

export interface RunningArchive {
  url: string;
  archive: Archive;
  accounts: Accounts;
  inbox: Inbox | null;
  maintenance: Maintenance;
  http: Server;
  close(): Promise<void>;
}

export async function startArchive(config: ArchiveConfig, log: Logger): Promise<RunningArchive> {
  const archive = await openConfiguredArchive(config, config.dataDir);
  const accounts = archive.accounts;
  const scratchDir = join(config.dataDir, 'scratch');
  await mkdir(scratchDir, { recursive: true, mode: 0o750 });
  const headers = securityHeaders({ csp: appPolicy(), tls: config.tls });
  const portal = existsSync(join(config.clientDir, 'archive.html'))
    ? sirv(config.clientDir, {
        etag: true,
        setHeaders: (res, pathname) => res.setHeader('cache-control', pathname.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache'),
      })
    : null;

  let origin = config.publicUrl ?? '';
  const api = createApi({ archive, accounts, log, get origin() { return origin; }, tls: config.tls, trustProxy: config.trustProxy, scratchDir, organization: config.organization });
  const handle = (req: IncomingMessage, res: ServerResponse) => {
    applyHeaders(res, headers);
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://archive.invalid');
    } catch {
      res.writeHead(400).end();
      return;
    }
    if (url.pathname.startsWith('/api/')) return void api(req, res, url);
    if (url.pathname === '/healthz') return void res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
    if (req.method !== 'GET' && req.method !== 'HEAD') return void res.writeHead(405).end();
    if (!portal) return void res.writeHead(503, { 'content-type': 'text/plain' }).end(`portal not built: run "npm run build" (looked in ${config.clientDir})\n`);
    // The portal is the client's archive.html; the meeting pages are not served here.
    if (url.pathname === '/' || url.pathname === '/index.html') req.url = '/archive.html';
    else if (!url.pathname.startsWith('/assets/') && url.pathname !== '/archive.html') return void res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
    portal(req, res, () => void res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n'));
  };

  const http = createServer(handle);
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(config.port, config.host, () => resolve());
  });
  const { port } = http.address() as AddressInfo;
  const url = `http://${config.host}:${port}`;
  origin ||= url;

  const inbox = config.inbox ? new Inbox(archive, { dir: config.inbox, everyMs: config.inboxSeconds * 1000, trustedRecorderKeys: config.trustedRecorderKeys, retention: config.retention, log }) : null;
  inbox?.start();
  const maintenance = new Maintenance(archive, { fixityEveryMs: config.fixityEveryMs, sweepEveryMs: config.sweepEveryMs, log });
  maintenance.start();
  log.info({ url, inbox: config.inbox }, 'archive listening');
  return {
    url,
    archive,
    accounts,
    inbox,
    maintenance,
    http,
    close: async () => {
      await inbox?.stop();
      await maintenance.stop();
      await new Promise<void>((resolve) => {
        http.close(() => resolve());
        http.closeAllConnections();
      });
      await archive.close();
    },
  };
}
