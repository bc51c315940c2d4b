import { createHmac } from 'node:crypto';
import type { IceServer } from '@conclave/protocol';

/**
 * Time-limited TURN credentials in coturn's `use-auth-secret` scheme (the "TURN REST
 * API"): username `<expiry unix time>:<participant id>`, password
 * base64(HMAC-SHA1(secret, username)). coturn checks them with the same shared secret.
 */
export function turnCredentials(
  { urls, secret, ttlSeconds }: { urls: string[]; secret: string; ttlSeconds: number },
  participantId: string,
  now = Date.now(),
): IceServer {
  const username = `${Math.floor(now / 1000) + ttlSeconds}:${participantId}`;
  const credential = createHmac('sha1', secret).update(username).digest('base64');
  return { urls, username, credential };
}
