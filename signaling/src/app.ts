import type { IncomingMessage, Server as HttpServer } from 'node:http';
import { MAX_MESSAGE_BYTES } from '@conclave/protocol';
import { Server, type ServerOptions } from 'socket.io';
import type { Config } from './config.js';
import { registerHandlers, type Services, type SignalingServer } from './handlers/index.js';
import type { SignalInterceptor } from './handlers/context.js';
import { announceDeparture } from './handlers/announce.js';
import { ConnectionLimiter } from './limits/connections.js';
import { KeyedBuckets } from './limits/token-bucket.js';
import type { Logger } from './logger.js';
import type { Metrics } from './metrics.js';
import type { RoomStore } from './store/room-store.js';
import { clientAddress } from './client-address.js';

export interface SignalingDeps {
  config: Config;
  log: Logger;
  metrics: Metrics;
  store: RoomStore;
  /** The Redis adapter when several processes act as one; Socket.IO's in-memory one otherwise. */
  adapter?: ServerOptions['adapter'];
  /** Test-only: see SignalInterceptor. */
  interceptSignal?: SignalInterceptor | undefined;
}

export interface Signaling {
  io: SignalingServer;
  /** Refuses new joins, tells every client to reconnect elsewhere, and keeps their seats for a resume. */
  drain(): Promise<void>;
  close(): Promise<void>;
}

/** How often seats of vanished connections are checked for the end of their resume grace. */
const SWEEP_INTERVAL_MS = 1000;

/** Browsers send Origin; it must be this server's own, or one of ALLOWED_ORIGINS. */
function originAllowed(req: IncomingMessage, allowed: string[]): boolean {
  const origin = req.headers.origin;
  if (!origin) return true; // not a browser: Origin protects browsers from other sites, nothing more
  if (allowed.includes(origin)) return true;
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}

/** Builds the Socket.IO side on an existing HTTP server. Only server.ts calls listen. */
export function createSignaling(httpServer: HttpServer, deps: SignalingDeps): Signaling {
  const { config, log, metrics, store } = deps;
  const connections = new ConnectionLimiter(config.MAX_CONNECTIONS, config.MAX_CONNECTIONS_PER_IP);
  const admissions = new KeyedBuckets(config.JOINS_PER_MINUTE_PER_IP / 60, config.JOINS_PER_MINUTE_PER_IP);
  let shuttingDown = false;

  const io: SignalingServer = new Server(httpServer, {
    maxHttpBufferSize: MAX_MESSAGE_BYTES,
    serveClient: false,
    // A dead connection is noticed within 20 s; its seat then waits RESUME_GRACE_SECONDS.
    pingInterval: 10_000,
    pingTimeout: 10_000,
    ...(deps.adapter ? { adapter: deps.adapter } : {}),
    allowRequest: (req, callback) => {
      if (shuttingDown) return callback('the server is shutting down', false);
      if (!originAllowed(req, config.ALLOWED_ORIGINS)) {
        metrics.rejections.inc({ reason: 'origin' });
        return callback('origin not allowed', false);
      }
      const refusal = connections.refusal(clientAddress(req, config.TRUST_PROXY));
      if (refusal) {
        metrics.rejections.inc({ reason: 'connection-limit' });
        return callback(refusal, false);
      }
      callback(null, true);
    },
  });

  // The client address of each connection, read once from its HTTP request.
  const addresses = new WeakMap<object, string>();
  io.engine.on('connection', (raw: { request: IncomingMessage | null; once(event: 'close', listener: () => void): void }) => {
    const ip = raw.request ? clientAddress(raw.request, config.TRUST_PROXY) : 'unknown';
    addresses.set(raw, ip);
    // Each request object (headers, socket references) would stay in memory as long as the
    // connection: about half of an idle connection's footprint. Nothing needs it afterwards.
    raw.request = null;
    connections.opened(ip);
    metrics.sockets.inc();
    raw.once('close', () => {
      connections.closed(ip);
      metrics.sockets.dec();
    });
  });

  const services: Services = { io, store, config, log, metrics, admissions, isShuttingDown: () => shuttingDown, interceptSignal: deps.interceptSignal };
  io.on('connection', (socket) => {
    socket.data.ip = addresses.get(socket.conn) ?? 'unknown';
    registerHandlers(socket, services);
  });

  metrics.countRooms = () => {
    let rooms = 0;
    for (const name of io.of('/').adapter.rooms.keys()) if (name.startsWith('r:')) rooms += 1;
    return rooms;
  };

  // Frees the seats whose resume grace ended, on whichever node notices first.
  const promote = config.ACCESS === 'open';
  const sweeper = setInterval(() => {
    store
      .sweep(Date.now(), { promote })
      .then((departures) => departures.forEach((departure) => announceDeparture(services, departure, 'did not resume')))
      .catch((error: unknown) => log.error({ err: error }, 'sweep failed'));
    admissions.prune();
  }, SWEEP_INTERVAL_MS);
  sweeper.unref();

  return {
    io,
    async drain() {
      shuttingDown = true;
      // This node's clients only: the others' nodes are not stopping.
      io.local.emit('server-shutdown', {});
      // Seats stay for RESUME_GRACE_SECONDS: the clients resume on another node.
      for (const socket of await io.local.fetchSockets()) socket.disconnect(true);
    },
    async close() {
      clearInterval(sweeper);
      await new Promise<void>((resolve) => void io.close(() => resolve()));
    },
  };
}
