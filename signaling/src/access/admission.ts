import type { Role } from '@conclave/protocol';
import type { Config } from '../config.js';
import { Refusal } from '../handlers/context.js';
import { TokenError, verifyToken } from './tokens.js';

export interface Admission {
  role: Role;
  name: string;
  /** A moderator token lets its holder past the lock and the room password. */
  privileged: boolean;
}

/**
 * Who may enter, as what: decided from the server's access mode and the join token.
 * The recorder role is never granted here: only the recording service may take it.
 */
export async function admit(
  config: Pick<Config, 'ACCESS' | 'TOKEN_SECRET'>,
  request: { room: string; name: string; role?: Role | undefined; token?: string | undefined },
): Promise<Admission> {
  if (request.role === 'recorder') throw new Refusal('forbidden', 'the recorder role is reserved for the recording service');

  if (request.token) {
    let claims;
    try {
      claims = await verifyToken(config.TOKEN_SECRET, request.token, request.room);
    } catch (error) {
      if (error instanceof TokenError) throw new Refusal('bad-token', error.message);
      throw error;
    }
    if (request.role === 'moderator' && claims.role !== 'moderator') {
      throw new Refusal('forbidden', 'the join token does not grant the moderator role');
    }
    return { role: claims.role, name: claims.name ?? request.name, privileged: claims.role === 'moderator' };
  }

  if (config.ACCESS === 'token') throw new Refusal('bad-token', 'this server requires a join token');
  if (request.role === 'moderator') throw new Refusal('forbidden', 'the moderator role needs a join token that grants it');
  return { role: 'participant', name: request.name, privileged: false };
}
