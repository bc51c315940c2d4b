/**
 * Stable error codes carried by every failed acknowledgement. Third-party clients
 * may switch on them; add new codes, never rename one.
 */
export const ERROR_CODES = [
  /** The payload does not match the event's schema. */
  'invalid',
  /** The event name is not part of the protocol. */
  'unknown-event',
  /** Too many events, joins or connections in a short time. */
  'rate-limited',
  /** The event needs a room and this connection has none. */
  'not-joined',
  /** `join`, `knock` or `resume` on a connection already in a room or lobby. */
  'already-joined',
  /** The room has as many participants as its capacity. */
  'room-full',
  /** The room is locked: knock to ask a moderator. */
  'locked',
  /** `knock` on a room that is not locked: join it instead. */
  'not-locked',
  /** The room has a password and it was missing or wrong. */
  'bad-password',
  /** The join token is missing (on a server that requires one), invalid, expired or for another room. */
  'bad-token',
  /** The lobby ticket is unknown, not yet admitted, or for another room. */
  'bad-ticket',
  /** The role asked for, or the moderator action, is not allowed for this participant. */
  'forbidden',
  /** `resume` with an id or secret the server does not know (the grace period ended). */
  'unknown-session',
  /** `signal` or moderator action naming an id that is not in the sender's room. */
  'unknown-peer',
  /** The server is shutting down: reconnect (to another node) and resume. */
  'shutting-down',
  /** A compliance room is always recorded: join again with `acknowledgeRecording: true` once the person accepted the notice. */
  'notice-required',
  /** No recording service is configured on this server. */
  'recording-unavailable',
  /** The server failed; retrying may work. */
  'internal',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export interface ProtocolError {
  code: ErrorCode;
  message: string;
}

/** The shape of every negative acknowledgement. */
export interface ErrorAck {
  ok: false;
  error: ProtocolError;
}

export function errorAck(code: ErrorCode, message: string): ErrorAck {
  return { ok: false, error: { code, message } };
}
