import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSignaling } from './app.js';
import type { Config } from './config.js';
import type { SignalingServer } from './handlers.js';
import { createHttpHandler } from './http.js';
import type { Logger } from './logger.js';

export interface RunningServer {
  http: HttpServer;
  io: SignalingServer;
  /** Base URL clients use, for example http://127.0.0.1:3000 */
  url: string;
  close(): Promise<void>;
}

/** Starts HTTP + Socket.IO on the configured host and port (port 0 picks a free one). */
export async function startServer(config: Config, log: Logger): Promise<RunningServer> {
  const http = createServer(createHttpHandler(config.CLIENT_DIR));
  const io = createSignaling(http, { config, log });
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(config.PORT, config.HOST, () => {
      http.off('error', reject);
      resolve();
    });
  });
  const { port } = http.address() as AddressInfo;
  const host = config.HOST.includes(':') ? `[${config.HOST}]` : config.HOST;
  return {
    http,
    io,
    url: `http://${host}:${port}`,
    close: () => new Promise<void>((resolve) => void io.close(() => resolve())),
  };
}
