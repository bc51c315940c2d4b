import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { createServer, type Server as HttpServer } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { createSignaling, type Signaling } from './app.js';
import type { Config } from './config.js';
import { createHttpHandler } from './http.js';
import { appPolicy, securityHeaders } from './security-headers.js';
import type { SignalInterceptor } from './handlers/context.js';
import type { Logger } from './logger.js';
import { Metrics } from './metrics.js';
import { MemoryRoomStore } from './store/memory-store.js';
import type { RoomStore } from './store/room-store.js';
import { loadTlsFiles } from './tls.js';

export interface RunningServer {
  /** The listening server: HTTPS when TLS_CERT_FILE and TLS_KEY_FILE are set. */
  http: HttpServer | HttpsServer;
  signaling: Signaling;
  store: RoomStore;
  /** Base URL clients use, for example http://127.0.0.1:3000 (https: with TLS) */
  url: string;
  /** SIGTERM: stop accepting, tell clients to reconnect, close everything. */
  shutdown(): Promise<void>;
  close(): Promise<void>;
}

async function openStore(config: Config, log: Logger) {
  if (!config.REDIS_URL) return { store: new MemoryRoomStore() as RoomStore, adapter: undefined, close: async () => {} };
  const { createRedisBackend } = await import('./store/redis-store.js');
  // Unique per process start: a restarted process must not revive its predecessor's liveness key.
  const nodeId = `${hostname()}-${process.pid}-${randomBytes(6).toString('hex')}`;
  const backend = await createRedisBackend({
    url: config.REDIS_URL,
    nodeId,
    resumeGraceMs: config.RESUME_GRACE_SECONDS * 1000,
    onError: (error) => log.warn({ err: error.message }, 'redis connection error (reconnecting)'),
  });
  log.info({ nodeId }, 'room state in Redis');
  return backend;
}

/**
 * The meeting app's headers: it connects to this server ('self', Socket.IO included) and,
 * when recording is on, to the recording service (start and stop).
 */
export function clientSecurityHeaders(config: Pick<Config, 'RECORDER_URL' | 'SERVED_OVER_HTTPS'>): Record<string, string> {
  const connectTo = config.RECORDER_URL ? [new URL(config.RECORDER_URL).origin] : [];
  return securityHeaders({ csp: appPolicy(connectTo), tls: config.SERVED_OVER_HTTPS });
}

/** Starts HTTP + Socket.IO on the configured host and port (port 0 picks a free one). */
export async function startServer(config: Config, log: Logger, testing: { interceptSignal?: SignalInterceptor } = {}): Promise<RunningServer> {
  // The certificate first: a bad one stops the start before anything opens.
  const tls = config.TLS_CERT_FILE && config.TLS_KEY_FILE ? loadTlsFiles(config.TLS_CERT_FILE, config.TLS_KEY_FILE) : undefined;
  if (tls && tls.daysLeft < 30) {
    log.warn({ certificate: tls.leaf.subject, validTo: tls.leaf.validTo, daysLeft: tls.daysLeft }, 'TLS certificate expires soon: renew it and restart');
  }
  const metrics = new Metrics();
  const backend = await openStore(config, log);
  const store = backend.store;
  let stopping = false;

  const handler = createHttpHandler({
    clientDir: config.CLIENT_DIR,
    metrics,
    securityHeaders: clientSecurityHeaders(config),
    notReady: async () => {
      if (stopping) return 'shutting down';
      try {
        await store.ping();
        return null;
      } catch {
        return 'room store unreachable';
      }
    },
  });
  // Old TLS versions are off (Node's default minimum is TLS 1.2); HTTP/1.1 only, as Socket.IO needs.
  const http = tls ? createHttpsServer({ cert: tls.cert, key: tls.key, minVersion: 'TLSv1.2' }, handler) : createServer(handler);
  const signaling = createSignaling(http, { config, log, metrics, store, adapter: backend.adapter, interceptSignal: testing.interceptSignal });

  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(config.PORT, config.HOST, () => {
      http.off('error', reject);
      resolve();
    });
  });
  const { port } = http.address() as AddressInfo;
  const host = config.HOST.includes(':') ? `[${config.HOST}]` : config.HOST;

  const close = async (): Promise<void> => {
    stopping = true;
    await signaling.close();
    await backend.close();
  };
  return {
    http,
    signaling,
    store,
    url: `${tls ? 'https' : 'http'}://${host}:${port}`,
    close,
    async shutdown() {
      stopping = true;
      http.close(); // no new connections; open ones are handled below
      await signaling.drain();
      await close();
    },
  };
}
