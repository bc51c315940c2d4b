import type { Server as HttpServer } from 'node:http';
import { MAX_MESSAGE_BYTES } from '@conclave/protocol';
import { Server } from 'socket.io';
import type { Config } from './config.js';
import { registerHandlers, type SignalingServer } from './handlers.js';
import type { Logger } from './logger.js';
import { RoomRegistry } from './rooms.js';

export interface AppDeps {
  config: Pick<Config, 'ROOM_CAPACITY' | 'ICE_SERVERS'>;
  log: Logger;
}

/** Builds the Socket.IO side on an existing HTTP server. Only main.ts calls listen. */
export function createSignaling(httpServer: HttpServer, { config, log }: AppDeps): SignalingServer {
  const io: SignalingServer = new Server(httpServer, {
    maxHttpBufferSize: MAX_MESSAGE_BYTES,
    serveClient: false,
  });
  const rooms = new RoomRegistry(config.ROOM_CAPACITY);
  io.on('connection', (socket) => registerHandlers(socket, { io, rooms, iceServers: config.ICE_SERVERS, log }));
  return io;
}
