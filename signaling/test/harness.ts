import type { AddressInfo } from 'node:net';
import type { JoinAck, JoinOk } from '@conclave/protocol';
import { io as connect, type ManagerOptions, type Socket, type SocketOptions } from 'socket.io-client';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { startServer, type RunningServer } from '../src/server.js';

/** The real server on a free loopback port, with no built client needed. Logs go to `logs` when given. */
export async function startSignaling(env: Record<string, string> = {}, logs?: string[]): Promise<RunningServer> {
  const config = loadConfig({ HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: logs ? 'debug' : 'silent', CLIENT_DIR: '/nonexistent', ...env });
  const destination = logs ? { write: (line: string) => void logs.push(line) } : undefined;
  return startServer(config, createLogger(config.LOG_LEVEL, destination));
}

export type TestSocket = Socket;

const open: Socket[] = [];

/** A real socket.io-client over WebSocket, closed by closeAll(). */
export async function client(server: RunningServer | string, options: Partial<ManagerOptions & SocketOptions> = {}): Promise<Socket> {
  const socket = unconnectedClient(server, options);
  socket.connect();
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('connect_error', reject);
  });
  return socket;
}

/** Like client(), but not yet connected (to watch connection errors). `server` may be a URL. */
export function unconnectedClient(server: RunningServer | string, options: Partial<ManagerOptions & SocketOptions> = {}): Socket {
  const url = typeof server === 'string' ? server : `http://127.0.0.1:${(server.http.address() as AddressInfo).port}`;
  const socket = connect(url, { transports: ['websocket'], reconnection: false, forceNew: true, autoConnect: false, ...options });
  open.push(socket);
  return socket;
}

export function closeAll(): void {
  for (const socket of open.splice(0)) socket.disconnect();
}

export function emit(socket: Socket, event: string, ...args: unknown[]): Promise<unknown> {
  return socket.timeout(2000).emitWithAck(event, ...args);
}

export async function join(socket: Socket, room: string, name: string, extra: Record<string, unknown> = {}): Promise<JoinOk> {
  const reply = (await emit(socket, 'join', { room, name, ...extra })) as JoinAck;
  if (!reply.ok) throw new Error(`join failed: ${reply.error.code}: ${reply.error.message}`);
  return reply;
}

/** The error code of a refused request (fails the test if it was accepted). */
export async function refusal(socket: Socket, event: string, ...args: unknown[]): Promise<string> {
  const reply = (await emit(socket, event, ...args)) as { ok: boolean; error?: { code: string } };
  if (reply.ok) throw new Error(`${event} was accepted`);
  return reply.error?.code ?? 'no code';
}

/** Alice and Bob, each on a connection of their own, in a fresh room (Alice first: she moderates). */
export async function aliceAndBob(server: RunningServer | string) {
  const room = freshRoom();
  const alice = await client(server);
  const bob = await client(server);
  const a = await join(alice, room, 'Alice');
  const b = await join(bob, room, 'Bob');
  return { room, alice, bob, a, b };
}

let roomCounter = 0;
/** A room id no other test uses. */
export const freshRoom = (): string => `room-${++roomCounter}-${Date.now()}`;

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
