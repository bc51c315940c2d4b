import { randomBytes } from 'node:crypto';
import {
  CLIENT_EVENTS,
  errorAck,
  joinRequestSchema,
  signalRequestSchema,
  type ClientToServerEvents,
  type ErrorAck,
  type ErrorCode,
  type IceServer,
  type Role,
  type ServerToClientEvents,
} from '@conclave/protocol';
import type { Server, Socket } from 'socket.io';
import type { z } from 'zod';
import type { Logger } from './logger.js';
import type { RoomRegistry } from './rooms.js';

export interface Participant {
  id: string;
  room: string;
  name: string;
  role: Role;
}

export interface SocketData {
  participant?: Participant;
  violations: number;
}

export type SignalingServer = Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;
type SignalingSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;

export interface HandlerDeps {
  io: SignalingServer;
  rooms: RoomRegistry;
  iceServers: IceServer[];
  log: Logger;
}

/** A socket that sends this many invalid messages is disconnected. */
export const MAX_VIOLATIONS = 20;

const knownEvents = new Set<string>(CLIENT_EVENTS);

/** 128 random bits: participant ids are unguessable, so knowing one grants nothing. */
export function newParticipantId(): string {
  return randomBytes(16).toString('base64url');
}

type Ack = (reply: unknown) => void;

/** Socket.IO puts the acknowledgement last; a client may omit it, or send it where a payload belongs. */
function splitArgs(args: unknown[]): { payload: unknown; ack: Ack | undefined } {
  const last = args.at(-1);
  if (typeof last === 'function') return { payload: args.length > 1 ? args[0] : undefined, ack: last as Ack };
  return { payload: args[0], ack: undefined };
}

function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => (issue.path.length ? `${issue.path.join('.')}: ${issue.message}` : issue.message))
    .join('; ');
}

/** Wires one connected socket: validate, act, ack, broadcast. */
export function registerHandlers(socket: SignalingSocket, deps: HandlerDeps): void {
  const { io, rooms, iceServers, log } = deps;
  socket.data.violations = 0;

  const reject = (ack: Ack | undefined, code: ErrorCode, message: string): void => {
    const reply: ErrorAck = errorAck(code, message);
    ack?.(reply);
    if (code === 'invalid' || code === 'unknown-event') {
      socket.data.violations += 1;
      if (socket.data.violations >= MAX_VIOLATIONS) {
        log.warn({ socket: socket.id, violations: socket.data.violations }, 'disconnecting a socket for repeated protocol violations');
        socket.disconnect(true);
      }
    }
  };

  const leaveRoom = (): void => {
    const participant = socket.data.participant;
    if (!participant) return;
    socket.data.participant = undefined;
    if (rooms.leave(participant.room, participant.id)) {
      void socket.leave(participant.room);
      io.to(participant.room).emit('peer-left', { id: participant.id });
      log.info({ room: participant.room, participant: participant.id }, 'participant left');
    }
  };

  socket.onAny((event: string, ...args: unknown[]) => {
    if (knownEvents.has(event)) return;
    reject(splitArgs(args).ack, 'unknown-event', `unknown event "${String(event).slice(0, 64)}"`);
  });

  socket.on('join', (...args: unknown[]) => {
    const { payload, ack } = splitArgs(args);
    const parsed = joinRequestSchema.safeParse(payload);
    if (!parsed.success) return reject(ack, 'invalid', `join: ${describeIssues(parsed.error)}`);
    if (socket.data.participant) return reject(ack, 'already-joined', 'this connection has already joined a room; send leave first');

    const { room, name } = parsed.data;
    const participant: Participant = { id: newParticipantId(), room, name, role: 'participant' };
    const outcome = rooms.join(room, { id: participant.id, name, role: participant.role, socketId: socket.id });
    if (!outcome.ok) return reject(ack, 'room-full', `room is full (${rooms.capacity} participants)`);

    socket.data.participant = participant;
    void socket.join(room);
    ack?.({ ok: true, id: participant.id, peers: outcome.others, iceServers, capacity: rooms.capacity });
    socket.to(room).emit('peer-joined', { id: participant.id, name, role: participant.role });
    log.info({ room, participant: participant.id, present: outcome.others.length + 1 }, 'participant joined');
  });

  socket.on('signal', (...args: unknown[]) => {
    const { payload, ack } = splitArgs(args);
    const parsed = signalRequestSchema.safeParse(payload);
    if (!parsed.success) return reject(ack, 'invalid', `signal: ${describeIssues(parsed.error)}`);
    const sender = socket.data.participant;
    if (!sender) return reject(ack, 'not-joined', 'join a room before sending signals');

    // Only a member of the sender's own room can be reached, and `from` is always ours.
    const target = rooms.member(sender.room, parsed.data.to);
    if (!target || target.id === sender.id) return reject(ack, 'unknown-peer', 'no such participant in this room');
    io.to(target.socketId).emit('signal', { from: sender.id, data: parsed.data.data });
    ack?.({ ok: true });
  });

  socket.on('leave', (...args: unknown[]) => {
    const { ack } = splitArgs(args);
    if (!socket.data.participant) return reject(ack, 'not-joined', 'this connection is not in a room');
    leaveRoom();
    ack?.({ ok: true });
  });

  socket.on('disconnect', leaveRoom);
}
