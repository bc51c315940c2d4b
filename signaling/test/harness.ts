import type { AddressInfo } from 'node:net';
import type { JoinAck, JoinOk } from '@conclave/protocol';
import { io as connect, type Socket } from 'socket.io-client';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { startServer, type RunningServer } from '../src/server.js';

/** The real server on a free loopback port, with no built client needed. */
export async function startSignaling(env: Record<string, string> = {}): Promise<RunningServer> {
  const config = loadConfig({ HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'silent', CLIENT_DIR: '/nonexistent', ...env });
  return startServer(config, createLogger(config.LOG_LEVEL));
}

export type TestSocket = Socket;

const open: Socket[] = [];

/** A real socket.io-client over WebSocket, closed by closeAll(). */
export async function client(server: RunningServer): Promise<Socket> {
  const { port } = server.http.address() as AddressInfo;
  const socket = connect(`http://127.0.0.1:${port}`, { transports: ['websocket'], reconnection: false, forceNew: true });
  open.push(socket);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('connect_error', reject);
  });
  return socket;
}

export function closeAll(): void {
  for (const socket of open.splice(0)) socket.disconnect();
}

export function emit(socket: Socket, event: string, ...args: unknown[]): Promise<unknown> {
  return socket.timeout(2000).emitWithAck(event, ...args);
}

export async function join(socket: Socket, room: string, name: string): Promise<JoinOk> {
  const reply = (await emit(socket, 'join', { room, name })) as JoinAck;
  if (!reply.ok) throw new Error(`join failed: ${reply.error.code}`);
  return reply;
}

/** Resolves with the next `event` the socket receives, or rejects after `ms`. */
export function next<T>(socket: Socket, event: string, ms = 2000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${event} within ${ms} ms`)), ms);
    socket.once(event, (payload: T) => {
      clearTimeout(timer);
      resolve(payload);
    });
  });
}

/** Collects every `event` the socket receives from now on. */
export function collect<T>(socket: Socket, event: string): T[] {
  const seen: T[] = [];
  socket.on(event, (payload: T) => seen.push(payload));
  return seen;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
