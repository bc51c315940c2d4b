/**
 * Stable error codes carried by every failed acknowledgement. Third-party clients
 * may switch on them; add new codes, never rename one.
 */
export const ERROR_CODES = [
  'invalid',
  'unknown-event',
  'not-joined',
  'already-joined',
  'room-full',
  'unknown-peer',
  'rate-limited',
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
