import { createHash, randomBytes } from 'node:crypto';
import type { ClientToServerEvents, ErrorAck, ErrorCode, RelayedSignal, ServerToClientEvents } from '@conclave/protocol';
import { errorAck } from '@conclave/protocol';
import type { Server, Socket } from 'socket.io';
import type { z } from 'zod';
import type { Config } from '../config.js';
import type { KeyedBuckets } from '../limits/token-bucket.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import type { RoomStore } from '../store/room-store.js';

export interface Participant {
  id: string;
  room: string;
  name: string;
}

export interface SocketData {
  /** Set once the socket joined or resumed; cleared when it leaves. */
  participant?: Participant;
  /** Set while the socket waits in a room's lobby. */
  knock?: { room: string; id: string };
  /** True while a join, resume or knock of this socket is in progress. */
  admitting?: boolean;
  /** What the disconnect of this socket means: keep the seat for a resume, or free it now. */
  onDisconnect: 'detach' | 'leave';
  violations: number;
  ip: string;
}

export type SignalingServer = Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;
export type SignalingSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;

/** Everything a handler may use. */
export interface Services {
  io: SignalingServer;
  store: RoomStore;
  config: Config;
  log: Logger;
  metrics: Metrics;
  /** join, knock and resume attempts per client address (also slows password guessing). */
  admissions: KeyedBuckets;
  isShuttingDown(): boolean;
  /** Test-only (never from configuration): see SignalInterceptor. */
  interceptSignal?: SignalInterceptor | undefined;
}

/**
 * Test-only: sees each relayed signal first and may take it over by returning true, then
 * deliver signals of its own, with any `from`. The e2e suite uses it to play a malicious
 * server that sits in the middle of DTLS. Only code that starts the server can set it.
 */
export type SignalInterceptor = (
  signal: { room: string; to: string; message: RelayedSignal },
  deliver: (to: string, message: RelayedSignal) => void,
) => boolean;

/** A handler's reply: what goes into the acknowledgement. */
export type Reply = { ok: true } & Record<string, unknown>;

/** Thrown inside a handler to answer with an error acknowledgement. */
export class Refusal extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
  toAck(): ErrorAck {
    return errorAck(this.code, this.message);
  }
}

export interface Handler<S extends z.ZodType> {
  schema: S;
  run(socket: SignalingSocket, payload: z.output<S>, services: Services): Promise<Reply>;
}

export function handler<S extends z.ZodType>(schema: S, run: Handler<S>['run']): Handler<S> {
  return { schema, run };
}

/** 128 random bits for ids; 256 for secrets. Both base64url. */
export const newId = (): string => randomBytes(16).toString('base64url');
export const newSecret = (): string => randomBytes(32).toString('base64url');
export const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/** Socket.IO room names: everyone in a meeting, and its moderators. */
export const roomChannel = (room: string): string => `r:${room}`;
export const moderatorChannel = (room: string): string => `m:${room}`;

export function requireParticipant(socket: SignalingSocket): Participant {
  const participant = socket.data.participant;
  if (!participant) throw new Refusal('not-joined', 'join a room first');
  return participant;
}

/** Checks in the store (roles change when a moderator leaves) that the sender moderates its room. */
export async function requireModerator(socket: SignalingSocket, { store }: Services): Promise<Participant> {
  const participant = requireParticipant(socket);
  const member = await store.member(participant.room, participant.id);
  if (member?.role !== 'moderator') throw new Refusal('forbidden', 'only a moderator can do this');
  return participant;
}

