import { jwtVerify, SignJWT, errors as joseErrors } from 'jose';
import { z } from 'zod';
import { displayNameSchema, roomIdSchema } from '@conclave/protocol';

/**
 * Signed join tokens (JWT, HS256). An operator or an application that knows
 * TOKEN_SECRET mints them; the server checks them on `join` and `knock`.
 * Claims: `room` (a room id, or `*` for any room), `role`, optional `name`, `exp`, and
 * optional `compliance: true`: the room this token opens is a compliance room (always
 * recorded; every joiner accepts the recording notice first).
 */
export const TOKEN_AUDIENCE = 'conclave';
export const TOKEN_ROLES = ['participant', 'moderator'] as const;
export type TokenRole = (typeof TOKEN_ROLES)[number];

const claimsSchema = z.object({
  room: z.union([roomIdSchema, z.literal('*')]),
  role: z.enum(TOKEN_ROLES),
  name: displayNameSchema.optional(),
  compliance: z.boolean().optional(),
  exp: z.number(),
});

export type JoinClaims = z.infer<typeof claimsSchema>;

export class TokenError extends Error {
  override name = 'TokenError';
}

function key(secret: string): Uint8Array {
  return new TextEncoder().encode(secret);
}

export async function mintToken(
  secret: string,
  claims: { room: string; role: TokenRole; name?: string; compliance?: boolean; ttlSeconds: number },
): Promise<string> {
  const payload: Record<string, string | boolean> = { room: claims.room, role: claims.role };
  if (claims.name) payload.name = claims.name;
  if (claims.compliance) payload.compliance = true;
  return new SignJWT(payload)
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setAudience(TOKEN_AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + claims.ttlSeconds)
    .sign(key(secret));
}

/** Verifies a token for `room`; throws a TokenError saying why it is refused (never echoing the token). */
export async function verifyToken(secret: string | undefined, token: string, room: string): Promise<JoinClaims> {
  if (!secret) throw new TokenError('this server accepts no join tokens (TOKEN_SECRET is not set)');
  let payload: unknown;
  try {
    ({ payload } = await jwtVerify(token, key(secret), { algorithms: ['HS256'], audience: TOKEN_AUDIENCE, requiredClaims: ['exp'] }));
  } catch (error) {
    if (error instanceof joseErrors.JWTExpired) throw new TokenError('the join token has expired');
    throw new TokenError('the join token is not valid');
  }
  const claims = claimsSchema.safeParse(payload);
  if (!claims.success) throw new TokenError('the join token lacks a valid room or role claim');
  if (claims.data.room !== '*' && claims.data.room !== room) throw new TokenError('the join token is for another room');
  return claims.data;
}
