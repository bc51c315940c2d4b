/** The address a request comes from, also behind a reverse proxy: shared by the signaling server and the archive. */
import type { IncomingMessage } from 'node:http';

/**
 * The client's address: the socket peer, or behind a trusted proxy the last
 * X-Forwarded-For entry, the one that proxy appended (a client can write the others).
 */
export function clientAddress(req: IncomingMessage, trustProxy: boolean): string {
  const forwarded = req.headers['x-forwarded-for'];
  if (trustProxy && typeof forwarded === 'string') return forwarded.split(',').at(-1)?.trim() || 'unknown';
  return req.socket.remoteAddress ?? 'unknown';
}
