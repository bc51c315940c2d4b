import { CLIENT_EVENTS, errorAck, type ClientEvent, type ErrorAck } from '@conclave/protocol';
import type { z } from 'zod';
import { TokenBucket } from '../limits/token-bucket.js';
import { Refusal, type Handler, type Services, type SignalingSocket } from './context.js';
import { disconnected, join, knock, leave, resume } from './membership.js';
import { admitKnocker, lobby, lock, refuseKnocker, remove, setPassword } from './moderation.js';
import { recordingGrant } from './recording.js';
import { reconnectPeer, signal } from './relay.js';

export type { Services, SignalingServer, SignalingSocket, SocketData } from './context.js';

/** A socket that earns this many error replies for invalid or excess events is disconnected. */
export const MAX_VIOLATIONS = 20;

const handlers: Record<ClientEvent, Handler<z.ZodType>> = {
  join,
  knock,
  resume,
  signal,
  'reconnect-peer': reconnectPeer,
  leave,
  lock,
  'set-password': setPassword,
  lobby,
  admit: admitKnocker,
  refuse: refuseKnocker,
  remove,
  'recording-grant': recordingGrant,
};

const knownEvents = new Set<string>(CLIENT_EVENTS);

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

/** Wires one connected socket: rate limit, validate, act, acknowledge. */
export function registerHandlers(socket: SignalingSocket, services: Services): void {
  const { config, log, metrics } = services;
  const bucket = new TokenBucket(config.EVENTS_PER_SECOND, config.EVENT_BURST);
  socket.data.violations = 0;
  socket.data.onDisconnect = 'detach';

  const refuse = (ack: Ack | undefined, reply: ErrorAck): void => {
    metrics.rejections.inc({ reason: reply.error.code });
    ack?.(reply);
    const code = reply.error.code;
    if (code !== 'invalid' && code !== 'unknown-event' && code !== 'rate-limited') return;
    socket.data.violations += 1;
    if (socket.data.violations === MAX_VIOLATIONS) {
      log.warn({ socket: socket.id, ip: socket.data.ip, code }, 'disconnecting a socket for repeated violations');
      socket.data.onDisconnect = 'leave';
      socket.disconnect(true);
    }
  };

  // Every packet passes here first: flood and unknown events are answered before any parsing.
  socket.use(([event, ...args], next) => {
    if (!bucket.take()) return refuse(splitArgs(args).ack, errorAck('rate-limited', 'too many messages; slow down'));
    if (!knownEvents.has(event)) {
      return refuse(splitArgs(args).ack, errorAck('unknown-event', `unknown event "${String(event).slice(0, 64)}"`));
    }
    next();
  });

  for (const event of CLIENT_EVENTS) {
    const { schema, run } = handlers[event];
    socket.on(event, (...args: unknown[]) => {
      const { payload, ack } = splitArgs(args);
      const parsed = schema.safeParse(payload);
      if (!parsed.success) return refuse(ack, errorAck('invalid', `${event}: ${describeIssues(parsed.error)}`));
      run(socket, parsed.data, services).then(
        (reply) => ack?.(reply),
        (error: unknown) => {
          if (error instanceof Refusal) return refuse(ack, error.toAck());
          log.error({ err: error, event }, 'handler failed');
          refuse(ack, errorAck('internal', 'the server failed to handle this event'));
        },
      );
    });
  }

  socket.on('disconnect', () => {
    disconnected(socket, services).catch((error: unknown) => log.error({ err: error }, 'disconnect handling failed'));
  });
}
